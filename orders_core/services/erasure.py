"""Issue 17: erase a buyer on request (administrators of every event, `personal.erase`).

`erase_buyer` replaces, in one transaction, the personal data of a buyer's orders (names, email,
phone, company, address, VAT number, custom-field answers; the address, names and phone in the
team's notes), of their holders (order items and attendees), and of the outbox emails of those
orders or to that address (recipient, name, body; a queued email is never sent), by a random
pseudonym (orders_core/erasure.py). Holders with that address in other buyers' orders are erased
too (those rows only). Wizard drafts of those orders, or naming the address, are deleted. The search text (`search_folded`) follows by the database's triggers.

What stays (legal retention, and the money's history): amounts, lines, statuses, payments,
refunds, issued invoices and credit notes (immutable documents, with their PDFs), and the order
history. The history is append-only: entries written before the erasure keep their values in
the database, and are shown redacted (`orders_core.erasure.redact_history`, used by the order
page). Each order gets a history entry "personal data erased" (the pseudonym, no old value) and
the erasure one audit entry (subject: the pseudonym, never the address; details: how many
orders, the reason).

Refused as a whole while one of the buyer's orders still awaits money (`erasure.owing_condition`),
naming the orders; refused for an address no order has."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from orders_core import audit, erasure, history
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.i18n import _, ngettext
from orders_core.models import Attendee, FieldValue, Order, OrderItem, OutboxEmail, WizardDraft
from orders_core.permissions import Actor
from orders_core.services.guards import clean_reason
from orders_core.status import OutboxStatus


@dataclass(frozen=True)
class ErasureResult:
    pseudonym: str
    order_numbers: tuple[int, ...]
    holders: int
    emails: int


def _scrub(text: str, olds: list[str], name: str) -> str:
    for old in olds:
        text = re.sub(re.escape(old), name, text, flags=re.IGNORECASE)
    return text


def erase_buyer(
    session: Session, *, actor: Actor, email: str, reason: str, now: datetime | None = None
) -> ErasureResult:
    """Erase the buyer with this email address (see the module's docstring)."""
    erasure.require_eraser(actor)
    now = now or datetime.now(UTC)
    address = erasure.normalized_email(email)
    if "@" not in address:
        raise InvalidInput(_("Type the buyer's email address."))
    why = clean_reason(reason, required=True)
    orders = list(
        session.scalars(select(Order).where(erasure.buyer_condition(address)).order_by(Order.id).with_for_update())
    )
    if not orders:
        raise InvalidInput(_("No order has this buyer email address."))
    owing = list(
        session.scalars(select(Order.number).where(erasure.buyer_condition(address), erasure.owing_condition()))
    )
    if owing:
        raise TransitionRefused(
            ngettext(
                "Order {numbers} still awaits payment: nothing was erased. Erase once it is paid or cancelled.",
                "Orders {numbers} still await payment: nothing was erased. Erase once they are paid or cancelled.",
                len(owing),
            ).format(numbers=", ".join(str(n) for n in sorted(owing)))
        )
    token = erasure.new_token()
    name, fake_email = erasure.pseudonym(token), erasure.pseudonym_email(token)
    ids = [order.id for order in orders]
    olds: set[str] = {address}
    for order in orders:
        olds.update(v for v in (order.buyer_first_name, order.buyer_last_name, order.buyer_phone) if v)
        if order.buyer_first_name and order.buyer_last_name:
            olds.add(f"{order.buyer_first_name} {order.buyer_last_name}")
        order.buyer_first_name, order.buyer_last_name = erasure.ERASED_FIRST_NAME, token
        order.buyer_email, order.buyer_phone, order.company_name = fake_email, "", ""
        order.billing_address, order.billing_postcode, order.billing_city, order.vat_number = "", "", "", ""
        order.updated_at, order.version = now, order.version + 1
    ordered = sorted(olds, key=len, reverse=True)  # the full name before its parts
    for order in orders:
        order.notes = _scrub(order.notes or "", ordered, name)
        order.follow_up_note = _scrub(order.follow_up_note or "", ordered, name)
        order.reminders_pause_note = _scrub(order.reminders_pause_note or "", ordered, name)
    why = _scrub(why, ordered, name)  # "as asked by jean@example.org" keeps no address
    holder_match = func.lower(func.trim(OrderItem.holder_email)) == address
    attendee_match = func.lower(func.trim(Attendee.email)) == address
    items = session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult has rowcount
        update(OrderItem)
        .where(or_(OrderItem.order_id.in_(ids), holder_match))
        .values(holder_first_name=erasure.ERASED_FIRST_NAME, holder_last_name=token, holder_email=fake_email)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(
        update(Attendee)
        .where(or_(Attendee.order_id.in_(ids), attendee_match))
        .values(first_name=erasure.ERASED_FIRST_NAME, last_name=token, email=fake_email)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(FieldValue)
        .where(FieldValue.order_id.in_(ids))
        .values(value="")
        .execution_options(synchronize_session=False)
    )
    # A wizard's draft of these orders (or of a new order naming the address) holds the old
    # values in its JSON: it goes (a modify draft is stale anyway, the order's version moved on).
    session.execute(
        delete(WizardDraft).where(
            or_(WizardDraft.order_id.in_(ids), func.lower(WizardDraft.state).contains(address, autoescape=True))
        )
    )
    emails = list(
        session.scalars(
            select(OutboxEmail).where(
                or_(OutboxEmail.order_id.in_(ids), func.lower(func.trim(OutboxEmail.recipient)) == address)
            )
        )
    )
    for message in emails:
        message.recipient, message.recipient_name = fake_email, name
        message.subject = _scrub(message.subject, ordered, name)
        message.body_text, message.body_html = erasure.ERASED_BODY, None
        message.to_render = None  # queued unrendered (issue 19): never rendered now
        if message.status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
            message.status, message.next_attempt_at = OutboxStatus.FAILED, None
            message.last_error, message.claimed_by = erasure.ERASED_BODY, None
    for order in orders:
        history.record(
            session,
            order_id=order.id,
            actor=actor,
            action=erasure.HISTORY_ACTION,
            details={"pseudonym": name},
            reason=why,
            at=now,
        )
    audit.record(
        session,
        actor=actor,
        action=audit.ERASURE,
        subject=name,
        details={"orders": len(orders), "reason": why},
        now=now,
    )
    session.flush()
    return ErasureResult(name, tuple(order.number for order in orders), items, len(emails))
