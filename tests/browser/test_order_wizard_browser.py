"""In Chromium: an event manager creates an invoice order for two badges with the wizard, opens
it, finds it in the orders grid with the source "By the organiser", and its email is queued."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.models import Order, OrderItem, OutboxEmail
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests.browser.conftest import AppDatabase, wait_for_app
from tests.factories import make_event, make_tariff

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "manager@wizard.example.org", "Lantern-Browser-2026!"  # not the name: the policy refuses it


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """A migrated SQLite database with one event, one badge and an event manager."""
    url = f"sqlite:///{tmp_path_factory.mktemp('wizard_browser') / 'orders.db'}"
    upgrade(url)
    engine = get_engine(url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Summit")
        make_tariff(session, event, name="Conference badge", unit_price_ht=Decimal("150.00"))
        add_user(
            session,
            actor=SYSTEM_ACTOR,
            email=EMAIL,
            role="event_manager",
            password=PASSWORD,
            full_name="Wizard Manager",
        )
    engine.dispose()
    return AppDatabase(url=url, accounts={"event_manager": (EMAIL, PASSWORD)})


@pytest.fixture
def browser_page(chromium):
    """A very large tab: the four steps fit without scrolling and the grid draws every column."""
    context = chromium.new_context(viewport={"width": 3600, "height": 2200}, locale="en-GB")
    yield context.new_page()
    context.close()


def step_heading(page, title: str):
    return page.get_by_role("heading", name=re.compile(rf"^\d\. {re.escape(title)}$"))


def test_an_invoice_order_for_two_badges_is_created_listed_by_the_organiser_and_emailed(signed_in_page, app_database):
    page = signed_in_page("event_manager")
    page.get_by_role("link", name="New order").click()
    expect(step_heading(page, "Tariffs")).to_be_visible()

    # 1. tariffs
    page.get_by_role("combobox", name="Event").click()
    page.get_by_role("option", name="Browser Summit").click()
    expect(page.get_by_role("spinbutton")).to_have_count(1)
    page.get_by_role("spinbutton").first.fill("2")
    page.keyboard.press("Enter")
    expect(page.get_by_text("€360.00")).to_be_visible()  # 2 x 150 + 20 % tax, live
    page.get_by_role("button", name="Next").click()

    # 2. buyer: the email is mandatory
    expect(step_heading(page, "Buyer and billing")).to_be_visible()
    wait_for_app(page)  # the previous step's faded widgets (its Next button) leave when the run ends
    page.get_by_role("textbox", name="First name *").fill("Ada")
    page.get_by_role("textbox", name="Last name *").fill("Lovelace")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("The buyer's email is mandatory.")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("textbox", name="Email *").fill("ada@example.org")
    page.get_by_role("button", name="Next").click()

    # 3. holders: the first is the buyer, the second someone else
    expect(step_heading(page, "Holders")).to_be_visible()
    wait_for_app(page)  # the previous step's faded widgets (its Next button) leave when the run ends
    page.get_by_text("Same as buyer").first.click()
    expect(page.get_by_role("textbox", name="First name *").first).to_have_value("Ada")
    page.get_by_role("textbox", name="First name *").nth(1).fill("Grace")
    page.get_by_role("textbox", name="Last name *").nth(1).fill("Hopper")
    page.get_by_role("button", name="Next").click()

    # 4. on invoice, payment details emailed
    expect(step_heading(page, "Summary and payment")).to_be_visible()
    wait_for_app(page)  # the previous step's faded widgets (its Next button) leave when the run ends
    page.get_by_text("Send the payment details to the buyer by email").click()
    expect(page.get_by_role("checkbox", name="Send the payment details to the buyer by email")).to_be_checked()
    page.get_by_role("button", name="Create the order").click()
    # the new order opens on its page (the save happens in that rerun)
    expect(page).to_have_url(re.compile(r"/order\?order=\d{7}"))
    expect(page.get_by_role("heading", name=re.compile(r"^Order \d{7}$"))).to_be_visible()

    engine = get_engine(app_database.url)
    with unit_of_work(engine) as session:
        order = session.scalars(select(Order)).one()
        number = order.number
        assert (order.source, order.status, order.payment_mode) == ("organizer", "awaiting_payment", "invoice")
        assert order.total_ttc == Decimal("360.00")
        assert session.scalars(select(OrderItem.holder_first_name).order_by(OrderItem.id)).all() == ["Ada", "Grace"]
        email = session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == order.id)).one()
        assert (email.kind, email.status, email.recipient) == ("payment_details", "queued", "ada@example.org")
    expect(page).to_have_url(re.compile(rf"/order\?order={number}$"))
    expect(page.get_by_text(f"Order {number} created.")).to_be_visible()

    # the grid lists it with the source "By the organiser"
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="Search").fill(str(number))
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 order", exact=False).first).to_be_visible()
    cells = page.locator("[data-testid^='glide-cell-']")
    expect(cells.filter(has_text=str(number)).first).to_be_attached()
    expect(cells.filter(has_text="By the organiser").first).to_be_attached()
