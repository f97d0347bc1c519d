"""The attendees of the Attendees page's tests (issue 18), made through the services' paths:
paid orders (their attendees), one awaiting payment (none yet), one ticket cancelled by finance."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import OrderItem
from orders_core.permissions import Actor
from orders_core.services.cancellations import cancel_tickets
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")


def build(engine) -> dict:
    """Paris Summit: two paid orders (a badge and a VIP ticket each), one awaiting payment (no
    attendee yet), one paid order whose second ticket was cancelled; and another event."""
    with unit_of_work(engine) as session:
        summit = make_event(session, name="Paris Summit")
        other = make_event(session, name="Lyon Days")
        badge = make_tariff(session, summit, name="Badge", unit_price_ht=Decimal("100.00"))
        vip = make_tariff(session, summit, name="VIP", kind="ticket", unit_price_ht=Decimal("300.00"))
        lyon = make_tariff(session, other, name="Lyon badge")
        make_tariff(session, summit, name="Lunch", kind="product")
        first = make_order(
            session,
            summit,
            [(badge, 1), (vip, 1)],
            status="paid",
            holders=[("Hélène", "Lefèvre", "helene@example.org"), ("Olivia", "Wilson", "olivia@example.org")],
        )
        make_order(
            session, summit, [(badge, 1)], status="paid", holders=[("=cmd|' /C calc'!A0", "Zed", "z@example.org")]
        )
        make_order(session, summit, [(badge, 1)], status="awaiting_payment", holders=[("Not", "Paid", "")])
        cancelled = make_order(
            session,
            summit,
            [(badge, 2)],
            status="paid",
            holders=[("Ada", "Byron", "ada@example.org"), ("Alan", "Turing", "alan@example.org")],
        )
        make_order(session, other, [(lyon, 1)], status="paid", holders=[("Olivia", "Lyon", "o@example.org")])
        alan = session.scalars(
            select(OrderItem.id).where(OrderItem.order_id == cancelled.id, OrderItem.holder_first_name == "Alan")
        ).one()
        ids = {"event": summit.id, "badge": badge.id, "vip": vip.id, "first": first.number}
    with unit_of_work(engine) as session:
        cancel_tickets(session, actor=FINANCE, order_id=cancelled.id, reason="Alan cannot come", item_ids=[alan])
    return ids
