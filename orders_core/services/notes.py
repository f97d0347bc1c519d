"""Notes on an order (the order page's Notes tab, issue 18 item 10): a line for the team
("called the buyer, pays on Friday"), added by finance, event managers and admins on any order
that is not deleted, whatever its status (a note changes nothing of what was sold). Notes are
appended to `orders.notes`, each dated, never edited; each is also written to the order's history
with its author, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from orders_core import history
from orders_core.errors import TransitionRefused
from orders_core.i18n import _
from orders_core.inputs import NOTE_LIMIT, clean_text
from orders_core.models import Order
from orders_core.permissions import Actor, require
from orders_core.services.guards import lock_by_id


def add_note(session: Session, *, actor: Actor, order_id: int, text: str, now: datetime | None = None) -> Order:
    """Append a dated note to the order's notes and its history."""
    require(actor, "orders.notes")
    now = now or datetime.now(UTC)
    note = clean_text(text, label=_("The note"), limit=NOTE_LIMIT, required=True)
    order = lock_by_id(session, Order, order_id, _("This order does not exist."), actor=actor)
    if order.deleted_at is not None:
        raise TransitionRefused(
            _("Order {number} is deleted: restore it before adding a note.").format(number=order.number)
        )
    dated = f"{now.date().isoformat()}: {note}"
    order.notes = f"{order.notes}\n{dated}" if order.notes else dated
    order.updated_at = now
    history.record(session, order_id=order.id, actor=actor, action="note_added", details={"note": note}, at=now)
    session.flush()
    return order
