"""The orders grid: filters, one server-side page, and the count and per-currency totals of the
whole filtered set. Everything happens in the database; nothing loads the table into pandas.

Paging is by keyset (`after` = the last row's sort value and id) for next pages, with OFFSET as
the fallback for a page opened by number. Count and totals read a summary table for the filters
it can serve (queries.grid_summary), plus a direct scan of the partial days at the edges of a
date range; any other filter counts and sums the orders directly. The text search is
queries.grid_search's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Connection, Engine, false, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from orders_core.models import DashOrderFact, Event, Order, OrderLine
from orders_core.payment_state import balance_due
from orders_core.permissions import Actor
from orders_core.scope import event_condition, personal
from orders_core.status import STATUS_GROUPS
from queries.due import today_in
from queries.due_dates import overdue_condition
from queries.grid_choices import filter_choices, order_id_for_number
from queries.grid_search import code_search_ids, search_conditions, search_ids
from queries.grid_summary import Summary, summary_can_serve, summary_for
from queries.sql import AnySelect, money_sum, refunded_sum

ORDER_NUMBER = re.compile(r"^\s*#?(\d{7})\s*$")
DEFAULT_PAGE_SIZE = 50
# A search matching at most this many orders is paged by their ids; more, by walking the sort's
# index (queries.grid_search): at 5,000 of 1M orders, one in 200 matches, a page within ~10,000.
PAGE_BY_IDS = 5000

# name -> (column, descending); every sort ends on id so that keyset paging is total.
SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "created_desc": (Order.created_at, True),
    "created_asc": (Order.created_at, False),
    "number_desc": (Order.number, True),
    "number_asc": (Order.number, False),
    "total_desc": (Order.total_ttc, True),
    "total_asc": (Order.total_ttc, False),
}
DEFAULT_SORT = "created_desc"
INDEXED_SORTS = {
    "created_desc",
    "created_asc",
    "number_desc",
    "number_asc",
}  # ix_orders_created_at_id, uq_orders_number

GRID_COLUMNS = [
    "id",
    "number",
    "lines",
    "buyer_first_name",
    "buyer_last_name",
    "buyer_email",
    "discount_code",
    "payment_mode",
    "status",
    "paid_at",
    "created_at",
    "terms_accepted",
    "currency",
    "total_ht",
    "total_ttc",
    "event_id",
    "event_name",
    "event_timezone",
    "source",
    "company_name",
    "amount_paid",
    "balance_due",
    "payment_state",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "deleted_at",
    "due_date",
    "follow_up_on",
]


@dataclass(frozen=True)
class GridFilters:
    """What the grid shows. Dates are calendar days in `timezone` (inclusive); tuples keep the
    value hashable for caching. An empty tuple or None means "no filter"."""

    group: str | None = None  # a key of STATUS_GROUPS
    statuses: tuple[str, ...] = ()
    payment_modes: tuple[str, ...] = ()
    payment_states: tuple[str, ...] = ()  # issue 20: derived from the ledger
    event_ids: tuple[int, ...] = ()
    source: str | None = None
    discount_code: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    include_deleted: bool = False
    overdue: bool = False  # issue 15: past its due date in its event's timezone and still owing
    search: str = ""
    timezone: str = field(default="UTC", compare=True)
    follow_up_due: bool = False  # issue 15: a follow-up date on or before today (in `timezone`)

    def effective_statuses(self) -> tuple[str, ...] | None:
        """The statuses kept by the quick group and the status list together (None = all)."""
        chosen: set[str] | None = None
        if self.group:
            chosen = {str(s) for s in STATUS_GROUPS[self.group]}
        if self.statuses:
            chosen = set(self.statuses) if chosen is None else chosen & set(self.statuses)
        return None if chosen is None else tuple(sorted(chosen))

    def order_number(self) -> int | None:
        """The order number typed in the search box, if it is one (7 digits)."""
        match = ORDER_NUMBER.match(self.search or "")
        return int(match.group(1)) if match else None

    def search_text(self) -> str:
        return "" if self.order_number() is not None else (self.search or "").strip()


def day_bounds(first: date | None, last: date | None, timezone: str) -> tuple[datetime | None, datetime | None]:
    """Inclusive calendar days in a timezone -> the UTC instants [start, end)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time.min, zone).astimezone(UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC) if last else None
    return start, end


def filter_conditions(
    filters: GridFilters,
    *,
    principal: Actor,
    on: type[Order] | Summary = Order,
    with_created: bool = True,
    with_search: bool = True,
) -> list[ColumnElement[bool]]:
    """The one translation of the grid's filters into SQL. On `orders` (the default): the WHERE
    of the page, of the direct count and totals and of the export. On a summary table (the one
    summary_for names): the same dimensions for the count and totals of the whole UTC days of the
    created range. `with_created=False` leaves the created range out (the caller adds the partial
    days at its edges); `with_search=False` the text search (the caller adds its own form of it:
    search_condition).

    Issue 17: the principal's events only, always (on a summary too: it is keyed by event); a
    principal who may not see people (marketer) searches order numbers and discount codes only,
    never names or emails (a match would confirm who bought)."""
    summary = None if on is Order else cast(Summary, on)
    if summary is not None and summary_for(filters) is not summary:
        raise ValueError(f"{on.__tablename__} cannot count these filters (see summary_for)")
    scope = event_condition(on.event_id, principal)
    number = filters.order_number()
    if number is not None:  # a number finds its order whatever else is chosen (in scope)
        return [Order.number == number, scope]
    conditions: list[ColumnElement[bool]] = [scope]
    statuses = filters.effective_statuses()
    if statuses is not None:
        conditions.append(on.status.in_(statuses) if statuses else false())
    if filters.payment_modes:
        conditions.append(on.payment_mode.in_(filters.payment_modes))
    if filters.payment_states:
        conditions.append(Order.payment_state.in_(filters.payment_states))
    if filters.event_ids:
        conditions.append(on.event_id.in_(filters.event_ids))
    if filters.source:
        conditions.append(on.source == filters.source)
    if filters.discount_code:
        code = DashOrderFact.discount_code if on is DashOrderFact else Order.discount_code
        conditions.append(code == filters.discount_code.strip().upper())
    if not filters.include_deleted:
        conditions.append(Order.deleted_at.is_(None) if summary is None else summary.deleted == false())
    if with_created:
        start, end = day_bounds(filters.created_from, filters.created_to, filters.timezone)
        if summary is not None:
            first_full, end_full = _whole_days(start, end)
            if first_full is not None:
                conditions.append(summary.day >= first_full.date())
            if end_full is not None:
                conditions.append(summary.day < end_full.date())
        else:
            conditions.extend(_range(Order.created_at, start, end))
    if filters.overdue:
        conditions.append(overdue_condition())
    paid_start, paid_end = day_bounds(filters.paid_from, filters.paid_to, filters.timezone)
    conditions.extend(_range(Order.paid_at, paid_start, paid_end))
    if paid_end is not None:
        # Implied, never narrowing: an order is paid after it was created (the ledger's rule,
        # checks' `paid_after_created`). It lets the walk of the creation-date index start at
        # the range's end instead of visiting every order created since (1.8 s at 1M orders).
        conditions.append(Order.created_at < paid_end)
    text_ = filters.search_text()
    if text_ and with_search:
        found = search_ids(text_) if principal.sees_personal_data else code_search_ids(text_)
        conditions.append(Order.id.in_(found))
    if filters.follow_up_due:  # the partial index ix_orders_follow_up_on
        conditions.append(Order.follow_up_on <= today_in(filters.timezone))
    return conditions


def _whole_days(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    """The whole UTC days [first, end) inside the instants [start, end)."""
    return (_ceil_day(start) if start else None), (_floor_day(end) if end else None)


def _range(
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    start: datetime | None,
    end: datetime | None,
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if start is not None:
        out.append(column >= start)
    if end is not None:
        out.append(column < end)
    return out


def _keyset(sort: str, after: tuple[Any, ...]) -> ColumnElement[Any]:
    column, descending = SORTS[sort]
    value, last_id = after
    value = _parse_cursor_value(sort, value)
    if descending:
        return tuple_(column, Order.id) < tuple_(value, last_id)
    return tuple_(column, Order.id) > tuple_(value, last_id)


def _parse_cursor_value(sort: str, value: Any) -> datetime | Decimal | int:
    if sort.startswith("created"):
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if sort.startswith("total"):
        return Decimal(str(value))
    return int(value)


def cursor_after(page: pd.DataFrame, sort: str = DEFAULT_SORT) -> tuple[str, int] | None:
    """The keyset cursor that follows a page: plain scalars, fit for st.session_state."""
    if page.empty:
        return None
    last = page.iloc[-1]
    key = {"created": "created_at", "number": "number", "total": "total_ttc"}[sort.split("_")[0]]
    value = last[key]
    if isinstance(value, (datetime, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        value = (stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)).isoformat()
    else:
        value = str(value)
    return value, int(last["id"])


def grid_page(
    engine: Engine,
    filters: GridFilters,
    sort: str = DEFAULT_SORT,
    *,
    after: tuple[Any, ...] | None = None,
    offset: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
    principal: Actor,
) -> pd.DataFrame:
    """One page of the filtered, sorted orders (GRID_COLUMNS; money as Decimal). Give `after`
    (see cursor_after) for the next page by keyset, or an `offset` for a page opened by number.
    The principal's events only; names, emails and company masked for a marketer."""
    conditions = filter_conditions(filters, principal=principal, with_search=False)
    with engine.connect() as conn:
        if filters.search_text():
            searched, ids = search_conditions(
                conn, filters.search_text(), conditions, principal=principal, limit=PAGE_BY_IDS
            )
            # Many matches are found by walking the sort's index; without one (totals), the
            # set of matching ids is built first, as before.
            walkable = sort in INDEXED_SORTS
            conditions = searched if ids is not None or walkable else filter_conditions(filters, principal=principal)
        # The page's ids first, then their rows: the rows' query is then a primary-key lookup
        # whatever the planner thinks of the (sometimes unpredictable) search walk.
        page_ids = [int(i) for i in conn.execute(_page_ids(sort, conditions, after, offset, page_size)).scalars()]
        rows = conn.execute(_page_rows(sort, page_ids, principal)).mappings().all() if page_ids else []
    records = []
    for row in rows:
        record = dict(row)
        # The one balance rule (total - payments), in exact Decimals rather than SQL floats.
        paid = record["amount_paid"] + (record.pop("refunded") or 0)
        record["balance_due"] = balance_due(total=record["total_ttc"], paid=paid)
        records.append(record)
    return pd.DataFrame.from_records(records, columns=GRID_COLUMNS)


def _order_by(sort: str) -> list[ColumnElement[Any]]:
    column, descending = SORTS[sort]
    return [column.desc(), Order.id.desc()] if descending else [column.asc(), Order.id.asc()]


def _page_ids(
    sort: str, conditions: list[ColumnElement[bool]], after: tuple[Any, ...] | None, offset: int, page_size: int
) -> AnySelect:
    if after is not None:
        conditions = [*conditions, _keyset(sort, after)]
    return (
        select(Order.id)
        .where(*conditions)
        .order_by(*_order_by(sort))
        .limit(page_size)
        .offset(offset if after is None else 0)
    )


def _page_rows(sort: str, ids: list[int], principal: Actor) -> AnySelect:
    lines = select(func.count()).select_from(OrderLine).where(OrderLine.order_id == Order.id).scalar_subquery()
    query = (
        select(
            Order.id,
            Order.number,
            lines.label("lines"),
            personal(Order.buyer_first_name, principal),
            personal(Order.buyer_last_name, principal),
            personal(Order.buyer_email, principal),
            Order.discount_code,
            Order.payment_mode,
            Order.status,
            Order.paid_at,
            Order.created_at,
            Order.terms_accepted,
            Order.currency,
            Order.total_ht,
            Order.total_ttc,
            Order.event_id,
            Event.name.label("event_name"),
            Event.timezone.label("event_timezone"),
            Order.source,
            personal(Order.company_name, principal),
            Order.amount_paid,
            refunded_sum().label("refunded"),
            Order.payment_state,
            Order.utm_source,
            Order.utm_medium,
            Order.utm_campaign,
            Order.deleted_at,
            Order.due_date,
            Order.follow_up_on,
        )
        .join(Event, Event.id == Order.event_id)
        .where(Order.id.in_(ids))
        .order_by(*_order_by(sort))
    )
    return query


TOTALS_COLUMNS = ["currency", "orders", "total_ht", "total_ttc"]


def grid_count_and_totals(engine: Engine, filters: GridFilters, *, principal: Actor) -> tuple[int, pd.DataFrame]:
    """The number of orders of the whole filtered set and, per currency, their count and totals
    HT / TTC (Decimal, exact). Never adds two currencies together. The principal's events only
    (the summary table is keyed by event, so its fast path filters them too)."""
    with engine.connect() as conn:
        summary = summary_for(filters)
        if summary is not None:
            parts = _totals_from_summary(conn, filters, summary, principal)
        else:
            parts = [conn.execute(_direct_totals(filter_conditions(filters, principal=principal))).all()]
    merged: dict[str, list[Any]] = {}
    for rows in parts:
        for currency, count, ht, ttc in rows:
            if not count:
                continue
            entry = merged.setdefault(currency, [0, Decimal("0.00"), Decimal("0.00")])
            entry[0] += int(count)
            entry[1] += Decimal(ht or 0)
            entry[2] += Decimal(ttc or 0)
    table = pd.DataFrame([(c, n, ht, ttc) for c, (n, ht, ttc) in sorted(merged.items())], columns=TOTALS_COLUMNS)
    return int(table["orders"].sum()) if not table.empty else 0, table


def _direct_totals(conditions: list[ColumnElement[Any]]) -> AnySelect:
    return (
        select(Order.currency, func.count(), money_sum(Order.total_ht), money_sum(Order.total_ttc))
        .where(*conditions)
        .group_by(Order.currency)
    )


def _totals_from_summary(conn: Connection, filters: GridFilters, s: Summary, principal: Actor) -> list[Any]:
    """Whole UTC days from the summary; the partial days at either end of the range directly."""
    start, end = day_bounds(filters.created_from, filters.created_to, filters.timezone)
    first_full, end_full = _whole_days(start, end)
    base = filter_conditions(filters, principal=principal, with_created=False)
    if first_full and end_full and first_full >= end_full:
        # The range lies within less than two UTC days: count it directly, by index.
        return [conn.execute(_direct_totals([*base, *_range(Order.created_at, start, end)])).all()]
    parts: list[Any] = []
    if start is not None and first_full is not None and start < first_full:
        parts.append(conn.execute(_direct_totals([*base, *_range(Order.created_at, start, first_full)])).all())
    if end is not None and end_full is not None and end_full < end:
        parts.append(conn.execute(_direct_totals([*base, *_range(Order.created_at, end_full, end)])).all())
    rows = conn.execute(
        select(s.currency, func.sum(s.orders), func.sum(s.total_ht_cents), func.sum(s.total_ttc_cents))
        .where(*filter_conditions(filters, principal=principal, on=s))
        .group_by(s.currency)
    ).all()
    parts.append([(c, n, _from_cents(ht), _from_cents(ttc)) for c, n, ht, ttc in rows])
    return parts


def _from_cents(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))


def _ceil_day(instant: datetime) -> datetime:
    floor = _floor_day(instant)
    return floor if floor == instant else floor + timedelta(days=1)


def _floor_day(instant: datetime) -> datetime:
    instant = instant.astimezone(UTC)
    return datetime.combine(instant.date(), time.min, UTC)


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_SORT",
    "GRID_COLUMNS",
    "GridFilters",
    "SORTS",
    "TOTALS_COLUMNS",
    "cursor_after",
    "day_bounds",
    "filter_choices",
    "filter_conditions",
    "grid_count_and_totals",
    "grid_page",
    "order_id_for_number",
    "summary_can_serve",
    "summary_for",
]
