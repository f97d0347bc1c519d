"""Document numbers and immutability under PostgreSQL (issue 21): two finance users validating
invoice orders at the same moment, each in its own thread and connection, get consecutive numbers
(the series' counter row is locked until the first commits); a transaction rolled back gives its
number back (no gap); an issued invoice is refused an UPDATE or DELETE by the database itself,
both for the app's role and for the owner (the trigger)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from orders_core.db import unit_of_work
from orders_core.models import Invoice
from orders_core.permissions import Actor
from orders_core.services.validation import validate_orders
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

pytestmark = pytest.mark.postgres_only
TODAY = datetime.now(UTC).date()
YEAR = f"{TODAY:%Y}"


@pytest.fixture
def backend():
    return "postgresql"


def awaiting_orders(engine, count: int) -> list[int]:
    """Invoice orders awaiting payment, without invoices yet (they get theirs on payment)."""
    with unit_of_work(engine) as session:
        make_seller_settings(session, invoice_paid_orders="on_request")
        event = make_event(session)
        badge = make_tariff(session, event)
        return [make_order(session, event, [(badge, 1)]).id for _ in range(count)]


def numbers(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(Invoice.number).order_by(Invoice.number)).scalars())


def test_two_finance_users_validating_at_once_get_consecutive_numbers(engine):
    orders = awaiting_orders(engine, 6)
    batches = [orders[:3], orders[3:]]
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def validate(user: int, ids: list[int]) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                result = validate_orders(
                    session,
                    actor=Actor(f"fin{user}@example.org", "finance"),
                    order_ids=ids,
                    method="bank_transfer",
                    received_at=TODAY,
                    reference=f"VIR {user}",
                )
                assert len(result.validated) == len(ids)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=validate, args=(i, ids)) for i, ids in enumerate(batches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert numbers(engine) == [f"F{YEAR}-{n:05}" for n in range(1, 7)]
    with engine.connect() as conn:
        by_order = dict(conn.execute(select(Invoice.order_id, Invoice.number)).all())
    # Each user's orders hold a run of consecutive numbers: one waited for the other's commit.
    runs = sorted(sorted(int(by_order[i][-5:]) for i in ids) for ids in batches)
    assert runs == [[1, 2, 3], [4, 5, 6]]


def test_a_rolled_back_validation_leaves_no_gap_in_the_numbers(engine):
    first, second = awaiting_orders(engine, 2)
    finance = Actor("fin@example.org", "finance")
    with pytest.raises(RuntimeError):
        with unit_of_work(engine) as session:
            validate_orders(session, actor=finance, order_ids=[first], method="cheque", received_at=TODAY)
            assert session.scalars(select(Invoice.number)).all() == [f"F{YEAR}-00001"]
            raise RuntimeError("the user's transaction fails after the invoice was numbered")
    assert numbers(engine) == []
    with unit_of_work(engine) as session:
        validate_orders(session, actor=finance, order_ids=[second], method="cheque", received_at=TODAY)
    assert numbers(engine) == [f"F{YEAR}-00001"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoices SET total_ttc = 0",
        "DELETE FROM invoices",
        "UPDATE invoice_lines SET quantity = 99",
        "DELETE FROM invoice_lines",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_issued_invoice(engine, owner_url, statement):
    (order_id,) = awaiting_orders(engine, 1)
    with unit_of_work(engine) as session:
        validate_orders(
            session, actor=Actor("fin@example.org", "finance"), order_ids=[order_id], method="cheque", received_at=TODAY
        )
    assert numbers(engine) == [f"F{YEAR}-00001"]
    owner = create_engine(owner_url)
    try:
        for bind in (engine, owner):  # the app's role has no right to; the owner meets the trigger
            with pytest.raises(DBAPIError, match="append-only|permission denied"):
                with bind.begin() as conn:
                    conn.execute(text(statement))
        with pytest.raises(DBAPIError, match="append-only"):
            with owner.begin() as conn:
                conn.execute(text(statement))
    finally:
        owner.dispose()
    with engine.connect() as conn:
        assert conn.execute(select(Invoice.total_ttc)).scalar_one() > 0
