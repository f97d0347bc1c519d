"""Confirming payments through the ledger (services.ledger) on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.models import Attendee, Order, OrderItem, OrderLine, Payment
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")
TODAY = datetime.now(UTC).date()


def awaiting(engine, status="awaiting_payment", **overrides) -> int:
    with unit_of_work(engine) as session:
        event = make_event(session)
        return make_order(session, event, [(make_tariff(session, event), 2)], status=status, **overrides).id  # 240.00


def pay(engine, order_id, amount, **kwargs):
    args = dict(actor=FINANCE, order_id=order_id, method="cheque", amount=amount, received_at=TODAY, reference="CHQ 1")
    args.update(kwargs)
    with unit_of_work(engine) as session:
        return confirm_payment(session, **args)


def attendees(engine, order_id) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Attendee).where(Attendee.order_id == order_id)).scalar()


def test_a_partial_payment_leaves_the_order_awaiting_with_a_balance(engine):
    order_id = awaiting(engine)
    outcome = pay(engine, order_id, "100.00")
    assert (outcome.became_paid, outcome.balance_due) == (False, Decimal("140.00"))
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.status, order.amount_paid) == ("awaiting_payment", Decimal("100.00"))
    assert attendees(engine, order_id) == 0
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_the_payment_that_settles_an_invoice_order_validates_it(engine):
    order_id = awaiting(engine)
    pay(engine, order_id, "100.00")
    outcome = pay(engine, order_id, Decimal("140.00"), method="bank_transfer")
    assert outcome.became_paid and outcome.attendees_created == 2 and outcome.balance_due == 0
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.status, order.amount_paid) == ("paid", Decimal("240.00"))
        payments = session.execute(
            select(Payment.amount, Payment.purpose).where(Payment.order_id == order_id).order_by(Payment.id)
        ).all()
        assert payments == [(Decimal("100.00"), "payment"), (Decimal("140.00"), "settlement")]
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_an_organiser_order_with_added_tickets_registers_its_new_holders_when_the_balance_is_paid(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        order = make_order(
            session,
            event,
            [(badge, 1)],
            status="paid",
            source="organizer",
            notes="2026-11-20: one badge added at the buyer's request",
        )
        # A ticket added after payment (rule 1's exception): the order now owes 120.00.
        line = OrderLine(
            order_id=order.id,
            tariff_id=badge.id,
            kind="badge",
            name=badge.name,
            quantity=1,
            unit_price_ht=Decimal("100.00"),
            tax_rate=Decimal("20"),
            discount_amount=Decimal("0"),
            total_ht=Decimal("100.00"),
            total_ttc=Decimal("120.00"),
        )
        session.add(line)
        session.flush()
        session.add(
            OrderItem(
                order_id=order.id,
                order_line_id=line.id,
                holder_first_name="New",
                holder_last_name="Holder",
                holder_email="new@example.org",
                created_at=datetime.now(UTC),
            )
        )
        order.total_ht, order.total_ttc = Decimal("200.00"), Decimal("240.00")
        order_id = order.id
    assert attendees(engine, order_id) == 1
    partial = pay(engine, order_id, "20.00")
    assert partial.attendees_created == 0 and attendees(engine, order_id) == 1
    final = pay(engine, order_id, "100.00")
    assert final.attendees_created == 1 and final.balance_due == 0
    with unit_of_work(engine) as session:
        names = session.scalars(
            select(Attendee.first_name).where(Attendee.order_id == order_id).order_by(Attendee.id)
        ).all()
        assert names == ["Holder0", "New"]
    with engine.connect() as conn:
        assert check_database(conn) == []


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("abc", "is not an amount"),
        ("1.234", "two decimals"),
        ("240.01", "more than the balance due"),
        ("NaN", "is not an amount"),
    ],
)
def test_bad_amounts_are_refused(engine, amount, message):
    order_id = awaiting(engine)
    with pytest.raises(InvalidInput, match=message):
        pay(engine, order_id, amount)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Payment)).scalar() == 0


def test_a_payment_date_in_the_future_is_refused(engine):
    with pytest.raises(InvalidInput, match="in the future"):
        pay(engine, awaiting(engine), "10.00", received_at=TODAY + timedelta(days=2))


@pytest.mark.parametrize("status", ["paid", "cancelled", "pending_admin"])
def test_an_order_that_owes_nothing_or_is_not_payable_takes_no_payment(engine, status):
    with pytest.raises(TransitionRefused, match="no payment can be recorded"):
        pay(engine, awaiting(engine, status=status), "10.00")
