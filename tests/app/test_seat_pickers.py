"""Seat plans in the pages (issue 18) through AppTest: the events page adds a block of seats and
shows the plan; the wizard and "Add a ticket" draw the plan, offer only free seats (the order's
neighbours first) and save the seat picked; a seat sold meanwhile is refused with the message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Event, Order, OrderItem, Seat, SeatAssignment, Tariff
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_seat_plan, make_tariff

ROOT = Path(__file__).resolve().parents[2]
MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


@pytest.fixture
def hall(engine, db_url, monkeypatch):
    """A seated event with a plan A-1-1 ... A-3-10 and a paid organiser order holding A-2-5."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Opera night", seated=True)
        ticket = make_tariff(session, event, kind="ticket", name="Stalls", unit_price_ht=Decimal("50.00"))
        make_seat_plan(session, event)
        sold = make_order(session, event, [(ticket, 1)], status="paid", source="organizer", seats=["A-2-5"])
        return {"event": event.id, "ticket": ticket.id, "sold": sold.number, "sold_id": sold.id}


def seats_of(engine, order_id: int) -> list[str]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(Seat.label)
                .join(SeatAssignment, SeatAssignment.seat_id == Seat.id)
                .where(SeatAssignment.order_id == order_id)
                .order_by(Seat.label)
            )
        )


def pictures(at: AppTest) -> list:
    return at.get("plotly_chart")


def test_the_events_page_adds_a_block_of_seats_and_shows_the_plan(engine, hall):
    at = open_page("pages/events.py", MANAGER, query={"event": str(hall["event"])})
    assert not at.exception
    at.text_input(key="events.seats.section").input("Balcony")
    at.text_input(key="events.seats.rows").input("A-B")
    at.number_input(key="events.seats.per_row").set_value(8)
    next(b for b in at.button if b.label == "Add the seats").click()
    at.run()
    assert not at.exception
    assert any("16 seats added to Opera night" in s.value for s in at.success)
    with unit_of_work(engine) as session:
        labels = session.scalars(select(Seat.label).where(Seat.section == "Balcony").order_by(Seat.id)).all()
    assert labels[0] == "Balcony-A-1" and len(labels) == 16
    assert pictures(at)  # the plan as a picture


def test_a_bad_block_shows_the_message_and_adds_nothing(engine, hall):
    at = open_page("pages/events.py", MANAGER, query={"event": str(hall["event"])})
    at.text_input(key="events.seats.section").input("A")
    at.text_input(key="events.seats.rows").input("1")
    next(b for b in at.button if b.label == "Add the seats").click()
    at.run()
    assert any("Seat A-1-1 is already in the plan" in e.value for e in at.error)


def _to_holders_step(at: AppTest, hall: dict, tickets: int) -> AppTest:
    at.selectbox(key="wizard.w.event").select(hall["event"]).run()
    at.number_input(key=f"wizard.w.qty.{hall['ticket']}").set_value(tickets).run()
    at.button(key="wizard.next").click().run()
    for key, value in (("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.org")):
        at.text_input(key=f"wizard.w.buyer.{key}").input(value).run()
    at.button(key="wizard.next").click().run()
    assert at.session_state["wizard"].step == 3
    return at


def _fill_holder(at: AppTest, hall: dict, index: int, seat: str) -> None:
    prefix = f"wizard.w.h.{hall['ticket']}.{index}."
    at.text_input(key=prefix + "first_name").input(f"Guest{index}").run()
    at.text_input(key=prefix + "last_name").input("Opera").run()
    at.selectbox(key=prefix + "seat").set_value(seat).run()


def test_the_wizard_draws_the_plan_offers_free_seats_and_saves_the_seats_picked(engine, hall):
    at = _to_holders_step(open_page("pages/order_wizard.py", MANAGER), hall, tickets=2)
    assert not at.exception and pictures(at)
    options = at.selectbox(key=f"wizard.w.h.{hall['ticket']}.0.seat").options
    assert "A-2-5" not in options and "A-1-1" in options and len(options) == 30  # "Choose" and 29 free seats
    _fill_holder(at, hall, 0, "A-1-1")
    _fill_holder(at, hall, 1, "A-1-2")
    at.button(key="wizard.next").click().run()
    assert at.session_state["wizard"].step == 4
    at.button(key="wizard.save").click().run()
    assert not at.exception and not at.error
    with unit_of_work(engine) as session:
        order = session.scalars(select(Order).where(Order.number != hall["sold"])).one()
        order_id = order.id
    assert seats_of(engine, order_id) == ["A-1-1", "A-1-2"]


def test_a_seat_sold_while_the_wizard_was_open_is_refused_with_the_message(engine, hall):
    at = _to_holders_step(open_page("pages/order_wizard.py", MANAGER), hall, tickets=1)
    _fill_holder(at, hall, 0, "A-3-3")
    at.button(key="wizard.next").click().run()
    with unit_of_work(engine) as session:  # another desk sells A-3-3 meanwhile
        event, ticket = session.get_one(Event, hall["event"]), session.get_one(Tariff, hall["ticket"])
        make_order(session, event, [(ticket, 1)], seats=["A-3-3"])
    at.button(key="wizard.save").click().run()
    assert any("Seat A-3-3 is already sold for this event" in e.value for e in at.error)
    with unit_of_work(engine) as session:
        assert session.scalars(select(OrderItem.seat).where(OrderItem.seat == "A-3-3")).all() == ["A-3-3"]


def actions_script(number: int) -> None:
    from ui.order_edit_actions import render_modify_and_add_tickets

    render_modify_and_add_tickets(number)


def test_adding_a_ticket_offers_the_seats_next_to_the_order_first_and_saves_one(engine, hall):
    number = hall["sold"]
    at = AppTest.from_function(actions_script, args=(number,), default_timeout=60)
    at.session_state["auth.user"] = MANAGER
    at.run()
    key = f"order_edit.{number}"
    assert not at.exception and pictures(at)
    options = at.selectbox(key=f"{key}.add_seat.0").options
    assert options[:3] == ["Choose a seat", "A-2-4", "A-2-6"] and "A-2-5" not in options  # its neighbours first
    at.selectbox(key=f"{key}.add_seat.0").set_value("A-2-6").run()
    at.text_area(key=f"{key}.add_note").input("Next to the first seat").run()
    at.button(key=f"{key}.add_save").click().run()
    assert not at.exception and not at.error
    assert seats_of(engine, hall["sold_id"]) == ["A-2-5", "A-2-6"]


def test_modifying_offers_the_order_own_seat_and_its_neighbours_and_moves_the_seat(engine, hall):
    with unit_of_work(engine) as session:
        event, ticket = session.get_one(Event, hall["event"]), session.get_one(Tariff, hall["ticket"])
        order = make_order(session, event, [(ticket, 1)], source="organizer", seats=["A-3-5"])
        number, order_id = order.number, order.id
    at = open_page("pages/order_wizard.py", MANAGER, query={"modify": str(number)})
    at.button(key="wizard.goto.3").click().run()
    assert not at.exception and pictures(at)
    picker = at.selectbox(key=f"wizard.w.h.{hall['ticket']}.0.seat")
    assert picker.value == "A-3-5"
    assert picker.options[:4] == ["Choose a seat", "A-3-5", "A-3-4", "A-3-6"]  # its own seat, then its neighbours
    picker.set_value("A-3-6").run()
    at.button(key="wizard.goto.4").click().run()
    at.button(key="wizard.save").click().run()
    assert not at.exception and not at.error
    assert seats_of(engine, order_id) == ["A-3-6"]


def test_the_holders_step_asks_for_a_seat_per_ticket_before_moving_on(engine, hall):
    at = _to_holders_step(open_page("pages/order_wizard.py", MANAGER), hall, tickets=2)
    _fill_holder(at, hall, 0, "A-1-4")
    prefix = f"wizard.w.h.{hall['ticket']}.1."
    at.text_input(key=prefix + "first_name").input("Alan").run()
    at.text_input(key=prefix + "last_name").input("Turing").run()
    at.button(key="wizard.next").click().run()
    assert any("choose a seat for each badge or ticket" in e.value for e in at.error)
    assert at.session_state["wizard"].step == 3
    at.selectbox(key=prefix + "seat").set_value("A-1-4").run()
    at.button(key="wizard.next").click().run()
    assert any("The same seat is chosen twice." in e.value for e in at.error)
    at.selectbox(key=prefix + "seat").set_value("A-1-5").run()
    at.button(key="wizard.next").click().run()
    assert at.session_state["wizard"].step == 4
