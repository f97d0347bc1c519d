"""The detail page's change actions (ui/order_edit_actions.py) through AppTest: "Modify order" on
unvalidated orders, the locked online order, and the add-a-ticket / balance-due / record-payment
cycle on a paid organiser order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.models import Attendee, Order, OutboxEmail
from tests.factories import make_event, make_order, make_tariff

MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


def actions_script(number: int) -> None:
    from ui.order_edit_actions import render_modify_and_add_tickets

    render_modify_and_add_tickets(number)


@pytest.fixture
def orders(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"))
        return {
            "badge": badge.id,
            "awaiting": make_order(session, event, [(badge, 1)]).number,
            "online_paid": make_order(session, event, [(badge, 1)], status="paid", payment_mode="online").number,
            "organiser_paid": make_order(session, event, [(badge, 1)], status="paid", source="organizer").number,
        }


def run_for(number: int) -> AppTest:
    at = AppTest.from_function(actions_script, args=(number,), default_timeout=60)
    at.session_state["auth.user"] = MANAGER
    return at.run()


def test_an_unvalidated_order_offers_modify_order(orders):
    at = run_for(orders["awaiting"])
    assert not at.exception
    assert [b.label for b in at.button] == ["Modify order"]


def test_an_online_paid_order_says_why_it_is_locked(orders):
    at = run_for(orders["online_paid"])
    assert any("was sold online" in i.value for i in at.info)
    assert not at.button


def test_adding_a_ticket_shows_the_balance_due_until_a_payment_settles_it(engine, orders):
    number = orders["organiser_paid"]
    at = run_for(number)
    key = f"order_edit.{number}"
    assert not at.warning  # nothing owed yet
    at.button(key=f"{key}.add_save").click().run()
    assert any("Write the reason" in e.value for e in at.error)
    at.text_input(key=f"{key}.add_first.0").input("Grace").run()
    at.text_input(key=f"{key}.add_last.0").input("Hopper").run()
    at.text_area(key=f"{key}.add_note").input("Colleague added by phone").run()
    at.button(key=f"{key}.add_save").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Balance due: €120.00"]

    at.text_input(key=f"{key}.pay_amount").input("120.00").run()
    at.selectbox(key=f"{key}.pay_method").set_value("cheque").run()
    at.button(key=f"{key}.pay_save").click().run()
    assert not at.exception and not at.warning
    assert any("balance due now €0.00" in s.value for s in at.success)
    with unit_of_work(engine) as session:
        order = session.scalars(select(Order).where(Order.number == number)).one()
        assert order.amount_paid == order.total_ttc == Decimal("240.00")
        names = session.scalars(
            select(Attendee.first_name).where(Attendee.order_id == order.id).order_by(Attendee.id)
        ).all()
        assert names[-1] == "Grace" and len(names) == 2
        kinds = session.scalars(select(OutboxEmail.kind).where(OutboxEmail.order_id == order.id)).all()
        # The first payment's confirmation, then both again once the balance is paid.
        assert sorted(kinds) == ["order_confirmation", "order_confirmation", "tickets"]
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_add_a_ticket_shows_the_events_badge_fields_and_saves_a_required_one(engine, orders):
    """Issue 18 item 4: a required custom badge field is shown (marked required) in the add-a-ticket
    form, with the wizard's widgets, and its value reaches the service."""
    from orders_core.models import FieldValue, OrderItem
    from orders_core.permissions import Actor
    from orders_core.services.forms import add_field

    with unit_of_work(engine) as session:
        event_id = session.scalars(select(Order.event_id).where(Order.number == orders["organiser_paid"])).one()
        diet = add_field(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=event_id,
            form="badge",
            field_type="text",
            label_en="Dietary requirement",
            label_fr="Régime alimentaire",
            required=True,
        ).id
        size = add_field(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=event_id,
            form="badge",
            field_type="select",
            label_en="T-shirt",
            label_fr="T-shirt",
            options=["S", "M", "L"],
        ).id
    number = orders["organiser_paid"]
    key = f"order_edit.{number}"
    at = run_for(number)
    assert not at.exception
    assert at.text_input(key=f"{key}.add_field.0.{diet}").label == "Holder 1: Dietary requirement \\*"
    assert at.selectbox(key=f"{key}.add_field.0.{size}").options == ["S", "M", "L"]
    at.text_input(key=f"{key}.add_first.0").input("Grace").run()
    at.text_input(key=f"{key}.add_last.0").input("Hopper").run()
    at.text_area(key=f"{key}.add_note").input("Colleague added by phone").run()
    at.button(key=f"{key}.add_save").click().run()
    assert any("'Dietary requirement' is required" in e.value for e in at.error)  # said, nothing saved
    at.text_input(key=f"{key}.add_field.0.{diet}").input("Vegetarian").run()
    at.selectbox(key=f"{key}.add_field.0.{size}").set_value("M").run()
    at.button(key=f"{key}.add_save").click().run()
    assert not at.exception and not at.error
    with unit_of_work(engine) as session:
        order_id = session.scalars(select(Order.id).where(Order.number == number)).one()
        grace = session.scalars(
            select(OrderItem.id).where(OrderItem.order_id == order_id, OrderItem.holder_first_name == "Grace")
        ).one()
        values = dict(
            session.execute(
                select(FieldValue.field_id, FieldValue.value).where(FieldValue.order_item_id == grace)
            ).all()
        )
    assert values == {diet: "Vegetarian", size: "M"}
