"""Money is exact to the cent on both databases: NUMERIC(12,2) round trips as Decimal and
sums of many cents never drift (SQLite stores NUMERIC as binary floats: money_sum sums cents)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from orders_core.db import unit_of_work
from orders_core.models import Order, Payment
from orders_core.permissions import Actor
from queries.overview import orders_by_status
from queries.sql import money_sum
from tests.factories import make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

AMOUNTS = ["0.10", "0.20", "0.30", "1.01", "19.99", "1234567.89", "9999999999.99"]


@pytest.fixture
def one_order(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, currency="CHF")
        tariff = make_tariff(session, event, unit_price_ht=Decimal("0.10"), tax_rate=Decimal("0"))
        order = make_order(session, event, [(tariff, 1)], status="paid")
        return order.id


def _clone_orders(engine, template_id: int, count: int, **values) -> None:
    """`count` copies of an order with other numbers and the given values (a set-based insert)."""
    with engine.begin() as conn:
        row = dict(conn.execute(select(Order).where(Order.id == template_id)).mappings().one())
        first = conn.execute(select(Order.number).order_by(Order.number.desc())).scalars().first() + 1
        row.pop("id")
        rows = [
            {**row, **values, "number": first + i, "buyer_email": f"clone{first + i}@example.org"} for i in range(count)
        ]
        conn.execute(insert(Order), rows)


@pytest.mark.parametrize("amount", AMOUNTS)
def test_a_numeric_amount_comes_back_as_the_same_decimal(engine, one_order, amount):
    with unit_of_work(engine) as session:
        order = session.get(Order, one_order)
        session.add(
            Payment(
                order_id=order.id,
                method="cash",
                amount=Decimal(amount),
                currency=order.currency,
                received_at=order.paid_at,
                reference=amount,
                recorded_by="tests",
                created_at=order.paid_at,
            )
        )
    with engine.connect() as conn:
        value = conn.execute(select(Payment.amount).where(Payment.reference == amount)).scalar_one()
    assert isinstance(value, Decimal)
    assert value == Decimal(amount) and str(value) == amount


def test_sums_of_many_cents_are_exact_with_money_sum(engine, one_order):
    _clone_orders(
        engine,
        one_order,
        1000,
        status="paid",
        total_ht=Decimal("0.10"),
        total_ttc=Decimal("0.10"),
        amount_paid=Decimal("0.10"),
    )
    _clone_orders(
        engine,
        one_order,
        1000,
        status="awaiting_payment",
        total_ht=Decimal("0.20"),
        total_ttc=Decimal("0.20"),
        amount_paid=Decimal("0.00"),
        paid_at=None,
    )
    with engine.connect() as conn:
        # The factory's own order (0.10 + 0 tax) is the 2,001st.
        total = conn.execute(select(money_sum(Order.total_ttc))).scalar_one()
        by_status = dict(conn.execute(select(Order.status, money_sum(Order.total_ht)).group_by(Order.status)).all())
    assert total == Decimal("300.10") and str(total) == "300.10"
    assert by_status == {"paid": Decimal("100.10"), "awaiting_payment": Decimal("200.00")}


def test_the_overview_figures_are_exact_decimals(engine, one_order):
    _clone_orders(
        engine,
        one_order,
        999,
        status="paid",
        total_ht=Decimal("0.10"),
        total_ttc=Decimal("0.10"),
        amount_paid=Decimal("0.10"),
    )
    _clone_orders(
        engine,
        one_order,
        1000,
        status="awaiting_payment",
        total_ht=Decimal("0.20"),
        total_ttc=Decimal("0.20"),
        amount_paid=Decimal("0.00"),
        paid_at=None,
    )
    _clone_orders(
        engine,
        one_order,
        3,
        status="awaiting_payment",
        total_ht=Decimal("1234567.89"),
        total_ttc=Decimal("1234567.89"),
        amount_paid=Decimal("0.00"),
        paid_at=None,
        currency="CHF",
    )
    frame = orders_by_status(engine, principal=EVERY_EVENT)
    rows = {row.status: row for row in frame.itertuples()}
    assert set(frame["currency"]) == {"CHF"}
    assert rows["paid"].orders == 1000
    assert rows["paid"].total_ttc == Decimal("100.00") and rows["paid"].amount_paid == Decimal("100.00")
    assert rows["awaiting_payment"].orders == 1003
    assert rows["awaiting_payment"].total_ht == Decimal("3703903.67")  # 1000 x 0.20 + 3 x 1,234,567.89
    assert all(isinstance(value, Decimal) for value in frame["total_ttc"])
    assert sum(frame["total_ttc"], Decimal(0)) == Decimal("3704003.67")
