"""Recording an offline payment on an order (bank transfer, cheque, cash, card, other).

- An invoice order `awaiting_payment`: a partial payment is recorded and the order keeps
  waiting (`amount_paid < total_ttc`); the payment that brings the balance to zero goes through
  the validation path (services.validation.settle_orders): paid, attendees, history, email.
- A `paid` organiser order owing a balance after added tickets (domain rule 1's exception):
  the payment is recorded; when the balance reaches zero, holders without an attendee record
  become attendees.

Used by the order wizard and bank reconciliation as well as the detail page:

    with unit_of_work(engine) as session:
        outcome = record_payment(session, actor=actor, order_id=42, method="cheque",
                                 amount=Decimal("50.00"), received_at=date(2026, 11, 20), reference="CHQ 123")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import change, record
from orders_core.i18n import _, format_money
from orders_core.models import Order, Payment
from orders_core.permissions import Actor, require
from orders_core.services import guards
from orders_core.services.validation import register_attendees, settle_orders
from orders_core.status import Status


@dataclass(frozen=True)
class PaymentOutcome:
    order_number: int
    amount: Decimal
    currency: str
    balance_due: Decimal  # after this payment
    became_paid: bool  # the payment settled an awaiting order: it is now validated
    attendees_created: int


def _amount(value) -> Decimal:
    if isinstance(value, float):
        raise InvalidInput(_("Give the amount as text or a decimal number, not a float."))
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("“{value}” is not an amount.").format(value=str(value)[:50])) from None
    if not amount.is_finite():
        raise InvalidInput(_("“{value}” is not an amount.").format(value=str(value)[:50]))
    if amount <= 0:
        raise InvalidInput(_("The amount must be more than zero."))
    if amount >= guards.MAX_AMOUNT:
        raise InvalidInput(_("{field}: {value} is too large.").format(field=_("The amount"), value=str(value)[:50]))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("The amount has more than two decimals."))
    return amount.quantize(Decimal("0.01"))


def record_payment(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    method: str,
    amount: Decimal | str,
    received_at: date | datetime,
    reference: str | None = None,
) -> PaymentOutcome:
    """Record money received for an order (see module doc); refuses an amount above the balance."""
    require(actor, "orders.record_payment")
    now = datetime.now(UTC)
    method = guards.clean_method(method)
    amount = _amount(amount)
    received = guards.clean_received_at(received_at, now=now)
    reference = guards.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    ids = guards.order_ids([order_id])
    row = guards.lock_orders(session, ids)[ids[0]]
    if row.deleted_at is not None:
        raise TransitionRefused(_("Order {number} is deleted: restore it first.").format(number=row.number))
    owes_after_added_tickets = row.status == Status.PAID and row.balance > 0
    if row.status != Status.AWAITING_PAYMENT and not owes_after_added_tickets:
        raise TransitionRefused(
            _("Order {number} is “{status}” and owes nothing: no payment can be recorded.").format(
                number=row.number, status=guards.status_label(row.status)
            )
        )
    guards.require_payment(actor, row, method)
    if amount > row.balance:
        raise InvalidInput(
            _("{amount} is more than the balance due of order {number} ({balance}).").format(
                amount=format_money(amount, row.currency),
                number=row.number,
                balance=format_money(row.balance, row.currency),
            )
        )
    balance_after = row.balance - amount
    if row.status == Status.AWAITING_PAYMENT and balance_after == 0:
        # The last payment of an invoice order is its validation: same path, same guarantees.
        settled = settle_orders(
            session,
            actor=actor,
            rows=[row],
            method=method,
            received_at=received,
            reference=reference,
            action="validated",
            now=now,
        )[0]
        return PaymentOutcome(row.number, amount, row.currency, Decimal("0.00"), True, settled.attendees)
    session.execute(
        insert(Payment.__table__),
        [
            dict(
                order_id=row.id,
                method=method,
                amount=amount,
                currency=row.currency,
                received_at=received,
                reference=reference,
                recorded_by=actor.email,
                created_at=now,
                purpose="payment",
            )
        ],
    )
    session.execute(
        update(Order)
        .where(Order.id == row.id)
        .values(amount_paid=Order.amount_paid + amount, updated_at=now, version=Order.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    attendees = register_attendees(session, [row.id], only_missing=True) if balance_after == 0 else 0
    record(
        session,
        order_id=row.id,
        actor=actor,
        action="payment_recorded",
        at=now,
        details={
            "amount_paid": change(row.amount_paid, row.amount_paid + amount),
            "payment": {
                "method": method,
                "amount": str(amount),
                "currency": row.currency,
                "received_at": received.isoformat(),
                "reference": reference,
            },
            "attendees_created": attendees,
        },
    )
    return PaymentOutcome(row.number, amount, row.currency, balance_after, False, attendees)
