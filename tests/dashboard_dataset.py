"""A hand-built data set with known dashboard answers (issue 9), shared by the db, app and
notebook tests. Today is 2026-11-20 (a Friday); the filtered range is 2026-11-01 .. 11-20."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from orders_core.db import unit_of_work
from queries.dashboards import DashboardFilters
from tests.factories import make_code, make_event, make_order, make_tariff

TODAY = date(2026, 11, 20)
FILTERS = DashboardFilters((), date(2026, 11, 1), TODAY, "day", TODAY)


def at(day: int, month: int = 11, hour: int = 8) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def build(engine) -> dict:
    """Ten orders over two events (EUR and USD); returns ids and numbers by name."""
    google = dict(utm_source="google", utm_medium="cpc", utm_campaign="launch")
    with unit_of_work(engine) as session:
        eur = make_event(session, name="Salon EUR", currency="EUR")
        badge = make_tariff(
            session,
            eur,
            kind="badge",
            name="Badge",
            unit_price_ht=Decimal("100.00"),
            tax_rate=Decimal("20"),
            capacity=10,
        )
        product = make_tariff(
            session, eur, kind="product", name="Bag", unit_price_ht=Decimal("15.50"), tax_rate=Decimal("20")
        )
        promo = make_code(session, eur, "PROMO10", percent_off=Decimal("10"))
        usd = make_event(session, name="Summit USD", currency="USD", timezone="America/New_York")
        ticket = make_tariff(
            session, usd, kind="ticket", name="Ticket", unit_price_ht=Decimal("50.00"), tax_rate=Decimal("10")
        )
        orders = {
            "o1": make_order(
                session, eur, [(badge, 2)], status="paid", payment_mode="online", created_at=at(20), **google
            ),
            "o2": make_order(
                session,
                eur,
                [(badge, 1), (product, 2)],
                code=promo,
                status="paid",
                payment_mode="online",
                created_at=at(18),
                **google,
            ),
            "o3": make_order(
                session,
                eur,
                [(badge, 1)],
                status="awaiting_payment",
                created_at=at(1, 10),
                utm_source="newsletter",
                utm_medium="email",
            ),
            "o4": make_order(session, eur, [(badge, 3)], status="awaiting_payment", created_at=at(10)),
            "o5": make_order(
                session,
                eur,
                [(badge, 1)],
                status="cart_incomplete",
                payment_mode="undefined",
                created_at=at(19),
                **google,
            ),
            "o6": make_order(session, eur, [(badge, 1)], status="cancelled", payment_mode="invoice", created_at=at(19)),
            "o7": make_order(
                session,
                eur,
                [(badge, 1)],
                status="paid",
                created_at=at(19),
                deleted_at=at(19, hour=12),
                deleted_reason="duplicate",
            ),
            "o8": make_order(
                session,
                usd,
                [(ticket, 2)],
                status="paid",
                payment_mode="invoice",
                paid_method="cheque",
                source="organizer",
                created_at=at(20, hour=9),
            ),
            "o9": make_order(session, usd, [(ticket, 1)], status="awaiting_payment", created_at=at(1, 8)),
            "o10": make_order(session, eur, [(badge, 1)], status="failed", payment_mode="online", created_at=at(12)),
        }
        return {
            "eur": eur.id,
            "usd": usd.id,
            "badge": badge.id,
            "ticket": ticket.id,
            **{name: (order.id, order.number) for name, order in orders.items()},
        }
