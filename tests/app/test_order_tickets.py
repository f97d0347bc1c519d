"""The E-tickets tab of the order page (ui/order_tickets.py) through AppTest: a manager sees each
ticket's download and the whole order's, changes a holder through the form and its confirmation
(new secret, old one void, history written); going back changes nothing; a marketer sees no
holder; an unpaid order has no e-ticket; the order page shows the tab."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Attendee, OrderHistory, OutboxEmail, TicketVoid
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}
FINANCE = {"id": 2, "email": "finance@example.org", "role": "finance", "name": "Finance"}
MARKETER = {"id": 3, "email": "marketer@example.org", "role": "marketer", "name": "Marketer"}


def tickets_script(number: int) -> None:
    from ui.order_tickets import render_order_tickets

    render_order_tickets(number)


@pytest.fixture
def orders(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Forum", venue="Nantes")
        badge = make_tariff(session, event, name="Day pass", unit_price_ht=Decimal("50.00"))
        paid = make_order(
            session, event, [(badge, 2)], status="paid", buyer_email="zoe@example.org",
            holders=[("Zoé", "Lefèvre", ""), ("Marc", "Dubois", "")],
        )  # fmt: skip
        attendees = session.scalars(select(Attendee.id).where(Attendee.order_id == paid.id).order_by(Attendee.id))
        return {
            "paid": paid.number,
            "paid_id": paid.id,
            "attendees": list(attendees),
            "awaiting": make_order(session, event, [(badge, 1)]).number,
        }


def run_as(user: dict, number: int) -> AppTest:
    at = AppTest.from_function(tickets_script, args=(number,), default_timeout=60)
    at.session_state["auth.user"] = user
    return at.run()


def test_a_manager_sees_a_download_per_ticket_and_one_for_the_order(orders):
    at = run_as(MANAGER, orders["paid"])
    assert not at.exception
    first, second = orders["attendees"]
    assert "**Zoé Lefèvre** · Day pass" in [m.value for m in at.markdown]
    buttons = [b.label for b in at.button]
    assert buttons == ["Resend e-tickets", "Change holder", "Change holder"]
    # link buttons are not widgets AppTest lists by type: their URLs are in the page's tree
    urls = [node.proto.url for node in at.get("link_button")]
    assert urls == [
        f"/tickets/order/{orders['paid']}.pdf?lang=en",
        f"/tickets/{first}.pdf?lang=en",
        f"/tickets/{second}.pdf?lang=en",
    ]


def test_a_manager_changes_a_holder_through_the_form_and_its_confirmation(engine, orders):
    first = orders["attendees"][0]
    with unit_of_work(engine) as session:
        old_secret = session.get_one(Attendee, first).ticket_secret
    at = run_as(MANAGER, orders["paid"])
    at.button(key=f"order_tickets.change.{first}").click().run()
    at.text_input(key=f"order_tickets.first_name.{first}").input("Jeanne")
    at.text_input(key=f"order_tickets.last_name.{first}").input("Martin")
    at.text_input(key=f"order_tickets.email.{first}").input("jeanne@example.org")
    at.button(key=f"order_tickets.continue.{first}").click().run()
    assert not at.exception
    assert at.warning[0].value.startswith("Give the ticket of Zoé Lefèvre to Jeanne Martin?")
    with unit_of_work(engine) as session:  # nothing changed before the confirmation
        assert session.get_one(Attendee, first).ticket_secret == old_secret
    at.button(key="order_tickets.confirm").click().run()
    assert not at.exception
    assert at.success[0].value == "The ticket now belongs to Jeanne Martin: its new e-ticket is ready."
    assert "**Jeanne Martin** · Day pass" in [m.value for m in at.markdown]
    with unit_of_work(engine) as session:
        attendee = session.get_one(Attendee, first)
        assert (attendee.first_name, attendee.last_name, attendee.email) == ("Jeanne", "Martin", "jeanne@example.org")
        assert attendee.ticket_secret != old_secret
        assert session.scalars(select(TicketVoid.secret)).all() == [old_secret]
        actions = session.scalars(select(OrderHistory.action).where(OrderHistory.order_id == orders["paid_id"])).all()
        assert actions[-1] == "holder_changed"


def test_going_back_from_the_confirmation_changes_nothing_and_a_refusal_is_shown(engine, orders):
    first = orders["attendees"][0]
    at = run_as(MANAGER, orders["paid"])
    at.button(key=f"order_tickets.change.{first}").click().run()
    at.text_input(key=f"order_tickets.first_name.{first}").input("Jeanne")
    at.button(key=f"order_tickets.continue.{first}").click().run()
    at.button(key="order_tickets.confirm").click().run()
    assert [e.value for e in at.error] == ["The last name is required."]
    at.button(key="order_tickets.back").click().run()
    assert not at.warning
    with unit_of_work(engine) as session:
        assert session.scalars(select(TicketVoid)).all() == []


def test_resend_e_tickets_queues_the_tickets_email_with_its_attachments(engine, orders):
    at = run_as(FINANCE, orders["paid"])
    assert [b.label for b in at.button] == ["Resend e-tickets"]  # finance does not modify orders
    at.button(key="order_tickets.resend").click().run()
    assert at.success[0].value == "E-tickets queued: they leave with the next send."
    with unit_of_work(engine) as session:
        email = session.scalars(
            select(OutboxEmail).where(OutboxEmail.order_id == orders["paid_id"]).order_by(OutboxEmail.id.desc())
        ).first()
        assert email.kind == "tickets"
        assert email.attachments == [{"kind": "ticket", "id": a} for a in orders["attendees"]]


def test_a_marketer_sees_no_holder_and_an_unpaid_order_has_no_e_ticket(orders):
    at = run_as(MARKETER, orders["paid"])
    assert [c.value for c in at.caption] == ["E-tickets name their holders: your role does not show them."]
    assert not at.button
    at = run_as(MANAGER, orders["awaiting"])
    assert [c.value for c in at.caption] == ["No e-ticket: an order has them once it is paid, one per badge or ticket."]


def test_the_order_page_has_an_e_tickets_tab(orders):
    at = open_page("pages/order_detail.py", MANAGER, query={"order": str(orders["paid"])})
    assert not at.exception
    assert [tab.label for tab in at.tabs][-1] == "E-tickets"


def test_the_event_form_takes_the_venue_printed_on_the_e_tickets(engine, db_url, monkeypatch):
    from datetime import date, time

    from orders_core.models import Event

    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    at = open_page("pages/events.py", MANAGER)
    at.text_input(key="events.new.name").input("Lyon Days")
    at.date_input(key="events.new.starts.date").set_value(date(2027, 6, 1))
    at.time_input(key="events.new.starts.time").set_value(time(9, 0))
    at.text_input(key="events.new.venue").input("  Centre de congrès, 50 quai Charles de Gaulle, Lyon ")
    next(b for b in at.button if b.label == "Create the event").click()
    at.run()
    assert not at.exception and [s.value for s in at.success] == ["Event Lyon Days created."]
    with unit_of_work(engine) as session:
        assert session.scalars(select(Event.venue)).one() == "Centre de congrès, 50 quai Charles de Gaulle, Lyon"
