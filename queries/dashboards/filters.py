"""The filters every dashboard function takes, and the helpers they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, FromClause, false, func, select

from orders_core.permissions import Actor
from orders_core.scope import event_condition
from queries.sql import CENT, AnySelect

GRANULARITIES = ("day", "week", "month")


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class DashboardFilters:
    """Events (none = all), an inclusive range of UTC days of creation, a time bucket, and the
    day taken as "today" (fixed in tests). Frozen and hashable: a cache key as it is."""

    event_ids: tuple[int, ...] = ()
    start: date = field(default_factory=lambda: utc_today() - timedelta(days=29))
    end: date = field(default_factory=utc_today)
    granularity: str = "day"
    today: date = field(default_factory=utc_today)

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {GRANULARITIES}")
        if self.start > self.end:
            raise ValueError("the start of the range is after its end")
        object.__setattr__(self, "event_ids", tuple(sorted(int(e) for e in self.event_ids)))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DashboardFilters:
        """The range of the same length just before this one."""
        return DashboardFilters(
            self.event_ids,
            self.start - timedelta(days=self.days),
            self.start - timedelta(days=1),
            self.granularity,
            self.today,
        )


def events_of(column: Any, filters: DashboardFilters, principal: Actor) -> list[ColumnElement[bool]]:
    """The event conditions of a dashboard query on `column` (an event id): the filter's events,
    if any, always within the principal's scope (a filter naming an event outside it finds
    nothing there; no filter means every event of the principal)."""
    conditions = [event_condition(column, principal)]
    if filters.event_ids:
        conditions.append(column.in_(filters.event_ids))
    return conditions


def where_facts(
    query: AnySelect,
    table: FromClause,
    filters: DashboardFilters,
    *,
    principal: Actor,
    dated: bool = True,
    start: date | None = None,
    end: date | None = None,
) -> AnySelect:
    """Restrict a query over a summary table (every one carries `event_id`) to the filters and
    the principal's events (deleted orders left out)."""
    if dated:
        query = query.where(table.c.day >= (start or filters.start), table.c.day <= (end or filters.end))
    query = query.where(*events_of(table.c.event_id, filters, principal))
    if "deleted" in table.c:
        query = query.where(table.c.deleted == false())
    return query


def cents_sum(column: ColumnElement[Any]) -> ColumnElement[int]:
    """SUM of an integer cents column (exact on both databases)."""
    return func.coalesce(func.sum(column), 0)


def money(cents: int | None) -> Decimal:
    """Whole cents -> Decimal to the cent."""
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def frame(engine: Engine, query: AnySelect, columns: list[str], money_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Run `query`, name the columns, turn the cents columns into Decimal money."""
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    for column in money_columns:
        df[column] = pd.Series([money(v) for v in df[column]], index=df.index, dtype=object)
    for column in columns:
        if column not in money_columns and column.endswith(("orders", "quantity", "payments", "lines")):
            df[column] = df[column].astype("int64")
    if "day" in df.columns:
        df["day"] = pd.to_datetime(df["day"]).dt.date
    return df


def ratio(part: int, whole: int) -> float | None:
    """A share for display (counts, not money); None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def change(current: Decimal | int, previous: Decimal | int) -> float | None:
    """Relative change against the previous period, None when there was nothing before."""
    if not previous:
        return None
    return float(round((Decimal(current) - Decimal(previous)) / Decimal(previous), 4))


def event_choices(engine: Engine, *, principal: Actor) -> pd.DataFrame:
    """The principal's events for the filter widget: id, name, currency, newest first."""
    from orders_core.models import Event

    query = (
        select(Event.id, Event.name, Event.currency)
        .where(event_condition(Event.id, principal))
        .order_by(Event.starts_at.desc(), Event.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["id", "name", "currency"])


def bucket_of(day: date, granularity: str) -> date:
    """The first day of the day's week (Monday) or month, or the day itself."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def rows_of(engine: Engine, query: AnySelect) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def as_day(value: date | datetime | str) -> date:
    """SQLite hands a DATE back as text in some expressions; PostgreSQL as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def summed(
    rows: list[tuple[Any, ...]], key: Callable[[tuple[Any, ...]], tuple[Any, ...]], width: int
) -> dict[tuple[Any, ...], list[int]]:
    """Sum the last `width` integer fields of `rows` per key(row): plain Python, because a few
    thousand summary rows group faster this way than through pandas."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        k = key(row)
        current = totals.get(k)
        values = row[-width:]
        if current is None:
            totals[k] = [int(v or 0) for v in values]
        else:
            for i, v in enumerate(values):
                current[i] += int(v or 0)
    return totals
