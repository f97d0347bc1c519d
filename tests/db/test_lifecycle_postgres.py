"""Reliability of validation on PostgreSQL: concurrent validations of the same orders, a
connection killed in the middle of a bulk validation, and the append-only history trigger."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from bench.lifecycle import make_awaiting_orders
from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import ConflictError
from orders_core.models import Attendee, Order, OrderItem, OutboxEmail, Payment
from orders_core.permissions import Actor
from orders_core.services.validation import validate_orders

pytestmark = pytest.mark.postgres_only
FINANCE = Actor("fin@example.org", "finance")


@pytest.fixture
def backend():
    return "postgresql"


def totals(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "paid": conn.execute(select(func.count()).select_from(Order).where(Order.status == "paid")).scalar(),
            "payments": conn.execute(select(func.count()).select_from(Payment)).scalar(),
            "attendees": conn.execute(select(func.count()).select_from(Attendee)).scalar(),
            "items": conn.execute(select(func.count()).select_from(OrderItem)).scalar(),
            "emails": conn.execute(select(func.count()).select_from(OutboxEmail)).scalar(),
            "orders_with_two_payments": conn.execute(
                text("SELECT COUNT(*) FROM (SELECT order_id FROM payments GROUP BY order_id HAVING COUNT(*) > 1) t")
            ).scalar(),
        }


def test_several_threads_validating_the_same_500_orders_pay_each_exactly_once(engine, owner_engine):
    ids = make_awaiting_orders(owner_engine, 500)
    results, errors = [], []
    barrier = threading.Barrier(4)

    def worker(part: list[int]) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                results.append(
                    validate_orders(
                        session,
                        actor=FINANCE,
                        order_ids=part,
                        method="bank_transfer",
                        received_at=datetime.now(UTC).date(),
                    )
                )
        except ConflictError as error:  # allowed: the loser is told, and nothing of it is kept
            errors.append(error)

    # Two threads take every order (in opposite order), two take overlapping halves.
    parts = [ids, list(reversed(ids)), ids[:300], ids[200:]]
    threads = [threading.Thread(target=worker, args=(part,)) for part in parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    validated = [number for result in results for number in result.validated_numbers]
    assert len(validated) == len(set(validated)) == 500
    counts = totals(engine)
    assert counts["paid"] == 500 and counts["payments"] == 500 and counts["orders_with_two_payments"] == 0
    assert counts["attendees"] == counts["items"] == 1250
    assert counts["emails"] == 500
    refused = sum(len(result.refused) for result in results)
    assert refused == sum(len(part) for part in parts) - 500
    assert errors == []  # rows are locked in id order: the others waited, then saw the orders paid
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_a_connection_killed_in_the_middle_of_a_bulk_validation_leaves_no_half_validated_order(engine, owner_engine):
    ids = make_awaiting_orders(owner_engine, 500)
    killed = []

    def kill_before_attendees(conn, cursor, statement, parameters, context, executemany):
        # Orders are already updated and payments inserted in this transaction: kill it now.
        if statement.lstrip().upper().startswith("INSERT INTO ATTENDEES") and not killed:
            pid = conn.connection.driver_connection.info.backend_pid
            url = engine.url
            with psycopg.connect(
                host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    event.listen(engine, "before_cursor_execute", kill_before_attendees)
    try:
        with pytest.raises(DBAPIError), unit_of_work(engine) as session:
            validate_orders(
                session, actor=FINANCE, order_ids=ids, method="cheque", received_at=datetime.now(UTC).date()
            )
    finally:
        event.remove(engine, "before_cursor_execute", kill_before_attendees)
    assert killed
    counts = totals(engine)
    assert (counts["paid"], counts["payments"], counts["attendees"], counts["emails"]) == (0, 0, 0, 0)
    with engine.connect() as conn:
        assert check_database(conn) == []
    # The same validation then goes through whole.
    with unit_of_work(engine) as session:
        result = validate_orders(
            session, actor=FINANCE, order_ids=ids, method="cheque", received_at=datetime.now(UTC).date()
        )
    assert len(result.validated) == 500 and totals(engine)["attendees"] == 1250


def test_a_second_settlement_payment_for_an_order_is_refused_by_the_database(engine, owner_engine):
    ids = make_awaiting_orders(owner_engine, 1)
    with unit_of_work(engine) as session:
        validate_orders(session, actor=FINANCE, order_ids=ids, method="cash", received_at=datetime.now(UTC).date())
    with pytest.raises(DBAPIError, match="uq_payments_settlement_order_id"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO payments (order_id, method, amount, currency, received_at, reference, "
                "recorded_by, created_at, purpose) VALUES (:id, 'cash', 1, 'EUR', now(), '', 'x', "
                "now(), 'settlement')"
            ),
            {"id": ids[0]},
        )


@pytest.mark.parametrize("statement", ["UPDATE order_history SET actor = 'someone else'", "DELETE FROM order_history"])
def test_order_history_refuses_updates_and_deletes(engine, owner_engine, statement):
    make_awaiting_orders(owner_engine, 2)
    # the app's role has no right to change it; its owner is stopped by the trigger
    with pytest.raises(DBAPIError, match="permission denied for table order_history"), engine.begin() as conn:
        conn.execute(text(statement))
    with pytest.raises(DBAPIError, match="order_history is append-only"), owner_engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM order_history WHERE actor = 'bench'")).scalar() == 2
