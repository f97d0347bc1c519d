"""Follow-ups (issue 15): any order can carry a date and a note for the team ("call back on the
15th"); on and after that date the order is in the grid's "Follow-up due" filter and on the
overview's to-do list. Finance, event managers and admins set and clear them (`orders.notes`);
each change is locked, checked and written to the order's history in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from orders_core import history
from orders_core.errors import TransitionRefused
from orders_core.i18n import _
from orders_core.inputs import FOLLOW_UP_NOTE_LIMIT, clean_date, clean_text
from orders_core.models import Order
from orders_core.permissions import Actor, require
from orders_core.services.guards import lock_by_id

# A follow-up is planned within the next ten years, and never before the app existed.
EARLIEST = date(2000, 1, 1)
HORIZON = timedelta(days=3660)


def _lock(session: Session, order_id: int, actor: Actor) -> Order:
    order = lock_by_id(session, Order, order_id, _("This order does not exist."), actor=actor)
    if order.deleted_at is not None:
        raise TransitionRefused(
            _("Order {number} is deleted: restore it before planning a follow-up.").format(number=order.number)
        )
    return order


def set_follow_up(
    session: Session, *, actor: Actor, order_id: int, on: date | str, note: str | None = "", now: datetime | None = None
) -> Order:
    """Plan (or move) the order's follow-up to the day `on`, with an optional note. Setting the
    same date and note again writes nothing."""
    require(actor, "orders.notes")
    now = now or datetime.now(UTC)
    day = clean_date(on, label=_("The follow-up date"), earliest=EARLIEST, latest=now.date() + HORIZON)
    text = clean_text(note, label=_("The follow-up note"), limit=FOLLOW_UP_NOTE_LIMIT)
    order = _lock(session, order_id, actor)
    if order.follow_up_on == day and order.follow_up_note == text:
        return order
    details: dict[str, object] = {}
    if order.follow_up_on != day:
        details["follow_up_on"] = history.change(order.follow_up_on and order.follow_up_on.isoformat(), day.isoformat())
    if order.follow_up_note != text:
        details["follow_up_note"] = history.change(order.follow_up_note, text)
    order.follow_up_on, order.follow_up_note, order.updated_at = day, text, now
    history.record(session, order_id=order.id, actor=actor, action="follow_up_set", details=details, at=now)
    session.flush()
    return order


def clear_follow_up(session: Session, *, actor: Actor, order_id: int, now: datetime | None = None) -> Order:
    """Remove the order's follow-up (done, or no longer needed); an order without one is left as is."""
    require(actor, "orders.notes")
    now = now or datetime.now(UTC)
    order = _lock(session, order_id, actor)
    if order.follow_up_on is None and not order.follow_up_note:
        return order
    details = {
        "follow_up_on": history.change(order.follow_up_on and order.follow_up_on.isoformat(), None),
        "follow_up_note": history.change(order.follow_up_note, ""),
    }
    order.follow_up_on, order.follow_up_note, order.updated_at = None, "", now
    history.record(session, order_id=order.id, actor=actor, action="follow_up_cleared", details=details, at=now)
    session.flush()
    return order
