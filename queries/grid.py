"""The orders grid: filters, one server-side page, and the count and per-currency totals of the
whole filtered set. Everything happens in the database; nothing loads the table into pandas.

Paging is by keyset (`after` = the last row's sort value and id) for next pages, with OFFSET as
the fallback for a page opened by number. Count and totals read the `order_summary` table (kept
in step by triggers, migration 0002) for the filters it can serve, plus a direct scan of the
partial days at the edges of a date range; any other filter (search, discount code, payment
date) counts and sums the orders directly. The text search is queries.grid_search's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    false,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from orders_core.models import DiscountCode, Event, Order, OrderLine, OrderSummary
from orders_core.payment_state import balance_due
from orders_core.permissions import Actor
from orders_core.scope import event_condition, personal
from orders_core.status import STATUS_GROUPS
from queries.due import today_in
from queries.due_dates import overdue_condition
from queries.grid_search import code_search_ids, search_ids
from queries.sql import AnySelect, money_sum, refunded_sum

ORDER_NUMBER = re.compile(r"^\s*#?(\d{7})\s*$")
DEFAULT_PAGE_SIZE = 50

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
    on: type[Order] | type[OrderSummary] = Order,
    with_created: bool = True,
) -> list[ColumnElement[bool]]:
    """The one translation of the grid's filters into SQL. On `orders` (the default): the WHERE
    of the page, of the direct count and totals and of the export. On `order_summary`: the same
    dimensions for the count and totals of the whole UTC days of the created range (only for the
    filters that table can serve, see summary_can_serve). `with_created=False` leaves the created
    range out (the caller adds the partial days at its edges).

    Issue 17: the principal's events only, always (on `order_summary` too: it is keyed by event);
    a principal who may not see people (marketer) searches order numbers and discount codes only,
    never names or emails (a match would confirm who bought)."""
    summary = on is OrderSummary
    if summary and not summary_can_serve(filters):
        raise ValueError("order_summary cannot serve a search, a discount code or a payment date")
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
        conditions.append(Order.discount_code == filters.discount_code.strip().upper())
    if not filters.include_deleted:
        conditions.append(OrderSummary.deleted == false() if summary else Order.deleted_at.is_(None))
    if with_created:
        start, end = day_bounds(filters.created_from, filters.created_to, filters.timezone)
        if summary:
            first_full, end_full = _whole_days(start, end)
            if first_full is not None:
                conditions.append(OrderSummary.day >= first_full.date())
            if end_full is not None:
                conditions.append(OrderSummary.day < end_full.date())
        else:
            conditions.extend(_range(Order.created_at, start, end))
    if filters.overdue:
        conditions.append(overdue_condition())
    paid_start, paid_end = day_bounds(filters.paid_from, filters.paid_to, filters.timezone)
    conditions.extend(_range(Order.paid_at, paid_start, paid_end))
    text_ = filters.search_text()
    if text_:
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
    column, descending = SORTS[sort]
    conditions = filter_conditions(filters, principal=principal)
    if after is not None:
        conditions.append(_keyset(sort, after))
    order_by = [column.desc(), Order.id.desc()] if descending else [column.asc(), Order.id.asc()]
    page = (
        select(Order.id)
        .where(*conditions)
        .order_by(*order_by)
        .limit(page_size)
        .offset(offset if after is None else 0)
        .subquery("page")
    )
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
        .join(page, page.c.id == Order.id)
        .join(Event, Event.id == Order.event_id)
        .order_by(*order_by)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    records = []
    for row in rows:
        record = dict(row)
        # The one balance rule (total - payments), in exact Decimals rather than SQL floats.
        paid = record["amount_paid"] + (record.pop("refunded") or 0)
        record["balance_due"] = balance_due(total=record["total_ttc"], paid=paid)
        records.append(record)
    return pd.DataFrame.from_records(records, columns=GRID_COLUMNS)


def summary_can_serve(filters: GridFilters) -> bool:
    """True when count and totals can come from `order_summary` (plus the range's edges)."""
    return (
        filters.order_number() is None
        and not filters.search_text()
        and not filters.discount_code
        and not filters.payment_states  # not a key of order_summary
        and not filters.follow_up_due
        and not filters.overdue
        and filters.paid_from is None
        and filters.paid_to is None
    )


TOTALS_COLUMNS = ["currency", "orders", "total_ht", "total_ttc"]


def grid_count_and_totals(engine: Engine, filters: GridFilters, *, principal: Actor) -> tuple[int, pd.DataFrame]:
    """The number of orders of the whole filtered set and, per currency, their count and totals
    HT / TTC (Decimal, exact). Never adds two currencies together. The principal's events only
    (the summary table is keyed by event, so its fast path filters them too)."""
    with engine.connect() as conn:
        if summary_can_serve(filters):
            parts = _totals_from_summary(conn, filters, principal)
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


def _totals_from_summary(conn: Connection, filters: GridFilters, principal: Actor) -> list[Any]:
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
    s = OrderSummary
    rows = conn.execute(
        select(s.currency, func.sum(s.orders), func.sum(s.total_ht_cents), func.sum(s.total_ttc_cents))
        .where(*filter_conditions(filters, principal=principal, on=OrderSummary))
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


def order_id_for_number(engine: Engine, number: int, *, principal: Actor) -> int | None:
    """The id of the order with that number (deleted or not), or None (also for an order of an
    event outside the principal's scope)."""
    with engine.connect() as conn:
        return conn.execute(
            select(Order.id).where(Order.number == number, event_condition(Order.event_id, principal))
        ).scalar()


def filter_choices(engine: Engine, *, principal: Actor) -> dict[str, list[Any]]:
    """What the filter widgets offer: the principal's events (id, name) and their discount codes."""
    with engine.connect() as conn:
        events = conn.execute(
            select(Event.id, Event.name)
            .where(event_condition(Event.id, principal))
            .order_by(Event.starts_at.desc(), Event.id)
        ).all()
        codes = (
            conn.execute(
                select(DiscountCode.code)
                .where(event_condition(DiscountCode.event_id, principal))
                .distinct()
                .order_by(DiscountCode.code)
            )
            .scalars()
            .all()
        )
    return {"events": [(int(i), n) for i, n in events], "codes": list(codes)}


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
]
