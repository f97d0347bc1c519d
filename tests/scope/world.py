"""Issue 17: two events side by side, ours (Montréal, CAD) and theirs (Zürich, CHF), each with
orders in the usual states, attendees, payments, a refund and an invoice. A principal scoped
to ours must never read a trace of theirs: their texts carry the marker `ZSECRET`, their money
is in CHF and their amounts end in .77, so a leak shows in whatever a function returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from orders_core.permissions import Actor
from orders_core.services.refunds import record_refund
from orders_core.status import Role
from tests.factories import NOW, make_code, make_event, make_order, make_seller_settings, make_tariff

THEIR_MARKERS = ("ZSECRET", "CHF", "Zürich")  # what no scoped read may ever contain
OUR_MARKERS = ("MSCOPE", "CAD")
ROLES = tuple(Role)


@dataclass
class Side:
    """One event's ids, numbers and codes."""

    event_id: int = 0
    tariff_id: int = 0
    code_id: int = 0
    code: str = ""
    paid_id: int = 0
    paid_number: int = 0
    pending_id: int = 0
    pending_number: int = 0
    cancelled_id: int = 0
    attendee_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def order_ids(self) -> list[int]:
        return [self.paid_id, self.pending_id, self.cancelled_id]


@dataclass
class World:
    ours: Side
    theirs: Side
    extra: dict[str, Any] = field(default_factory=dict)

    def scoped(self, role: str) -> Actor:
        """A principal of this role whose only event is ours."""
        return Actor(f"{role}@montreal.example", role, event_ids=frozenset({self.ours.event_id}))

    def everywhere(self, role: str = Role.ADMIN) -> Actor:
        return Actor(f"{role}@head-office.example", role)


# Specs modules add objects to the world (a statement, a saved view...): each builder gets the
# session and the world once the base is written, and stores what it made in `world.extra` or
# in a side's `extra`.
WORLD_BUILDERS: list[Callable[[Session, World], None]] = []


def _side(session: Session, *, city: str, marker: str, currency: str, cents: str) -> Side:
    event = make_event(session, name=f"{city} {marker} festival", currency=currency, timezone="America/Toronto")
    tariff = make_tariff(session, event, name=f"{marker} pass", unit_price_ht=Decimal(f"100.{cents}"))
    code = make_code(session, event, code=f"{marker}10")
    people = dict(buyer_first_name=f"{marker}ina", buyer_last_name=f"{marker}son", company_name=f"{marker} SA")
    holders = [(f"{marker}holder", f"{marker}son", f"holder@{marker.lower()}.example")]
    paid = make_order(
        session,
        event,
        [(tariff, 1)],
        status="paid",
        holders=holders,
        buyer_email=f"paid@{marker.lower()}.example",
        buyer_phone="+41 44 777 77 77" if marker == "ZSECRET" else "+1 514 555 0100",
        created_at=NOW - timedelta(days=2),
        **people,
    )
    pending = make_order(
        session,
        event,
        [(tariff, 2)],
        holders=holders * 2,
        buyer_email=f"pending@{marker.lower()}.example",
        created_at=NOW - timedelta(days=1),
        **people,
    )
    cancelled = make_order(
        session,
        event,
        [(tariff, 1)],
        status="cancelled",
        buyer_email=f"cancelled@{marker.lower()}.example",
        created_at=NOW - timedelta(days=5),
        **people,
    )
    session.flush()
    side = Side(
        event_id=event.id,
        tariff_id=tariff.id,
        code_id=code.id,
        code=code.code,
        paid_id=paid.id,
        paid_number=paid.number,
        pending_id=pending.id,
        pending_number=pending.number,
        cancelled_id=cancelled.id,
    )
    side.item_ids = [item.id for order in (paid, pending) for item in order.items]
    return side


def build_world(session: Session) -> World:
    make_seller_settings(session)  # payments issue invoices
    world = World(
        ours=_side(session, city="Montréal", marker="MSCOPE", currency="CAD", cents="10"),
        theirs=_side(session, city="Zürich", marker="ZSECRET", currency="CHF", cents="77"),
    )
    for side in (world.ours, world.theirs):
        record_refund(
            session,
            actor=Actor("finance@head-office.example", Role.FINANCE),
            order_id=side.paid_id,
            amount="1.00",
            method="bank_transfer",
            refunded_at=NOW - timedelta(days=1),
            reason="Goodwill",
        )
        from sqlalchemy import select

        from orders_core.models import Attendee

        side.attendee_ids = list(
            session.scalars(select(Attendee.id).where(Attendee.event_id == side.event_id).order_by(Attendee.id))
        )
    session.flush()
    for builder in WORLD_BUILDERS:
        builder(session, world)
        session.flush()
    return world
