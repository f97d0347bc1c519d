"""The order page's Payments tab and refund form (ui/order_ledger.py) through AppTest: payments
and refunds with the running balance, the refund reviewed then confirmed by finance, refused
with the reason when the amount is more than was paid, and not offered to an event manager."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Order, Refund
from tests.factories import make_event, make_order, make_tariff

FINANCE = {"id": 1, "email": "fin@example.org", "role": "finance", "name": "Finance"}
MANAGER = {"id": 2, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


def tab_script(number: int) -> None:
    from queries.order_detail import order_detail
    from ui.data import cached_query
    from ui.order_ledger import render_payments_tab
    from ui.session import order_actions

    detail = cached_query(order_detail, number)
    render_payments_tab(detail.order, order_actions(number=number))


@pytest.fixture
def paid(engine, db_url, monkeypatch) -> dict:
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"))
        order = make_order(session, event, [(badge, 1)], status="paid")  # 120.00 incl. tax
        return {"id": order.id, "number": order.number}


def run_as(user: dict, number: int) -> AppTest:
    at = AppTest.from_function(tab_script, args=(number,), default_timeout=60)
    at.session_state["auth.user"] = user
    return at.run()


def refunds(engine, order_id) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Refund).where(Refund.order_id == order_id)).scalar()


def test_finance_reviews_then_confirms_a_partial_refund_and_sees_the_new_state(engine, paid):
    at = run_as(FINANCE, paid["number"])
    assert not at.exception
    at.text_input[0].set_value("20.00")
    at.text_area[0].input("Goodwill gesture")
    at.button[0].click().run()  # review
    assert not at.exception and refunds(engine, paid["id"]) == 0  # the review writes nothing
    assert "Confirm the refund" in [b.label for b in at.button]
    next(b for b in at.button if b.label == "Confirm the refund").click().run()
    assert not at.exception
    assert any("now “Partially refunded”" in s.value for s in at.success)
    with engine.connect() as conn:
        state, kept = conn.execute(select(Order.payment_state, Order.amount_paid).where(Order.id == paid["id"])).one()
    assert (state, Decimal(str(kept))) == ("partially_refunded", Decimal("100.00"))
    frame = at.dataframe[0].value
    assert list(frame["kind"]) == ["Payment", "Refund"]
    assert list(frame["balance"]) == ["€120.00", "€100.00"]


def test_a_refund_above_what_was_paid_is_refused_with_the_reason_and_nothing_written(engine, paid):
    at = run_as(FINANCE, paid["number"])
    at.text_input[0].set_value("500.00")
    at.text_area[0].input("Too much")
    at.button[0].click().run()
    next(b for b in at.button if b.label == "Confirm the refund").click().run()
    assert any("more than order" in e.value for e in at.error)
    assert refunds(engine, paid["id"]) == 0


def test_an_event_manager_sees_the_ledger_but_no_refund_form(paid):
    at = run_as(MANAGER, paid["number"])
    assert not at.exception
    assert len(at.dataframe) == 1 and not at.button and not at.text_area
