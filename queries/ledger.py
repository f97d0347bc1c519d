"""One order's ledger for its Payments tab (issue 20): every payment and refund, oldest first,
with the running amount kept (payments - refunds) after each. Read-only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, literal, select, union_all
from sqlalchemy.orm import Session

from orders_core.emails.choices import REFUND_TEMPLATE_KINDS, list_templates
from orders_core.models import Order, Payment, Refund
from orders_core.permissions import Actor
from orders_core.scope import event_condition, mask_value, order_condition

COLUMNS = ["kind", "at", "method", "amount", "currency", "reference", "recorded_by", "reason", "balance"]


def _exact(value: object) -> Decimal:
    # SQLite hands NUMERIC back through floats: a 2-place string is exact at this scale.
    if isinstance(value, float):
        return Decimal(f"{value:.2f}")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def order_ledger(engine: Engine, order_id: int, *, principal: Actor) -> pd.DataFrame:
    """kind ('payment' | 'refund'), at, method, signed amount, currency, reference, recorded_by,
    reason (refunds), balance (amount kept after this row). No row for an order of an event
    outside the principal's scope."""
    payments = select(
        literal("payment").label("kind"),
        Payment.received_at.label("at"),
        Payment.method,
        Payment.amount,
        Payment.currency,
        Payment.reference,
        Payment.recorded_by,
        literal("").label("reason"),
        Payment.id.label("row_id"),
    ).where(Payment.order_id == order_id, order_condition(Payment.order_id, principal))
    refunds = select(
        literal("refund").label("kind"),
        Refund.refunded_at.label("at"),
        Refund.method,
        Refund.amount,
        Refund.currency,
        Refund.reference,
        Refund.recorded_by,
        Refund.reason,
        Refund.id.label("row_id"),
    ).where(Refund.order_id == order_id, order_condition(Refund.order_id, principal))
    ledger = union_all(payments, refunds).subquery()
    with engine.connect() as conn:
        rows = conn.execute(select(ledger).order_by(ledger.c.at, ledger.c.kind, ledger.c.row_id)).all()
    kept = Decimal("0.00")
    records = []
    for row in rows:
        amount = _exact(row.amount) * (1 if row.kind == "payment" else -1)
        kept += amount
        records.append(
            (row.kind, row.at, str(row.method), amount, row.currency, row.reference, row.recorded_by, row.reason, kept)
        )
    return pd.DataFrame(records, columns=COLUMNS)


def order_buyers(engine: Engine, order_ids: tuple[int, ...], *, principal: Actor) -> dict[int, str]:
    """order number -> its buyer ("First Last · Company"), for the orders of a selection (the
    bulk refund of the excess shows who each refund goes to). Read-only. The principal's events
    only; the buyer masked for a principal who may not see people."""
    if not order_ids:
        return {}
    query = select(Order.number, Order.buyer_first_name, Order.buyer_last_name, Order.company_name).where(
        Order.id.in_(order_ids), event_condition(Order.event_id, principal)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    buyers = {}
    for row in rows:
        name = f"{row.buyer_first_name} {row.buyer_last_name}".strip()
        buyers[int(row.number)] = mask_value(
            " · ".join(part for part in (name, row.company_name or "") if part), principal
        )
    return buyers


def refund_templates(engine: Engine, event_id: int, *, principal: Actor) -> list[dict[str, Any]]:
    """The templates the refund email may use besides its built-in text (REFUND_TEMPLATE_KINDS):
    refund templates, then "order changed" ones, each the event's first, then the global ones:
    id, name, language, kind. An event outside the principal's scope has none of its own (the
    global ones only, as for an event that does not exist)."""
    scoped_event = event_id if principal.sees_event(event_id) else None
    with Session(engine) as session:
        return [
            {"id": t.id, "name": t.name, "language": t.language, "kind": kind}
            for kind in REFUND_TEMPLATE_KINDS
            for t in list_templates(session, scoped_event, kind)
        ]
