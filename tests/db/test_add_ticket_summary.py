"""Issue 19: `add_ticket_context` reads the units held per tariff from the line summary instead of
aggregating the event's lines; its tariffs are exactly the badges and tickets that the plain
GROUP BY (`queries.catalogue.sellable_tariffs`) offers, before and after orders change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import select, update

from orders_core.db import unit_of_work
from orders_core.models import Order
from orders_core.status import ADMITTING_KINDS
from queries.catalogue import sellable_tariffs
from queries.wizard import add_ticket_context
from tests.factories import EVERYONE, make_event, make_order, make_tariff


def _plain(engine, event_id: int, currency: str) -> list[dict]:
    """What add_ticket_context offered before issue 19: sellable_tariffs, filtered."""
    return [
        {
            "id": int(t["id"]),
            "name": t["name"],
            "kind": t["kind"],
            "unit_price_ht": t["unit_price_ht"],
            "tax_rate": t["tax_rate"],
            "remaining": None if pd.isna(t["remaining"]) else int(t["remaining"]),
        }
        for t in sellable_tariffs(engine, event_id, principal=EVERYONE).to_dict("records")
        if t["kind"] in ADMITTING_KINDS and t["currency"] == currency
    ]


def _world(engine) -> dict:
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        other = make_event(session, currency="EUR")
        badge = make_tariff(session, event, name="Badge", capacity=20, unit_price_ht=Decimal("99.90"))
        ticket = make_tariff(session, event, kind="ticket", name="Ticket", tax_rate=Decimal("5.5"))
        full = make_tariff(session, event, name="Full", capacity=3)
        make_tariff(session, event, kind="product", name="Lunch", capacity=50)
        make_tariff(session, event, name="Inactive", active=False)
        make_tariff(session, event, name="Not yet", sales_start=now + timedelta(days=1))
        make_tariff(session, event, name="Closed", sales_end=now - timedelta(days=1))
        window = make_tariff(
            session, event, name="Window", capacity=5, sales_start=now - timedelta(days=1), sales_end=now + timedelta(1)
        )
        make_tariff(session, event, name="Dollars", currency="USD")
        elsewhere = make_tariff(session, other, name="Elsewhere", capacity=10)
        held = make_order(session, event, [(badge, 2), (ticket, 3)], status="paid", source="organizer")
        make_order(session, event, [(badge, 4), (window, 1)], status="awaiting_payment")
        make_order(session, event, [(badge, 1)], status="pending_admin")
        make_order(session, event, [(badge, 1)], status="pending_online", payment_mode="online")
        make_order(session, event, [(badge, 5)], status="cancelled")
        make_order(session, event, [(badge, 6)], status="paid", deleted_at=now)
        make_order(session, event, [(badge, 7)], status="cart_incomplete")
        make_order(session, event, [(full, 3)], status="paid")
        make_order(session, other, [(elsewhere, 4)], status="paid")
        return {"event": event.id, "number": held.number, "badge": badge.id, "window": window.id}


def test_the_tariffs_offered_are_those_of_the_plain_group_by(engine):
    world = _world(engine)
    context = add_ticket_context(engine, world["number"], principal=EVERYONE)
    assert context is not None
    assert context["tariffs"] == _plain(engine, world["event"], "EUR")
    offered = {t["name"]: t["remaining"] for t in context["tariffs"]}
    # 20 - (2 paid + 4 awaiting + 1 pending admin + 1 pending online); cancelled, deleted and
    # unfinished orders hold nothing; Full is sold out; products, other currencies, inactive and
    # out-of-window tariffs are not offered.
    assert offered == {"Badge": 12, "Ticket": None, "Window": 4}
    badge = next(t for t in context["tariffs"] if t["name"] == "Badge")
    assert badge["unit_price_ht"] == Decimal("99.90") and badge["tax_rate"] == Decimal("20.000")


def test_the_summary_follows_orders_that_change(engine):
    world = _world(engine)
    with unit_of_work(engine) as session:  # the awaiting order is cancelled, the deleted one restored
        session.execute(
            update(Order)
            .where(Order.status == "awaiting_payment", Order.event_id == world["event"])
            .values(status="cancelled")
        )
        session.execute(update(Order).where(Order.deleted_at.is_not(None)).values(deleted_at=None))
        restored = session.scalars(select(Order.number).where(Order.status == "paid")).all()
    context = add_ticket_context(engine, world["number"], principal=EVERYONE)
    assert context is not None and restored
    assert context["tariffs"] == _plain(engine, world["event"], "EUR")
    assert {t["name"]: t["remaining"] for t in context["tariffs"]} == {"Badge": 10, "Ticket": None, "Window": 5}
