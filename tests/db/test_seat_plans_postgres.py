"""Rule 17 under concurrency on PostgreSQL: two desks add a ticket on the same seat at the same
moment, to two different orders through two different tariffs (so no order or tariff lock puts
them in line). One sale wins; the other is refused with a message, by the check or by the seat
assignments' unique key, and writes nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import OrderError
from orders_core.models import OrderItem, SeatAssignment
from orders_core.permissions import Actor
from orders_core.services.order_changes import add_tickets
from tests.factories import make_event, make_order, make_seat_plan, make_tariff

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def backend():
    return "postgresql"


def test_the_same_seat_sold_twice_at_once_is_sold_once(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, seated=True)
        make_seat_plan(session, event, rows="1", per_row=5)
        stalls, circle = (make_tariff(session, event, kind="ticket") for _ in range(2))
        desks = [
            (make_order(session, event, [(tariff, 1)], status="paid", source="organizer", seats=[seat]).id, tariff.id)
            for tariff, seat in ((stalls, "A-1-1"), (circle, "A-1-2"))
        ]
    sold, refused = [], []
    barrier = threading.Barrier(2)

    def desk(order_id: int, tariff_id: int, email: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                add_tickets(
                    session,
                    actor=Actor(email, "event_manager"),
                    order_id=order_id,
                    tariff_id=tariff_id,
                    quantity=1,
                    seats=["A-1-3"],
                    reason_note="the seat in the middle",
                )
            sold.append(order_id)
        except OrderError as error:
            refused.append(error.message)

    threads = [threading.Thread(target=desk, args=(*desks[n], f"desk{n}@example.org")) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sold) == 1 and len(refused) == 1
    assert "A-1-3 is already sold" in refused[0]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SeatAssignment)).scalar_one() == 3
        assert conn.execute(select(func.count()).select_from(OrderItem).where(OrderItem.seat == "A-1-3")).scalar() == 1
        assert check_database(conn) == []
