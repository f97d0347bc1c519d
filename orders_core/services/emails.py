"""Emails on request: resend an order's confirmation or tickets, and retry a failed email.
Each queues in the caller's transaction; the sender (`orders outbox send`) delivers later."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.emails.labels import EMAIL_STATUS_LABELS, may_retry
from orders_core.emails.outbox import queue_email
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import record
from orders_core.i18n import _
from orders_core.inputs import clean_id, clean_ids
from orders_core.models import EmailTemplate, Order, OrderItem, OutboxEmail
from orders_core.permissions import Actor, require
from orders_core.services.guards import lock_by_id
from orders_core.status import NOT_CONFIRMABLE, OutboxStatus


def _order(session: Session, order_id: int, actor: Actor) -> Order:
    order_id = clean_id(order_id, missing=_("This order does not exist."))
    order = session.scalars(select(Order).where(Order.id == order_id).with_for_update()).one_or_none()
    if order is None or not scope.sees_row(actor, order.event_id):
        raise InvalidInput(_("This order does not exist."))
    if order.deleted_at is not None:
        raise TransitionRefused(
            _("Order {number} is deleted: restore it before sending it emails.").format(number=order.number)
        )
    if not (order.buyer_email or "").strip():
        raise InvalidInput(_("Order {number} has no buyer email.").format(number=order.number))
    return order


def _resend(session: Session, *, actor: Actor, order: Order, kind: str, template_id: int | None) -> OutboxEmail:
    if template_id is not None:
        missing = _("This email template does not exist (any more).")
        template_id = clean_id(template_id, missing=missing)
        template = session.get(EmailTemplate, template_id)
        # The order's event's template or a shared one: another event's is one that does not exist.
        if template is None or template.event_id not in (None, order.event_id):
            raise InvalidInput(missing)
    email = queue_email(session, order=order, kind=kind, template_id=template_id)
    record(
        session,
        order_id=order.id,
        actor=actor,
        action="email_resent",
        details={"kind": kind, "email_id": email.id, "recipient": email.recipient},
    )
    return email


def resend_confirmation(
    session: Session, *, actor: Actor, order_id: int, template_id: int | None = None
) -> OutboxEmail:
    """Queue the order confirmation again, to the buyer."""
    require(actor, "emails.resend")
    order = _order(session, order_id, actor)
    if order.status in NOT_CONFIRMABLE:
        raise TransitionRefused(
            _("Order {number} is not confirmed (its status does not allow a confirmation).").format(number=order.number)
        )
    return _resend(session, actor=actor, order=order, kind="order_confirmation", template_id=template_id)


def resend_tickets(session: Session, *, actor: Actor, order_id: int, template_id: int | None = None) -> OutboxEmail:
    """Queue the tickets again, to the buyer; only a paid order has tickets."""
    require(actor, "emails.resend")
    order = _order(session, order_id, actor)
    if order.status != "paid":
        raise TransitionRefused(
            _("Order {number} is not paid: it has no tickets to send yet.").format(number=order.number)
        )
    if not session.scalar(select(func.count()).select_from(OrderItem).where(OrderItem.order_id == order.id)):
        raise InvalidInput(_("Order {number} has no badge or ticket.").format(number=order.number))
    return _resend(session, actor=actor, order=order, kind="tickets", template_id=template_id)


def retry_email(session: Session, *, actor: Actor, email_id: int, now: datetime | None = None) -> OutboxEmail:
    """Put a failed email back in the queue, due at once, with a fresh set of attempts and a fresh
    retry window; it keeps its Message-ID."""
    require(actor, "emails.outbox")
    email = lock_by_id(session, OutboxEmail, email_id, _("This email does not exist."), actor=actor)
    if not may_retry(email.status):
        raise TransitionRefused(
            _("Only a failed email can be retried (this one is {status}).").format(
                status=_(EMAIL_STATUS_LABELS.get(email.status, email.status))
            )
        )
    email.status = OutboxStatus.QUEUED
    email.attempts = 0
    email.first_failed_at = None
    email.next_attempt_at = now or datetime.now(UTC)
    session.flush()
    return email


def retry_emails(session: Session, *, actor: Actor, email_ids: list[int], now: datetime | None = None) -> int:
    """Retry several failed emails at once (all or nothing); returns how many were queued."""
    require(actor, "emails.outbox")
    for email_id in clean_ids(email_ids, what=_("an email id")):
        retry_email(session, actor=actor, email_id=email_id, now=now)
    return len(email_ids)
