"""In Chromium: an event manager creates an invoice order for two badges with the wizard, opens
it, finds it in the orders grid with the source "By the organiser", and its email is queued."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.models import Order, OrderItem, OutboxEmail
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests.factories import make_event, make_tariff

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EMAIL, PASSWORD = "manager@wizard.example.org", "Wizard-Browser-2026!"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def wizard_app(tmp_path_factory):
    """A migrated SQLite database with one event, a manager, and the app served from it."""
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
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("streamlit")),
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "ORDERS_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(120):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Streamlit server did not start")
        yield base, engine
    finally:
        server.terminate()
        server.wait(timeout=20)
        engine.dispose()


@pytest.fixture
def page(wizard_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 3600, "height": 2200})
        yield tab
        browser.close()


def settle(page) -> None:
    page.wait_for_timeout(300)  # let the action's rerun start before waiting for its end
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


def test_an_invoice_order_for_two_badges_is_created_listed_by_the_organiser_and_emailed(wizard_app, page):
    base, engine = wizard_app
    page.goto(base)
    settle(page)
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    page.get_by_role("link", name="New order").click()
    settle(page)

    # 1. tariffs
    page.get_by_role("combobox", name="Event").click()
    page.get_by_role("option", name="Browser Summit").click()
    settle(page)
    page.get_by_role("spinbutton").first.fill("2")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_text("€360.00").wait_for()  # 2 x 150 + 20 % tax, live
    page.get_by_role("button", name="Next").click()
    settle(page)

    # 2. buyer: the email is mandatory
    page.get_by_role("textbox", name="First name *").fill("Ada")
    page.get_by_role("textbox", name="Last name *").fill("Lovelace")
    page.get_by_role("button", name="Next").click()
    settle(page)
    page.get_by_text("The buyer's email is mandatory.").wait_for()
    page.get_by_role("textbox", name="Email *").fill("ada@example.org")
    page.get_by_role("button", name="Next").click()
    settle(page)

    # 3. holders: the first is the buyer, the second someone else
    page.get_by_text("Same as buyer").click()
    settle(page)
    page.get_by_role("textbox", name="First name *").nth(1).fill("Grace")
    page.get_by_role("textbox", name="Last name *").nth(1).fill("Hopper")
    page.get_by_role("button", name="Next").click()
    settle(page)

    # 4. on invoice, payment details emailed
    page.get_by_text("Send the payment details to the buyer by email").click()
    settle(page)
    page.get_by_role("button", name="Create the order").click()
    # the new order opens on its detail page (wait for it: the save happens in that rerun)
    page.wait_for_url("**/order?order=*", timeout=60000)
    settle(page)

    with unit_of_work(engine) as session:
        order = session.scalars(select(Order)).one()
        number = order.number
        assert (order.source, order.status, order.payment_mode) == ("organizer", "awaiting_payment", "invoice")
        assert order.total_ttc == Decimal("360.00")
        assert session.scalars(select(OrderItem.holder_first_name).order_by(OrderItem.id)).all() == ["Ada", "Grace"]
        email = session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == order.id)).one()
        assert (email.kind, email.status, email.recipient) == ("payment_details", "queued", "ada@example.org")
    page.wait_for_url(f"**/order?order={number}")
    page.get_by_text(str(number)).first.wait_for()

    # the grid lists it with the source "By the organiser"
    page.get_by_role("link", name="Orders", exact=True).click()
    settle(page)
    page.get_by_role("textbox", name="Search").fill(str(number))
    page.keyboard.press("Enter")
    settle(page)
    page.locator("[data-testid^='glide-cell-']").first.wait_for(state="attached")
    cells = page.locator("[data-testid^='glide-cell-']").all_text_contents()
    assert str(number) in " ".join(cells)
    assert "By the organiser" in cells
