"""E-ticket secrets (issue 21): a new holder gets a new ticket, and the secrets that no longer
admit are recorded in `ticket_voids` with why (the holder changed, the ticket was cancelled).

`change_holder` is one user action (one transaction); `void_tickets` is called by the services
that cancel tickets or orders, inside their own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, String, Table, exists, insert, literal, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.custom_fields import is_valid_email
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import change, record
from orders_core.i18n import _
from orders_core.inputs import clean_id, clean_text
from orders_core.models import Attendee, Order, OrderItem, TicketVoid
from orders_core.models.orders import new_ticket_secret
from orders_core.permissions import Actor, require
from orders_core.services import guards
from orders_core.status import Status

HOLDER_CHANGED = "holder_changed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class HolderChanged:
    """What `change_holder` did: the attendee, its order, the holder before and after."""

    attendee_id: int
    order_number: int | None
    old_holder: str
    new_holder: str


def void_tickets(
    session: Session,
    *,
    actor: Actor,
    reason: str,
    attendee_ids: Sequence[int] = (),
    order_ids: Sequence[int] = (),
    item_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> None:
    """Record the current secrets of these attendees (by id, by order, or by order item) as void,
    set-based (one INSERT ... SELECT per chunk of ids); a secret already void is left as it is."""
    moment = now or datetime.now(UTC)
    for column, ids in (
        (Attendee.id, attendee_ids),
        (Attendee.order_id, order_ids),
        (Attendee.order_item_id, item_ids),
    ):
        if not ids:
            continue
        for _part, condition in guards.id_chunks(session, cast(Any, column), list(ids)):
            # the callers locked their orders in scope; another event's ticket does not exist
            outside = select(Attendee.id).where(condition, ~scope.event_condition(Attendee.event_id, actor))
            if not actor.all_events and session.scalar(outside.limit(1)) is not None:
                raise InvalidInput(_("This attendee does not exist."))
            source = select(
                Attendee.id,
                Attendee.ticket_secret,
                literal(reason, String()),
                literal(moment, DateTime(timezone=True)),
                literal(actor.email[:254], String()),
            ).where(
                condition,
                Attendee.ticket_secret.is_not(None),
                ~exists().where(TicketVoid.secret == Attendee.ticket_secret),
            )
            session.execute(
                insert(cast(Table, TicketVoid.__table__)).from_select(
                    ["attendee_id", "secret", "reason", "voided_at", "voided_by"], source
                )
            )


def _clean_name(value: Any, label: str) -> str:
    return clean_text(str(value or ""), label=label, limit=100, required=True)


def change_holder(
    session: Session,
    *,
    actor: Actor,
    attendee_id: int,
    first_name: str,
    last_name: str,
    email: str | None = None,
) -> HolderChanged:
    """Give an attendee's ticket to another person: the attendee (and its order item) take the new
    name, the ticket a new secret, and the old secret is recorded as void (it no longer admits).
    `email` None keeps the holder's email; "" clears it."""
    require(actor, "orders.modify")
    attendee_id = clean_id(attendee_id, missing=_("This attendee does not exist."))
    first = _clean_name(first_name, _("The first name"))
    last = _clean_name(last_name, _("The last name"))
    # The order first, then its attendee: the order the cancellation services lock them in.
    order_id = session.scalar(select(Attendee.order_id).where(Attendee.id == attendee_id))
    order = None
    if order_id is not None:
        order = session.scalars(select(Order).where(Order.id == order_id).with_for_update()).one()
    attendee = session.scalars(select(Attendee).where(Attendee.id == attendee_id).with_for_update()).one_or_none()
    if attendee is None or not scope.sees_row(actor, attendee.event_id):
        raise InvalidInput(_("This attendee does not exist."))
    if order is not None:
        if order.deleted_at is not None:
            raise TransitionRefused(_("Order {number} is deleted: restore it first.").format(number=order.number))
        if order.status != Status.PAID:
            raise TransitionRefused(
                _("Order {number} is not paid: its tickets cannot change holder.").format(number=order.number)
            )
    if attendee.cancelled_at is not None:
        raise TransitionRefused(_("This ticket is cancelled: it cannot change holder."))
    new_email = attendee.email if email is None else clean_text(email, label=_("The email"), limit=254).lower()
    if new_email and not is_valid_email(new_email):
        raise InvalidInput(_("'{email}' is not a valid email address.").format(email=new_email))
    old_holder = f"{attendee.first_name} {attendee.last_name}".strip()
    new_holder = f"{first} {last}"
    if (first, last, new_email) == (attendee.first_name, attendee.last_name, attendee.email):
        raise InvalidInput(_("The holder is already {holder}: nothing to change.").format(holder=new_holder))
    now = datetime.now(UTC)
    void_tickets(session, actor=actor, reason=HOLDER_CHANGED, attendee_ids=[attendee.id], now=now)
    details: dict[str, Any] = {"holder": change(old_holder, new_holder), "attendee_id": attendee.id}
    if new_email != attendee.email:
        details["email"] = change(attendee.email or None, new_email or None)
    attendee.first_name, attendee.last_name, attendee.email = first, last, new_email
    attendee.ticket_secret = new_ticket_secret()
    if attendee.order_item_id is not None:
        item = session.scalars(select(OrderItem).where(OrderItem.id == attendee.order_item_id).with_for_update()).one()
        item.holder_first_name, item.holder_last_name, item.holder_email = first, last, new_email
    if order is not None:
        order.version += 1
        order.updated_at = now
        record(session, order_id=order.id, actor=actor, action=HOLDER_CHANGED, details=details, at=now)
    session.flush()
    return HolderChanged(attendee.id, order.number if order else None, old_holder, new_holder)


def void_cancelled(
    session: Session,
    *,
    actor: Actor,
    order_ids: Sequence[int] = (),
    item_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> None:
    """The cancellation services' one call: these orders' (or order items') tickets no longer admit."""
    void_tickets(session, actor=actor, reason=CANCELLED, order_ids=order_ids, item_ids=item_ids, now=now)
