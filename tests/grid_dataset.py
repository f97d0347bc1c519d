"""A hand-built set of orders for the grid tests, where every count and total is known.

| # | event | status           | mode      | created (UTC)    | HT / TTC  | notes                         |
|---|-------|------------------|-----------|------------------|-----------|-------------------------------|
| 1 | A EUR | paid             | invoice   | 2026-11-10 10:00 | 100 / 120 | Camille Dupont, Acme SARL     |
| 2 | A EUR | awaiting_payment | invoice   | 2026-11-11 09:00 | 200 / 240 | Jean Martin, 2 badges         |
| 3 | A EUR | awaiting_payment | invoice   | 2026-11-12 23:30 |  90 / 108 | code PROMO10; 13th in Paris   |
| 4 | A EUR | cart_incomplete  | undefined | 2026-11-09 08:00 | 100 / 120 |                               |
| 5 | A EUR | cancelled        | invoice   | 2026-11-08 08:00 | 100 / 120 |                               |
| 6 | B GBP | paid             | online    | 2026-11-10 12:00 |  50 /  60 | holder Zoé Brontë             |
| 7 | B GBP | failed           | online    | 2026-11-11 15:00 | 100 / 120 | 2 tickets                     |
| 8 | A EUR | awaiting_payment | invoice   | 2026-11-11 10:00 | 100 / 120 | deleted, by the organiser     |
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from orders_core.db import unit_of_work
from tests.factories import make_code, make_event, make_order, make_tariff


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def build(engine) -> dict[int, int]:
    """Create the set; returns {row number of the table above: order number}."""
    with unit_of_work(engine) as session:
        a = make_event(session, name="Salon A", currency="EUR", timezone="Europe/Paris")
        b = make_event(session, name="Festival B", currency="GBP", timezone="Europe/London")
        badge = make_tariff(session, a, kind="badge", unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        ticket = make_tariff(session, b, kind="ticket", unit_price_ht=Decimal("50.00"), tax_rate=Decimal("20"))
        promo = make_code(session, a, "PROMO10")
        orders = {
            1: make_order(
                session,
                a,
                [(badge, 1)],
                status="paid",
                payment_mode="invoice",
                created_at=at(10, 10),
                buyer_first_name="Camille",
                buyer_last_name="Dupont",
                buyer_email="camille@acme.fr",
                company_name="Acme SARL",
            ),
            2: make_order(
                session,
                a,
                [(badge, 2)],
                status="awaiting_payment",
                created_at=at(11, 9),
                buyer_first_name="Jean",
                buyer_last_name="Martin",
                buyer_email="jean.martin@example.org",
            ),
            3: make_order(session, a, [(badge, 1)], code=promo, status="awaiting_payment", created_at=at(12, 23, 30)),
            4: make_order(
                session, a, [(badge, 1)], status="cart_incomplete", payment_mode="undefined", created_at=at(9, 8)
            ),
            5: make_order(session, a, [(badge, 1)], status="cancelled", payment_mode="invoice", created_at=at(8, 8)),
            6: make_order(
                session,
                b,
                [(ticket, 1)],
                status="paid",
                payment_mode="online",
                created_at=at(10, 12),
                holders=[("Zoé", "Brontë", "zoe@example.org")],
            ),
            7: make_order(session, b, [(ticket, 2)], status="failed", payment_mode="online", created_at=at(11, 15)),
            8: make_order(
                session,
                a,
                [(badge, 1)],
                status="awaiting_payment",
                created_at=at(11, 10),
                source="organizer",
                deleted_at=at(12, 10),
                deleted_reason="duplicate",
            ),
        }
        return {row: order.number for row, order in orders.items()} | {"event_a": a.id, "event_b": b.id}


def money(value: str) -> Decimal:
    return Decimal(value)
