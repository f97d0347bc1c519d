"""An order's payment state, derived from its ledger (domain rule 12, issue 20). Pure: no I/O.

`orders.payment_state` holds it; the ledger service recomputes it with every payment or refund,
from the sums of the `payments` and `refunds` rows (never from an edited amount):

| state                | when                                                            |
|----------------------|-----------------------------------------------------------------|
| `unpaid`             | no money received (and something is owed, or the order is not paid) |
| `partially_paid`     | payments short of the total: a balance is due (total - payments) |
| `paid`               | the money kept covers the total exactly (a free paid order too) |
| `overpaid`           | more money kept than the total: a refund is due (kept - total)  |
| `partially_refunded` | money went back, some is kept, less than the total              |
| `refunded`           | money went back and nothing is kept                             |

The balance rule, here and nowhere else (`balance_due`, `refund_due`): what the buyer owes is
the total less the sum of the *payments*, never less the refunds, so money handed back on
purpose (a goodwill refund) is not a balance due; what is owed back to the buyer is the amount
kept (payments - refunds) beyond the total (an overpayment, tickets cancelled). A cancelled
order owes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from orders_core.i18n import N_

ZERO = Decimal("0.00")


class PaymentState(StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


PAYMENT_STATE_LABELS: dict[PaymentState, str] = {
    PaymentState.UNPAID: N_("Not paid"),
    PaymentState.PARTIALLY_PAID: N_("Partially paid"),
    PaymentState.PAID: N_("Paid"),
    PaymentState.OVERPAID: N_("Overpaid"),
    PaymentState.PARTIALLY_REFUNDED: N_("Partially refunded"),
    PaymentState.REFUNDED: N_("Refunded"),
}


def balance_due(*, total: Decimal, paid: Decimal) -> Decimal:
    """What the buyer still owes: the total less the sum of the payments `paid` (refunds never
    create a balance due), zero when covered."""
    return max(total - paid, ZERO)


def refund_due(*, total: Decimal, kept: Decimal) -> Decimal:
    """What is owed back to the buyer: the amount kept (payments - refunds) beyond the total."""
    return max(kept - total, ZERO)


def payment_state(*, total: Decimal, paid: Decimal, refunded: Decimal, status: str) -> PaymentState:
    """The state of an order whose payments sum to `paid` and refunds to `refunded`."""
    kept = paid - refunded
    if kept > total:
        return PaymentState.OVERPAID
    owes = paid > 0 and balance_due(total=total, paid=paid) > 0 and status != "cancelled"
    if refunded > 0 and not owes:
        if kept <= 0:
            return PaymentState.REFUNDED
        return PaymentState.PAID if kept == total else PaymentState.PARTIALLY_REFUNDED
    if kept == total and (total > 0 or status == "paid"):
        return PaymentState.PAID
    return PaymentState.PARTIALLY_PAID if paid > 0 else PaymentState.UNPAID


def state_sql(total: str, paid: str, refunded: str, status: str) -> str:
    """The same derivation as a SQL CASE over four SQL expressions (for backfills and checks)."""
    kept = f"(({paid}) - ({refunded}))"
    refunded_only = f"({refunded}) > 0 AND NOT (({paid}) > 0 AND ({paid}) < ({total}) AND ({status}) <> 'cancelled')"
    return (
        f"CASE WHEN {kept} > ({total}) THEN 'overpaid' "
        f"WHEN {refunded_only} AND {kept} <= 0 THEN 'refunded' "
        f"WHEN {refunded_only} AND {kept} = ({total}) THEN 'paid' "
        f"WHEN {refunded_only} THEN 'partially_refunded' "
        f"WHEN {kept} = ({total}) AND (({total}) > 0 OR ({status}) = 'paid') THEN 'paid' "
        f"WHEN ({paid}) > 0 THEN 'partially_paid' ELSE 'unpaid' END"
    )
