"""Read side of the order lifecycle: orders waiting for their money (finance's list) and the few
facts the action menus need about one order.

Finance waits for two kinds of money (issue 20): invoice orders awaiting payment, and orders that
owe a balance (payment state `partially_paid`: a paid organiser order after added tickets, or a
part payment). A cancelled order is never chased for money (what it kept is owed back). The
balance due is the one rule of orders_core.payment_state: total - payments (a refund never
creates one)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from orders_core.i18n import as_utc
from orders_core.models import Event, Order, Refund
from orders_core.payment_state import PaymentState, balance_due
from orders_core.permissions import Actor
from orders_core.scope import event_condition, mask_value, personal
from orders_core.status import PaymentMode, Status
from queries.sql import money_sum, refunded_sum

PENDING_COLUMNS = [
    "id",
    "number",
    "event_name",
    "buyer",
    "company_name",
    "buyer_email",
    "currency",
    "total_ttc",
    "amount_paid",
    "balance_due",
    "created_at",
    "age_days",
    "event_timezone",
    "status",
    "payment_state",
    "due_date",
]


def awaiting_invoice() -> ColumnElement[bool]:
    """An invoice order awaiting its payment."""
    return and_(Order.status == Status.AWAITING_PAYMENT, Order.payment_mode == PaymentMode.INVOICE)


def owing_balance() -> ColumnElement[bool]:
    """An order, not cancelled, that has received part of its total and owes the rest (the
    predicate of the partial index `ix_orders_balance_due`)."""
    return and_(Order.payment_state == PaymentState.PARTIALLY_PAID, Order.status != Status.CANCELLED)


def receivable() -> ColumnElement[bool]:
    """An order finance waits money for: an invoice awaiting payment or a balance due."""
    return or_(awaiting_invoice(), owing_balance())


def _pending_filter(event_id: int | None, principal: Actor) -> list[ColumnElement[bool]]:
    conditions = [receivable(), Order.deleted_at.is_(None), event_condition(Order.event_id, principal)]
    if event_id is not None:
        conditions.append(Order.event_id == event_id)
    return conditions


def _money(value: float | Decimal | int | str) -> Decimal:
    return Decimal(f"{value:.2f}") if isinstance(value, float) else Decimal(value)


LISTED = 5_000  # the oldest orders the page lists; its totals count them all


def pending_invoice_orders(
    engine: Engine, event_id: int | None = None, limit: int = LISTED, *, principal: Actor
) -> pd.DataFrame:
    """Invoice orders awaiting payment and orders owing a balance, oldest first, with their age
    in days, balance due, status and payment state. Money columns hold Decimals (display only).
    The principal's events only; the buyer masked for a principal who may not see people."""
    query = (
        select(
            Order.id,
            Order.number,
            Event.name.label("event_name"),
            personal(Order.buyer_first_name, principal),
            personal(Order.buyer_last_name, principal),
            personal(Order.company_name, principal),
            personal(Order.buyer_email, principal),
            Order.currency,
            Order.total_ttc,
            Order.amount_paid,
            refunded_sum().label("refunded"),
            Order.created_at,
            Event.timezone.label("event_timezone"),
            Order.status,
            Order.payment_state,
            Order.due_date,
        )
        .join(Event, Event.id == Order.event_id)
        .where(*_pending_filter(event_id, principal))
        .order_by(Order.created_at, Order.id)
        .limit(limit)
    )
    now = datetime.now(UTC)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    records = []
    for row in rows:
        created = as_utc(row.created_at)
        total, paid = _money(row.total_ttc), _money(row.amount_paid)
        records.append(
            dict(
                id=row.id,
                number=row.number,
                event_name=row.event_name,
                buyer=mask_value(f"{row.buyer_first_name} {row.buyer_last_name}".strip(), principal),
                company_name=row.company_name,
                buyer_email=row.buyer_email,
                currency=row.currency,
                total_ttc=total,
                amount_paid=paid,
                balance_due=balance_due(total=total, paid=paid + _money(row.refunded or 0)),
                created_at=created,
                age_days=(now - created).days,
                event_timezone=row.event_timezone,
                status=str(row.status),
                payment_state=str(row.payment_state),
                due_date=row.due_date,
            )
        )
    return pd.DataFrame(records, columns=PENDING_COLUMNS)


def pending_totals(engine: Engine, event_id: int | None = None, *, principal: Actor) -> pd.DataFrame:
    """Per currency: how many orders wait and how much they still owe (never added across currencies)."""
    query = (
        select(
            Order.currency,
            func.count().label("orders"),
            money_sum(Order.total_ttc).label("total_ttc"),
            money_sum(Order.amount_paid).label("amount_paid"),
        )
        .where(*_pending_filter(event_id, principal))
        .group_by(Order.currency)
        .order_by(Order.currency)
    )
    # The refunds of the orders owing a balance (a few at most): their payments are kept + refunded.
    refunds = (
        select(Order.currency, money_sum(Refund.amount))
        .join(Refund, Refund.order_id == Order.id)
        .where(*_pending_filter(event_id, principal))
        .group_by(Order.currency)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        refunded: dict[str, Decimal] = {row[0]: row[1] for row in conn.execute(refunds)}
    return pd.DataFrame(
        [
            dict(
                currency=r.currency,
                orders=r.orders,
                balance_due=r.total_ttc - r.amount_paid - (refunded.get(r.currency) or 0),
            )
            for r in rows
        ],
        columns=["currency", "orders", "balance_due"],
    )


def pending_events(engine: Engine, *, principal: Actor) -> list[tuple[int, str]]:
    """The principal's events that have orders waiting for money, for the page's filter."""
    query = (
        select(Event.id, Event.name)
        .join(Order, Order.event_id == Event.id)
        .where(*_pending_filter(None, principal))
        .group_by(Event.id, Event.name)
        .order_by(Event.name)
    )
    with engine.connect() as conn:
        return [(r.id, r.name) for r in conn.execute(query)]
