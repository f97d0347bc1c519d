"""In Chromium against a real server: every page address, signed out, meets the sign-in form - on
a fresh server too, where Streamlit's pages/ folder mode used to answer "Page not found" for an
address that is not a file name (/order, /email-templates) - and, once signed in, the browser shows
the asked page with its query, or says at that address that the role may not see it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from orders_core.db import get_engine
from orders_core.models import Order
from tests.browser.conftest import sign_in, start_app_server, wait_for_app
from ui.registry import PAGES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(app_database) -> dict:
    """The first demo order's number and how many orders are paid."""
    engine = get_engine(app_database.url)
    with engine.connect() as connection:
        first = connection.scalar(select(func.min(Order.number)))
        paid = connection.scalar(select(func.count()).where(Order.status == "paid", Order.deleted_at.is_(None)))
    engine.dispose()
    return {"number": first, "paid": paid}


def expect_the_sign_in_form_alone(page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stDialog")).to_have_count(0)  # Streamlit's "Page not found"
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def test_on_a_fresh_server_an_order_link_meets_the_sign_in_form_then_shows_the_order(
    browser_page, app_database, demo, tmp_path
):
    number = demo["number"]
    with start_app_server(app_database.url, log_path=tmp_path / "streamlit.log") as base_url:
        browser_page.goto(f"{base_url}/order?order={number}")  # the first session of the process
        expect_the_sign_in_form_alone(browser_page)
        sign_in(browser_page, *app_database.accounts["admin"])
        expect(browser_page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
        expect(browser_page).to_have_url(re.compile(rf"/order\?order={number}$"))
        expect(browser_page.get_by_test_id("stDialog")).to_have_count(0)


def test_every_page_address_signed_out_meets_the_sign_in_form(browser_page, app_server):
    for spec in PAGES:
        browser_page.goto(f"{app_server}/{spec.url_path}")
        expect_the_sign_in_form_alone(browser_page)
        expect(browser_page).to_have_url(re.compile(rf"/{spec.url_path}$"))


@pytest.mark.parametrize(
    ("role", "address", "heading"),
    [
        ("admin", "order?order={number}", "Order {number}"),
        ("event_manager", "new-order?modify={number}", "Modify order {number}"),
        ("admin", "email-templates", "Email templates"),
        ("marketer", "orders?status=paid", "Orders"),
    ],
)
def test_a_deep_link_shows_the_asked_page_with_its_query_once_signed_in(signed_in_page, demo, role, address, heading):
    address, heading = address.format(**demo), heading.format(**demo)
    page = signed_in_page(role, path=address)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(f"/{address}") + "$"))
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    if address.startswith("orders?"):  # the query filters the grid: only the paid orders
        expect(page.get_by_text(f"{demo['paid']} orders", exact=True).first).to_be_visible()


def test_a_page_the_role_may_not_see_says_so_at_its_address(signed_in_page, demo):
    address = f"new-order?modify={demo['number']}"
    page = signed_in_page("marketer", path=address)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("This page is not available to your role (Marketer).")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(f"/{address}") + "$"))
    expect(main.get_by_role("heading", name=f"Modify order {demo['number']}")).to_have_count(0)
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav").get_by_text("New order", exact=True)).to_have_count(0)
    main.get_by_role("link", name="Go to the overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
