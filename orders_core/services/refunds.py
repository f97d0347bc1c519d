"""Refunds (issue 20): money given back to a buyer is a row of the ledger (`refunds`), never an
edit of a payment. Finance and admin record them; the amount is never more than what the order
has kept (payments - refunds); a reason is required. Optionally the order is cancelled at the
same time (its attendees are marked cancelled, never deleted) and an email is queued.

    with unit_of_work(engine) as session:
        outcome = record_refund(session, actor=finance, order_id=42, amount="20.00",
                                method="bank_transfer", refunded_at=date(2026, 11, 20),
                                reason="Overpaid by transfer", reference="VIR-R 12")

One transaction, all or nothing: the order is locked, the refund inserted, `amount_paid` and
`payment_state` recomputed from the ledger, one history entry with the old and new balance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, insert, update
from sqlalchemy.orm import Session

from orders_core import inputs
from orders_core.documents.automatic import after_cancelled
from orders_core.emails.choices import REFUND_TEMPLATE_KINDS
from orders_core.emails.outbox import queue_email
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import change, record
from orders_core.i18n import _, format_money
from orders_core.models import Attendee, EmailTemplate, Order, Refund
from orders_core.payment_state import PaymentState, payment_state
from orders_core.permissions import Actor, require
from orders_core.seating import release_seats
from orders_core.services import guards
from orders_core.services.ledger import clean_amount, ledger_sums
from orders_core.services.tickets import void_cancelled
from orders_core.status import OFFLINE_METHODS, EmailKind, Status

# The refund email, of kind `refund`: the template chosen in the refund form (a refund or "order
# changed" template of the event or global: REFUND_TEMPLATE_KINDS), else, like every email, the
# event's refund template, else the global one, else the built-in text (orders_core/emails/
# defaults.py, EN and FR, with the amount, method and date): queue_email's one fallback.
REFUND_EMAIL_KIND = EmailKind.REFUND.value


@dataclass(frozen=True)
class RefundOutcome:
    order_id: int
    number: int
    currency: str
    amount: Decimal
    amount_paid: Decimal  # kept after the refund (payments - refunds)
    balance_due: Decimal  # negative: still owed back to the buyer
    payment_state: PaymentState
    cancelled: bool
    email_queued: bool


def record_refund(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    amount: Decimal | str,
    method: str,
    refunded_at: date | datetime,
    reason: str,
    reference: str | None = None,
    currency: str | None = None,
    cancel_order: bool = False,
    send_email: bool = False,
    template_id: int | None = None,
) -> RefundOutcome:
    """Record money given back for one order (see the module doc)."""
    require(actor, "orders.record_refund")
    now = datetime.now(UTC)
    amount = clean_amount(amount)
    method = guards.clean_method(method, allowed=OFFLINE_METHODS)
    refunded = guards.clean_received_at(refunded_at, now=now)
    reason = guards.clean_reason(reason, required=True)
    reference = inputs.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    ids = guards.order_ids([order_id])
    row = guards.lock_orders(session, ids, actor=actor)[ids[0]]
    template = refund_template(session, template_id, row.event_id) if send_email else None
    if row.deleted_at is not None:
        raise TransitionRefused(_("Order {number} is deleted: restore it first.").format(number=row.number))
    if currency is not None and currency.strip().upper() != row.currency:
        raise InvalidInput(
            _("Order {number} is in {order_currency}: a refund in {currency} cannot be recorded on it.").format(
                number=row.number, order_currency=row.currency, currency=currency.strip()[:3]
            )
        )
    paid, refunded_before = ledger_sums(session, [row.id])[row.id]
    kept = paid - refunded_before
    if paid <= 0:
        raise TransitionRefused(
            _("Order {number} has received no payment: there is nothing to refund.").format(number=row.number)
        )
    if amount > kept:
        raise InvalidInput(
            _("{amount} is more than order {number} has been paid ({kept}).").format(
                amount=format_money(amount, row.currency),
                number=row.number,
                kept=format_money(kept, row.currency),
            )
        )
    if cancel_order and row.status == Status.CANCELLED:
        raise TransitionRefused(_("Order {number} is already cancelled.").format(number=row.number))
    kept_after = kept - amount
    status_after = Status.CANCELLED.value if cancel_order else row.status
    state = payment_state(total=row.total_ttc, paid=paid, refunded=refunded_before + amount, status=status_after)
    session.execute(
        insert(cast(Table, Refund.__table__)),
        [
            dict(
                order_id=row.id,
                amount=amount,
                currency=row.currency,
                method=method,
                reference=reference,
                refunded_at=refunded,
                reason=reason,
                recorded_by=actor.email,
                created_at=now,
            )
        ],
    )
    values = dict(amount_paid=kept_after, payment_state=state.value, updated_at=now, version=Order.version + 1)
    if cancel_order:
        values["status"] = Status.CANCELLED.value
    session.execute(
        update(Order).where(Order.id == row.id).values(**values).execution_options(synchronize_session="fetch")
    )
    details = {
        "amount_paid": change(kept, kept_after),
        "balance_due": change(row.total_ttc - kept, row.total_ttc - kept_after),
        "payment_state": change(row.payment_state, state.value),
        "refund": {
            "method": method,
            "amount": str(amount),
            "currency": row.currency,
            "refunded_at": refunded.isoformat(),
            "reference": reference,
        },
    }
    if cancel_order:
        details["status"] = change(row.status, Status.CANCELLED.value)
        freed = release_seats(session, order_ids=[row.id])  # rule 17: its seats are for sale again
        if freed:
            details["seats"] = change(", ".join(freed), None)
        void_cancelled(session, actor=actor, order_ids=[row.id], now=now)  # issue 21
        session.execute(
            update(Attendee)
            .where(Attendee.order_id == row.id, Attendee.cancelled_at.is_(None))
            .values(cancelled_at=now)
            .execution_options(synchronize_session=False)
        )
    if send_email:
        details["refund_email"] = change(None, "queued")
    record(session, order_id=row.id, actor=actor, action="refunded", at=now, reason=reason, details=details)
    if cancel_order:  # a refund alone bills nothing less; a cancellation credits the invoice
        after_cancelled(session, [row.id], actor=actor, reason=reason, now=now)
    if send_email:
        order = session.get_one(Order, row.id)
        kind = template.kind if template is not None else REFUND_EMAIL_KIND
        queue_email(session, order=order, kind=kind, template_id=template.id if template else None, now=now)
    session.flush()
    return RefundOutcome(
        row.id,
        row.number,
        row.currency,
        amount,
        kept_after,
        row.total_ttc - kept_after,
        state,
        cancel_order,
        send_email,
    )


def refund_template(session: Session, template_id: int | None, event_id: int) -> EmailTemplate | None:
    """The template chosen for the refund email (None: the built-in refund text), refused unless
    it is a refund or "order changed" template of this event or a global one."""
    if template_id is None:
        return None
    wrong = _("Choose a refund or “order changed” email template of this event.")
    template = session.get(EmailTemplate, inputs.clean_id(template_id, missing=wrong))
    if template is None or template.kind not in REFUND_TEMPLATE_KINDS or template.event_id not in (None, event_id):
        raise InvalidInput(wrong)
    return template


@dataclass
class ExcessRefunds:
    """What "refund the excess of every overpaid order" did (or, for a dry run, would do)."""

    dry_run: bool
    refunded: list[RefundOutcome | tuple[int, Decimal, str]]  # outcomes; (number, excess, currency) in a dry run
    skipped: list[int]  # numbers of the selected orders that are not overpaid
    why_skipped: dict[int, str] = field(default_factory=dict)  # number -> why (translated)

    @property
    def amounts(self) -> dict[str, Decimal]:
        """Per currency, never added across."""
        totals: dict[str, Decimal] = {}
        for item in self.refunded:
            number_amount_currency = (
                (item.number, item.amount, item.currency) if isinstance(item, RefundOutcome) else item
            )
            _n, amount, currency = number_amount_currency
            totals[currency] = totals.get(currency, Decimal("0.00")) + amount
        return dict(sorted(totals.items()))


def _why_skipped(row: guards.OrderRow) -> str | None:
    """Why the excess of this locked order is not refunded (None: it is overpaid)."""
    if row.deleted_at is not None:
        return _("Order {number} is deleted: restore it first.").format(number=row.number)
    if row.refund_due <= 0:
        return _("Order {number} is not overpaid: it holds nothing beyond its total.").format(number=row.number)
    return None


def refund_excess(
    session: Session,
    *,
    actor: Actor,
    order_ids: list[int],
    method: str,
    refunded_at: date | datetime,
    reason: str | None,
    reference: str | None = None,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExcessRefunds:
    """For each overpaid order of the selection, refund what it holds beyond its total (one
    refund row each, through `record_refund`, with the same method, date, reference and reason);
    the others are listed as skipped, with why. All or nothing: the unit is the caller's
    transaction (one user action). `dry_run=True` lists the excesses without writing or locking
    anything; it is the one call where the reason may still be empty (the user reads the dry run
    before writing it). `on_progress(done, total)` is called after each refund recorded."""
    require(actor, "orders.record_refund")
    method = guards.clean_method(method, allowed=OFFLINE_METHODS)  # bad input is refused up front
    guards.clean_received_at(refunded_at, now=datetime.now(UTC))
    reason = guards.clean_reason(reason, required=not dry_run) or ""
    reference = inputs.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    ids = guards.order_ids(order_ids)
    rows = guards.lock_orders(session, ids, actor=actor, lock=not dry_run, bulk=True)
    result = ExcessRefunds(dry_run, [], [])
    overpaid = []
    for order_id in ids:
        row = rows[order_id]
        why = _why_skipped(row)
        if why is not None:
            result.skipped.append(row.number)
            result.why_skipped[row.number] = why
        elif dry_run:
            result.refunded.append((row.number, row.refund_due, row.currency))
        else:
            overpaid.append(row)
    for done, row in enumerate(overpaid, start=1):
        outcome = record_refund(
            session,
            actor=actor,
            order_id=row.id,
            amount=row.refund_due,
            method=method,
            refunded_at=refunded_at,
            reason=reason,
            reference=reference,
            currency=row.currency,
        )
        result.refunded.append(outcome)
        if on_progress is not None:
            on_progress(done, len(overpaid))
    return result
