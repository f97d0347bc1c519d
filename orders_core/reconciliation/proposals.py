"""What reconciliation proposes, read-only: the invoice orders still owed money and ranked
suggestions for each open bank transfer (the classifier stores the best one per line; the bulk
confirmation's dry run is bulk_plan.plan_decided). The services act on these; the read side (queries/) shows them, without
importing anything that writes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.models import BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.classes import may_pay_an_order
from orders_core.reconciliation.document_refs import document_mentions
from orders_core.reconciliation.matching import Matcher, OpenOrder, Suggestion, Transfer
from orders_core.scope import event_condition
from orders_core.status import OPEN_BANK_STATUSES

CENT = Decimal("0.01")


def _decimal(value: object) -> Decimal:
    """NUMERIC to the cent: PostgreSQL gives a Decimal; on SQLite the difference is computed
    in floating point (SQLAlchemy then gives a Decimal with ten places)."""
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


def open_orders(session: Session, currencies: set[str], *, principal: Actor) -> list[OpenOrder]:
    """Invoice orders still owed money: awaiting payment, not deleted, balance due > 0, of the
    principal's events (issue 17; the classifier asks as the system: every event). One query
    with only the columns the matcher uses (100,000 orders: well under a second)."""
    rows = session.execute(
        select(
            Order.id,
            Order.number,
            Order.currency,
            (Order.total_ttc - Order.amount_paid).label("balance_due"),
            Order.created_at,
            Order.buyer_first_name,
            Order.buyer_last_name,
            Order.company_name,
            Order.event_id,
        ).where(
            event_condition(Order.event_id, principal),
            Order.status == "awaiting_payment",
            Order.deleted_at.is_(None),
            Order.currency.in_(sorted(currencies)),
            Order.total_ttc > Order.amount_paid,
        )
    )
    return [
        OpenOrder(
            order_id,
            number,
            currency,
            _decimal(balance),
            created_at.date(),
            f"{first} {last}".strip(),
            company or "",
            event_id,
        )
        for order_id, number, currency, balance, created_at, first, last, company, event_id in rows
    ]


def suggestions(
    session: Session, transactions: list[BankTransaction], *, principal: Actor
) -> dict[int, list[Suggestion]]:
    """Ranked suggestions for each open transaction (unmatched, or partially allocated) that may
    pay an order: outgoing (debit) and zero-amount lines are left out, never proposed. Only the
    principal's events' orders are candidates (issue 17, in SQL)."""
    transactions = [
        t
        for t in transactions
        if t.status in OPEN_BANK_STATUSES
        and may_pay_an_order(t.direction, Decimal(str(t.amount)), Decimal(str(t.allocated)))
    ]
    if not transactions:
        return {}
    documents = document_mentions(session, (t.reference for t in transactions))
    with _collector_paused():
        matcher = Matcher(open_orders(session, {t.currency for t in transactions}, principal=principal))
        return {
            t.id: matcher.suggest(
                Transfer(
                    t.id,
                    t.booked_on,
                    Decimal(str(t.amount)) - Decimal(str(t.allocated)),
                    t.currency,
                    t.payer,
                    t.reference,
                    tuple(documents.get(t.reference, ())),
                )
            )
            for t in transactions
        }


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Ranking 50,000 lines allocates millions of short-lived objects next to 100,000 long-lived
    ones, and the cycle collector's full passes over those cost a quarter of the CPU time; the
    matcher makes no reference cycles, so the collector waits until the ranking is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
