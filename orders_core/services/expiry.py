"""Expiry (issue 15, off by default, per event): an unpaid invoice order is cancelled once its
event's grace period past the due date is over (rules: orders_core.payment_terms). The worker's
job (orders_core/expiry.py) calls `expire_order` once per candidate, each in its own
transaction, as the `system` actor: the order goes through the cancel service (status, history
with the reason), and the buyer gets the `order_expired` email, all in that transaction.

Safe with several workers: the order row is locked with SKIP LOCKED on PostgreSQL (a worker
never waits for another's order; SQLite's unit of work already holds the write lock), and the
rule is checked again under the lock, so an order another worker has just cancelled, or one
paid meanwhile, is left alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.emails.outbox import queue_email
from orders_core.errors import InvalidInput
from orders_core.models import Event, Order, Payment
from orders_core.payment_terms import has_expired, local_day
from orders_core.permissions import Actor, require
from orders_core.services import guards
from orders_core.services.lifecycle import cancel_orders
from orders_core.status import EmailKind

# The event's `order_expired` template, else the global one, else the built-in text (queue_email).
EXPIRED_EMAIL = EmailKind.ORDER_EXPIRED.value


def expire_order(session: Session, *, actor: Actor, order_id: int, now: datetime | None = None) -> bool:
    """Cancel the order if it has expired at `now` (default: the current time); True when it
    was cancelled, False when it is not (or no longer) due to expire or another worker holds it.
    Never an order that has received a payment, even one refunded since."""
    require(actor, "orders.cancel")
    (order_id,) = guards.order_ids([order_id])
    now = now or datetime.now(UTC)
    order = session.scalars(
        select(Order).where(Order.id == order_id).with_for_update(skip_locked=True, of=Order)
    ).one_or_none()
    if order is None:  # held by another worker (or gone): that one decides
        return False
    if not actor.sees_event(order.event_id):  # another event's order is one that does not exist
        raise InvalidInput(scope.unknown_order_message(order_id))
    event = session.get_one(Event, order.event_id)
    today = local_day(now, event.timezone)
    received = session.scalar(select(exists().where(Payment.order_id == order.id, Payment.amount > 0)))
    if not has_expired(
        order.due_date,
        event.expire_after_days,
        today=today,
        status=order.status,
        payment_mode=order.payment_mode,
        deleted=order.deleted_at is not None,
        money_received=bool(received),
    ):
        return False
    assert order.due_date is not None  # has_expired checked it
    late = (today - order.due_date).days
    # Kept in the history as the cancellation's reason (history text is stored, not translated).
    reason = f"Expired: unpaid {late} days past the due date ({order.due_date.isoformat()}, {event.timezone})"
    result = cancel_orders(session, actor=actor, order_ids=[order.id], reason=reason)
    if not result.done:
        return False
    session.refresh(order)
    queue_email(session, order=order, kind=EXPIRED_EMAIL, now=now)
    return True
