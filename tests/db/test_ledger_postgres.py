"""The ledger under concurrency on PostgreSQL: a double click sent twice at once, and two finance
users paying the same order at the same moment, each in its own thread and connection. The order
lock makes the second wait for the first: it then finds the payment (same reference) or nothing
left to pay, and writes nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import OrderError
from orders_core.models import Attendee, OutboxEmail, Payment
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.postgres_only
TODAY = datetime.now(UTC).date()


@pytest.fixture
def backend():
    return "postgresql"


def awaiting(engine) -> int:
    with unit_of_work(engine) as session:
        event = make_event(session)
        return make_order(session, event, [(make_tariff(session, event), 2)]).id  # 240.00


def in_parallel(engine, order_id, calls: list[dict]) -> tuple[list, list]:
    results, refusals = [], []
    barrier = threading.Barrier(len(calls))

    def worker(kwargs: dict) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                results.append(confirm_payment(session, order_id=order_id, received_at=TODAY, **kwargs))
        except OrderError as error:
            refusals.append(error)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, refusals


def counts(engine, order_id) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(model).where(model.order_id == order_id)).scalar()
            for model in (Payment, Attendee, OutboxEmail)
        )


def test_the_same_payment_sent_four_times_at_once_is_recorded_once(engine):
    order_id = awaiting(engine)
    finance = Actor("fin@example.org", "finance")
    call = dict(actor=finance, amount="240.00", method="bank_transfer", reference="VIR 2026-11-30")
    results, refusals = in_parallel(engine, order_id, [call] * 4)
    assert refusals == []
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert counts(engine, order_id) == (1, 2, 1)  # one payment, two attendees, one confirmation


def test_two_finance_users_paying_the_same_order_at_once_pay_it_once(engine):
    order_id = awaiting(engine)
    calls = [
        dict(actor=Actor(f"fin{i}@example.org", "finance"), amount="240.00", method="cheque", reference=f"CHQ {i}")
        for i in (1, 2)
    ]
    results, refusals = in_parallel(engine, order_id, calls)
    assert len(results) == 1 and results[0].became_paid
    assert len(refusals) == 1 and "owes nothing" in refusals[0].message
    assert counts(engine, order_id) == (1, 2, 1)
    with engine.connect() as conn:
        assert check_database(conn) == []
