"""Partial cancellation under concurrency on PostgreSQL: the same "cancel this ticket with its
refund" sent twice at once (a double click, or two finance users), each in its own thread and
connection. The order lock makes the second wait for the first; it then finds the ticket already
cancelled and writes nothing: one cancellation, one refund, totals lowered once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import OrderError
from orders_core.models import Order, OrderHistory, OrderItem, Refund
from orders_core.permissions import Actor
from orders_core.services.cancellations import RefundRequest, cancel_tickets
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.postgres_only
TODAY = datetime.now(UTC).date()


@pytest.fixture
def backend():
    return "postgresql"


@pytest.mark.parametrize("second", ["fin@example.org", "other@example.org"])
def test_the_same_cancellation_sent_twice_at_once_is_done_once(engine, second):
    with unit_of_work(engine) as session:
        event = make_event(session)
        order = make_order(session, event, [(make_tariff(session, event), 3)], status="paid")  # 360.00
        order_id = order.id
        item = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order.id)).first()
    results, refusals = [], []
    barrier = threading.Barrier(2)

    def worker(email: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                results.append(
                    cancel_tickets(
                        session,
                        actor=Actor(email, "finance"),
                        order_id=order_id,
                        item_ids=[item],
                        reason="Cannot come",
                        refund=RefundRequest("120.00", "bank_transfer", TODAY),
                    )
                )
        except OrderError as error:
            refusals.append(error)

    threads = [threading.Thread(target=worker, args=(email,)) for email in ("fin@example.org", second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.duplicate for r in results) + [type(e).__name__ for e in refusals] in (
        [False, True],
        [False, "InvalidInput"],
    )
    with engine.connect() as conn:
        total, kept, state = conn.execute(
            select(Order.total_ttc, Order.amount_paid, Order.payment_state).where(Order.id == order_id)
        ).one()
        refunds = conn.execute(select(func.count()).select_from(Refund).where(Refund.order_id == order_id)).scalar()
        entries = conn.execute(
            select(func.count()).select_from(OrderHistory).where(OrderHistory.action == "tickets_cancelled")
        ).scalar()
        assert check_database(conn) == []
    assert (Decimal(total), Decimal(kept), state, refunds, entries) == (
        Decimal("240.00"),
        Decimal("240.00"),
        "paid",
        1,
        1,
    )
