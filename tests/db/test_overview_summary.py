"""Issue 19: the overview's orders by status and currency come from the order summary
(`dash_order_facts`); they are exactly the plain GROUP BY over `orders` - several currencies,
every status, deleted orders left out, a scoped user's events only - before and after orders
change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import func, select, update

from orders_core.db import unit_of_work
from orders_core.models import Order
from orders_core.permissions import Actor
from orders_core.scope import event_condition
from queries.overview import currency_headlines, orders_by_status
from queries.sql import money_sum
from tests.factories import EVERYONE, NOW, make_event, make_order, make_tariff

COLUMNS = ["status", "currency", "orders", "total_ht", "total_ttc", "amount_paid"]


def plain_group_by(engine, principal: Actor) -> pd.DataFrame:
    """The overview's query before issue 19."""
    query = (
        select(
            Order.status,
            Order.currency,
            func.count(),
            money_sum(Order.total_ht),
            money_sum(Order.total_ttc),
            money_sum(Order.amount_paid),
        )
        .where(Order.deleted_at.is_(None), event_condition(Order.event_id, principal))
        .group_by(Order.status, Order.currency)
        .order_by(Order.currency, Order.status)
    )
    with engine.connect() as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=COLUMNS)


def _world(engine) -> dict:
    with unit_of_work(engine) as session:
        ids = {}
        for currency, price in (("EUR", "100.00"), ("USD", "33.33"), ("CHF", "0.10")):
            event = make_event(session, currency=currency)
            badge = make_tariff(session, event, unit_price_ht=Decimal(price))
            ticket = make_tariff(session, event, kind="ticket", unit_price_ht=Decimal("12.35"), tax_rate=Decimal("5.5"))
            for n, status in enumerate(
                ("paid", "paid", "awaiting_payment", "pending_admin", "cancelled", "cart_incomplete", "failed")
            ):
                make_order(
                    session,
                    event,
                    [(badge, 1 + n % 3), (ticket, 1 + n % 2)],
                    status=status,
                    created_at=NOW - timedelta(days=n * 40, hours=n),
                )
            make_order(session, event, [(badge, 9)], status="paid", deleted_at=NOW)
            ids[currency] = event.id
        return ids


def _same(engine, principal: Actor) -> pd.DataFrame:
    summary = orders_by_status(engine, principal=principal)
    plain = plain_group_by(engine, principal)
    pd.testing.assert_frame_equal(summary, plain, check_dtype=False)
    assert summary.values.tolist() == plain.values.tolist()
    assert all(isinstance(v, Decimal) for column in ("total_ht", "total_ttc", "amount_paid") for v in summary[column])
    return summary


def test_the_summary_answers_the_plain_group_by(engine):
    ids = _world(engine)
    every = _same(engine, EVERYONE)
    assert sorted(set(every["currency"])) == ["CHF", "EUR", "USD"]
    eur_paid = every[(every["currency"] == "EUR") & (every["status"] == "paid")].iloc[0]
    assert eur_paid["orders"] == 2  # the deleted paid order is left out
    scoped = Actor.of("manager@example.org", "event_manager", [ids["USD"], ids["CHF"]])
    assert sorted(set(_same(engine, scoped)["currency"])) == ["CHF", "USD"]
    assert _same(engine, Actor.of("nobody@example.org", "event_manager", [])).empty
    headlines = {h.currency: h for h in currency_headlines(every)}
    assert headlines["EUR"].paid_orders == 2 and headlines["EUR"].revenue_ttc == eur_paid["total_ttc"]


def test_the_summary_follows_orders_that_change(engine):
    ids = _world(engine)
    with unit_of_work(engine) as session:
        session.execute(update(Order).where(Order.status == "pending_admin").values(status="paid"))
        session.execute(update(Order).where(Order.deleted_at.is_not(None)).values(deleted_at=None))
        session.execute(
            update(Order).where(Order.status == "cart_incomplete", Order.event_id == ids["USD"]).values(deleted_at=NOW)
        )
    every = _same(engine, EVERYONE)
    assert "pending_admin" not in set(every["status"])
    assert "cart_incomplete" in set(every[every["currency"] == "EUR"]["status"])
    assert "cart_incomplete" not in set(every[every["currency"] == "USD"]["status"])
    _same(engine, Actor.of("manager@example.org", "event_manager", [ids["EUR"]]))
