"""One order's ledger for its Payments tab (issue 20): every payment and refund, oldest first,
with the running amount kept (payments - refunds) after each. Read-only."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, literal, select, union_all

from orders_core.models import Payment, Refund

COLUMNS = ["kind", "at", "method", "amount", "currency", "reference", "recorded_by", "reason", "balance"]


def _exact(value: object) -> Decimal:
    # SQLite hands NUMERIC back through floats: a 2-place string is exact at this scale.
    if isinstance(value, float):
        return Decimal(f"{value:.2f}")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def order_ledger(engine: Engine, order_id: int) -> pd.DataFrame:
    """kind ('payment' | 'refund'), at, method, signed amount, currency, reference, recorded_by,
    reason (refunds), balance (amount kept after this row)."""
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
    ).where(Payment.order_id == order_id)
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
    ).where(Refund.order_id == order_id)
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
