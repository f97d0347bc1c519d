"""In Chromium: an event manager opens a paid order's E-tickets tab, downloads the whole order's
e-tickets through the page's link (the browser's own session cookie), gives one ticket to another
person (form, then confirmation), and the next download names the new holder."""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from orders_core.db import get_engine, unit_of_work
from tests.browser.conftest import create_database, wait_for_app
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(
        tmp_path_factory.mktemp("etickets_browser") / "orders.db", orders=0, roles=("event_manager",)
    )
    engine = get_engine(database.url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Ticket Days", venue="Quai des Arts, Lille")
        badge = make_tariff(session, event, name="Day badge", unit_price_ht=Decimal("100.00"))
        order = make_order(
            session, event, [(badge, 2)], status="paid",
            holders=[("Ada", "Lovelace", "ada@example.org"), ("Alan", "Turing", "alan@example.org")],
        )  # fmt: skip
        database.facts["number"] = order.number
    engine.dispose()
    return database


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def download_all(page) -> str:
    link = page.get_by_role("link", name="Download all e-tickets (PDF)")
    expect(link).to_be_visible()
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return pdf_text(response.body())


def test_a_manager_downloads_the_e_tickets_and_changes_a_holder(signed_in_page, app_server, app_database):
    number = app_database.facts["number"]
    page = signed_in_page("event_manager")
    page.goto(f"{app_server}/order?order={number}")
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    page.get_by_role("tab", name="E-tickets").click()
    text = download_all(page)
    assert "Ada Lovelace" in text and "Alan Turing" in text and "Quai des Arts, Lille" in text and str(number) in text

    page.get_by_role("button", name="Change holder").first.click()
    expect(page.get_by_text("New holder of the ticket of Ada Lovelace")).to_be_visible()
    wait_for_app(page)
    for label, value in (("First name", "Grace"), ("Last name", "Hopper")):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.blur()
        wait_for_app(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Give the ticket of Ada Lovelace to Grace Hopper?")).to_be_visible()
    page.get_by_role("button", name="Confirm the change of holder").click()
    expect(page.get_by_text("The ticket now belongs to Grace Hopper: its new e-ticket is ready.")).to_be_visible()
    text = download_all(page)
    assert "Grace Hopper" in text and "Ada Lovelace" not in text and "Alan Turing" in text
