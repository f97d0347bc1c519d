"""Read side of the catalogue (issue 7): events, tariffs with sold / awaiting / remaining units,
discount codes with uses and revenue given away, the catalogue log; and the sellable tariffs the
order wizard offers.

Scope (issue 17): every function takes the principal and reads only their events; an event
outside the scope reads like one that does not exist (no row, no tariff, no code)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from orders_core.i18n import as_utc
from orders_core.models import (
    CatalogueHistory,
    DiscountCode,
    DiscountCodeTariff,
    Event,
    Order,
    OrderLine,
    Tariff,
)
from orders_core.permissions import Actor
from orders_core.scope import event_condition
from orders_core.status import AWAITING_STATUSES, NOT_A_USE, SOLD_STATUSES
from queries.sql import money_sum

EVENT_COLUMNS = [
    "id",
    "name",
    "starts_at",
    "ends_at",
    "timezone",
    "currency",
    "language",
    "seated",
    "community",
    "bank_details",
    "venue",
    "payment_terms_days",
    "payment_due_days_before_event",
    "expire_after_days",
    "archived_at",
    "tariffs",
    "orders",
]
TARIFF_COLUMNS = [
    "id",
    "event_id",
    "kind",
    "name",
    "name_fr",
    "unit_price_ht",
    "tax_rate",
    "currency",
    "capacity",
    "sales_start",
    "sales_end",
    "active",
    "sold",
    "awaiting",
    "remaining",
    "order_lines",
]
CODE_COLUMNS = [
    "id",
    "event_id",
    "code",
    "percent_off",
    "amount_off",
    "max_uses",
    "valid_from",
    "valid_until",
    "active",
    "tariff_ids",
    "uses",
    "paid_uses",
    "given_away",
]
HISTORY_COLUMNS = ["id", "at", "actor", "entity", "entity_id", "event_id", "action", "details", "reason"]


def _utc(value: object) -> object:
    return as_utc(value) if isinstance(value, datetime) else value


def _frame(rows: Iterable[Any], columns: list[str], times: Iterable[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame([dict(row._mapping) if hasattr(row, "_mapping") else row for row in rows], columns=columns)
    for column in times:  # SQLite's naive datetimes are UTC; keep Python datetimes (display only)
        frame[column] = pd.Series([_utc(v) for v in frame[column]], index=frame.index, dtype=object)
    return frame


def events_list(engine: Engine, *, principal: Actor, include_archived: bool = False) -> pd.DataFrame:
    """The principal's events by start date, with their number of tariffs and orders (not deleted)."""
    tariffs = select(func.count()).where(Tariff.event_id == Event.id).scalar_subquery()
    orders = select(func.count()).where(Order.event_id == Event.id, Order.deleted_at.is_(None)).scalar_subquery()
    query = (
        select(
            Event.id,
            Event.name,
            Event.starts_at,
            Event.ends_at,
            Event.timezone,
            Event.currency,
            Event.language,
            Event.seated,
            Event.community,
            Event.bank_details,
            Event.venue,
            Event.payment_terms_days,
            Event.payment_due_days_before_event,
            Event.expire_after_days,
            Event.archived_at,
            tariffs.label("tariffs"),
            orders.label("orders"),
        )
        .where(event_condition(Event.id, principal))
        .order_by(Event.starts_at, Event.id)
    )
    if not include_archived:
        query = query.where(Event.archived_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = _frame(rows, EVENT_COLUMNS, ("starts_at", "ends_at", "archived_at"))
    for column in ("payment_terms_days", "payment_due_days_before_event", "expire_after_days"):
        # Whole days or None (a rule that is off), never pandas' float NaN.
        frame[column] = pd.Series(
            [None if pd.isna(v) else int(v) for v in frame[column]], index=frame.index, dtype=object
        )
    return frame


def event_row(engine: Engine, event_id: int, *, principal: Actor) -> dict[str, Any] | None:
    """One event's fields as a plain dict (for the edit form), or None (also outside the scope)."""
    frame = events_list(engine, principal=principal, include_archived=True)
    match = frame[frame["id"] == event_id]
    return None if match.empty else {str(k): v for k, v in match.iloc[0].to_dict().items()}


def tariffs_of_event(engine: Engine, event_id: int, *, principal: Actor) -> pd.DataFrame:
    """The event's tariffs with sold (paid) units, units awaiting payment, remaining capacity
    (capacity - sold - awaiting; None when unlimited) and how many order lines use them. No row
    for an event outside the principal's scope."""
    held = (
        select(
            OrderLine.tariff_id,
            func.sum(case((Order.status.in_(SOLD_STATUSES), OrderLine.quantity), else_=0)).label("sold"),
            func.sum(case((Order.status.in_(AWAITING_STATUSES), OrderLine.quantity), else_=0)).label("awaiting"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.event_id == event_id, Order.deleted_at.is_(None))
        .group_by(OrderLine.tariff_id)
        .subquery()
    )
    lines = select(OrderLine.tariff_id, func.count().label("n")).group_by(OrderLine.tariff_id).subquery()
    query = (
        select(
            Tariff.id,
            Tariff.event_id,
            Tariff.kind,
            Tariff.name,
            Tariff.name_fr,
            Tariff.unit_price_ht,
            Tariff.tax_rate,
            Tariff.currency,
            Tariff.capacity,
            Tariff.sales_start,
            Tariff.sales_end,
            Tariff.active,
            func.coalesce(held.c.sold, 0).label("sold"),
            func.coalesce(held.c.awaiting, 0).label("awaiting"),
            func.coalesce(lines.c.n, 0).label("order_lines"),
        )
        .outerjoin(held, held.c.tariff_id == Tariff.id)
        .outerjoin(lines, lines.c.tariff_id == Tariff.id)
        .where(Tariff.event_id == event_id, event_condition(Tariff.event_id, principal))
        .order_by(Tariff.id)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["sold"], row["awaiting"], row["order_lines"] = (
            int(row["sold"]),
            int(row["awaiting"]),
            int(row["order_lines"]),
        )
        row["unit_price_ht"] = Decimal(str(row["unit_price_ht"])).quantize(Decimal("0.01"))
        row["tax_rate"] = Decimal(str(row["tax_rate"])).quantize(Decimal("0.001"))
        row["remaining"] = None if row["capacity"] is None else row["capacity"] - row["sold"] - row["awaiting"]
    frame = _frame(rows, TARIFF_COLUMNS, ("sales_start", "sales_end"))
    # Nullable integers: an unlimited tariff has <NA> capacity and remaining, not a float NaN.
    return frame.astype({"capacity": "Int64", "remaining": "Int64"})


def sellable_tariffs(engine: Engine, event_id: int, at: datetime | None = None, *, principal: Actor) -> pd.DataFrame:
    """What the order wizard may sell at `at` (default now): ACTIVE tariffs of the event whose
    sales window contains `at`, with remaining capacity (unlimited, or more than zero units).
    Same columns as `tariffs_of_event`."""
    at = as_utc(at) if at else datetime.now(UTC)
    frame = tariffs_of_event(engine, event_id, principal=principal)
    if frame.empty:
        return frame
    keep = [
        bool(active)
        and (start is None or pd.isna(start) or start <= at)
        and (end is None or pd.isna(end) or at < end)
        and (remaining is None or pd.isna(remaining) or remaining > 0)
        for active, start, end, remaining in zip(
            frame["active"], frame["sales_start"], frame["sales_end"], frame["remaining"]
        )
    ]
    return frame[keep].reset_index(drop=True)


def discount_codes_of_event(engine: Engine, event_id: int, *, principal: Actor) -> pd.DataFrame:
    """The event's codes with `uses` (orders with the code, not deleted, cancelled or failed),
    `paid_uses`, their applicable `tariff_ids` (empty = all) and `given_away`: {currency: Decimal},
    the sum of the discount amounts of the paid orders' lines, exact and per currency. No row for an
    event outside the principal's scope."""
    of_event = (DiscountCode.event_id == event_id, event_condition(DiscountCode.event_id, principal))
    code_match = and_(
        Order.event_id == DiscountCode.event_id,
        func.upper(Order.discount_code) == DiscountCode.code,
        Order.deleted_at.is_(None),
    )
    uses = (
        select(
            DiscountCode.id.label("code_id"),
            func.count(Order.id).label("uses"),
            func.sum(case((Order.status.in_(SOLD_STATUSES), 1), else_=0)).label("paid_uses"),
        )
        .join(Order, code_match)
        .where(*of_event, Order.status.notin_(NOT_A_USE))
        .group_by(DiscountCode.id)
    )
    given = (
        select(DiscountCode.id, Order.currency, money_sum(OrderLine.discount_amount))
        .join(Order, code_match)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(*of_event, Order.status.in_(SOLD_STATUSES))
        .group_by(DiscountCode.id, Order.currency)
    )
    codes = select(DiscountCode).where(*of_event).order_by(DiscountCode.code)
    links = (
        select(DiscountCodeTariff.discount_code_id, DiscountCodeTariff.tariff_id)
        .join(DiscountCode, DiscountCode.id == DiscountCodeTariff.discount_code_id)
        .where(*of_event)
    )
    with engine.connect() as conn:
        use_counts = {r.code_id: (int(r.uses), int(r.paid_uses or 0)) for r in conn.execute(uses)}
        given_away: dict[int, dict[str, Decimal]] = {}
        for code_id, currency, amount in conn.execute(given):
            given_away.setdefault(code_id, {})[currency] = amount or Decimal("0.00")
        tariff_ids: dict[int, list[int]] = {}
        for code_id, tariff_id in conn.execute(links):
            tariff_ids.setdefault(code_id, []).append(tariff_id)
        rows = []
        for code in conn.execute(codes):
            row = dict(code._mapping)
            for money in ("percent_off", "amount_off"):
                if row[money] is not None:
                    row[money] = Decimal(str(row[money])).quantize(Decimal("0.01"))
            row["tariff_ids"] = sorted(tariff_ids.get(row["id"], []))
            row["uses"], row["paid_uses"] = use_counts.get(row["id"], (0, 0))
            row["given_away"] = given_away.get(row["id"], {})
            rows.append(row)
    return _frame(rows, CODE_COLUMNS, ("valid_from", "valid_until"))


def catalogue_history(
    engine: Engine, *, principal: Actor, event_id: int | None = None, limit: int = 500
) -> pd.DataFrame:
    """The catalogue log, newest first (of one event and its tariffs and codes, or of everything
    the principal may see: their events'; the entries of no event, such as the seller settings,
    only for a principal of every event)."""
    query = (
        select(CatalogueHistory)
        .where(event_condition(CatalogueHistory.event_id, principal))
        .order_by(CatalogueHistory.at.desc(), CatalogueHistory.id.desc())
        .limit(limit)
    )
    if event_id is not None:
        query = query.where(or_(CatalogueHistory.event_id == event_id))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return _frame(rows, HISTORY_COLUMNS, ("at",))
