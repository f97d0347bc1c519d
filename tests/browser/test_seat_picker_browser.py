"""In Chromium: an event manager sells two seats of a seated event with the wizard. Step 3 draws
the seat plan (a plotly picture, the seat already sold left out of the pickers); the order is
created holding the two seats picked."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.models import Order, Seat, SeatAssignment
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests.browser.conftest import AppDatabase, wait_for_app
from tests.factories import make_event, make_order, make_seat_plan, make_tariff

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "manager@seats.example.org", "Balcony-Browser-2026!"


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """A seated event (plan A-1-1 ... A-2-6, A-1-1 sold), one ticket tariff, an event manager."""
    url = f"sqlite:///{tmp_path_factory.mktemp('seats_browser') / 'orders.db'}"
    upgrade(url)
    engine = get_engine(url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Opera", seated=True)
        ticket = make_tariff(session, event, kind="ticket", name="Stalls", unit_price_ht=Decimal("40.00"))
        make_seat_plan(session, event, rows="1-2", per_row=6)
        make_order(session, event, [(ticket, 1)], seats=["A-1-1"])
        add_user(
            session, actor=SYSTEM_ACTOR, email=EMAIL, role="event_manager", password=PASSWORD, full_name="Seat Desk"
        )
    engine.dispose()
    return AppDatabase(url=url, accounts={"event_manager": (EMAIL, PASSWORD)})


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 2400, "height": 2200}, locale="en-GB")
    yield context.new_page()
    context.close()


def step_heading(page, title: str):
    return page.get_by_role("heading", name=re.compile(rf"^\d\. {re.escape(title)}$"))


def pick_seat(page, index: int, seat: str) -> None:
    page.get_by_role("combobox", name="Seat").nth(index).click()
    expect(page.get_by_role("option", name="A-1-1", exact=True)).to_have_count(0)  # sold: not offered
    page.get_by_role("option", name=seat, exact=True).click()
    wait_for_app(page)


def test_two_seats_are_picked_beside_the_plan_and_sold_with_the_order(signed_in_page, app_database):
    page = signed_in_page("event_manager")
    page.get_by_role("link", name="New order").click()
    expect(step_heading(page, "Tariffs")).to_be_visible()
    page.get_by_role("combobox", name="Event").click()
    page.get_by_role("option", name="Browser Opera").click()
    expect(page.get_by_role("spinbutton")).to_have_count(1)
    page.get_by_role("spinbutton").first.fill("2")
    page.keyboard.press("Enter")
    expect(page.get_by_text("€96.00")).to_be_visible()
    page.get_by_role("button", name="Next").click()

    expect(step_heading(page, "Buyer and billing")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("textbox", name="First name *").fill("Ada")
    page.get_by_role("textbox", name="Last name *").fill("Lovelace")
    page.get_by_role("textbox", name="Email *").fill("ada@example.org")
    page.get_by_role("button", name="Next").click()

    expect(step_heading(page, "Holders")).to_be_visible()
    wait_for_app(page)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_be_visible()  # the plan as a picture
    expect(page.get_by_text("11 of 12 seats free.", exact=False)).to_be_visible()
    for index, name in enumerate(("Grace", "Alan")):
        page.get_by_role("textbox", name="First name *").nth(index).fill(name)
        page.get_by_role("textbox", name="Last name *").nth(index).fill("Guest")
    wait_for_app(page)
    pick_seat(page, 0, "A-1-2")
    pick_seat(page, 1, "A-1-3")
    page.get_by_role("button", name="Next").click()

    expect(step_heading(page, "Summary and payment")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("button", name="Create the order").click()
    expect(page).to_have_url(re.compile(r"/order\?order=\d{7}"))

    engine = get_engine(app_database.url)
    with unit_of_work(engine) as session:
        order = session.scalars(select(Order).order_by(Order.id.desc())).first()
        seats = session.scalars(
            select(Seat.label)
            .join(SeatAssignment, SeatAssignment.seat_id == Seat.id)
            .where(SeatAssignment.order_id == order.id)
            .order_by(Seat.label)
        ).all()
    assert seats == ["A-1-2", "A-1-3"]
