"""In Chromium: sign in, filter the grid to pending invoice orders, open one, see its tabs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests import grid_dataset
from tests.browser.conftest import AppDatabase, wait_for_app

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "finance@example.org", "correct horse battery staple"


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """The grid dataset (tests/grid_dataset.py) and one finance account."""
    url = f"sqlite:///{tmp_path_factory.mktemp('grid_browser') / 'orders.db'}"
    upgrade(url)
    engine = get_engine(url)
    numbers = grid_dataset.build(engine)
    with unit_of_work(engine) as session:
        add_user(session, actor=SYSTEM_ACTOR, email=EMAIL, role="finance", password=PASSWORD, full_name="Fin")
    engine.dispose()
    return AppDatabase(url=url, accounts={"finance": (EMAIL, PASSWORD)}, facts={"numbers": numbers})


def test_filtering_to_pending_invoice_orders_and_opening_one_shows_its_tabs(signed_in_page, app_database):
    numbers = app_database.facts["numbers"]
    page = signed_in_page("finance")
    page.get_by_role("link", name="Orders", exact=True).first.click()
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    page.get_by_test_id("stMain").get_by_text("Pending", exact=True).click()
    expect(page).to_have_url(re.compile(r"group=pending"))
    page.get_by_text("Filters", exact=True).click()
    page.get_by_test_id("stMultiSelect").filter(has_text="Payment modes").locator("input").click()
    page.get_by_role("option", name="On invoice").click()
    page.keyboard.press("Escape")
    expect(page.get_by_text("2 orders", exact=True).first).to_be_visible()
    expect(page).to_have_url(re.compile(r"group=pending.*mode=invoice|mode=invoice.*group=pending"))

    # Select the first row by its row marker; the grid is a canvas.
    grid = page.get_by_test_id("stDataFrame").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.get_by_role("link", name=f"Open order {numbers[3]}").click()
    expect(page.get_by_role("heading", name=f"Order {numbers[3]}")).to_be_visible()
    expect(page.get_by_role("tab")).to_have_text(
        ["Detail", "Order items", "Lines", "UTM", "Payments", "Invoices", "History", "Notes", "Emails", "E-tickets"]
    )
    page.get_by_role("tab", name="Order items").click()
    expect(page.get_by_text("Future attendee record: created when the order is paid.").first).to_be_visible()


def test_a_filter_change_reruns_only_the_grid_and_the_address_follows(signed_in_page, app_database):
    """Issue 19: the grid's filters are in a fragment: the browser asks the server to rerun that
    fragment only (its id in the rerun request), not the router and the whole page."""
    page = signed_in_page("finance", "orders")
    reruns: list[BackMsg] = []

    def record(socket) -> None:
        if socket.url.endswith("/_stcore/stream"):
            socket.on("framesent", lambda payload: _record(reruns, payload))

    page.on("websocket", record)
    page.reload()  # a new websocket, recorded from its start
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    wait_for_app(page)
    count = page.get_by_text(re.compile(r"^\d+ orders?$")).first
    every_order = count.inner_text()
    reruns.clear()

    page.get_by_test_id("stMain").get_by_text("Pending", exact=True).click()
    expect(page).to_have_url(re.compile(r"group=pending"))
    expect(count).not_to_have_text(every_order)  # the grid follows the filter
    wait_for_app(page)
    assert reruns, "the click sent no rerun request"
    assert all(message.rerun_script.fragment_id for message in reruns)

    page.get_by_test_id("stMain").get_by_text("Validated", exact=True).click()
    expect(page).to_have_url(re.compile(r"group=validated"))
    expect(page).not_to_have_url(re.compile(r"group=pending"))
    expect(count).to_be_visible()
    wait_for_app(page)
    assert len(reruns) >= 2
    assert all(message.rerun_script.fragment_id for message in reruns)


def _record(reruns: list[BackMsg], payload) -> None:
    if isinstance(payload, bytes):
        message = BackMsg.FromString(payload)
        if message.WhichOneof("type") == "rerun_script":
            reruns.append(message)


def test_a_filter_change_after_signing_out_in_another_tab_meets_the_sign_in_form(
    signed_in_page, app_server, app_database
):
    """Fail closed in a fragment's own rerun too (ui/fragments.py): it does not go through the
    router, so it checks the session itself."""
    first = signed_in_page("finance", "orders")
    expect(first.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    second = first.context.new_page()
    second.goto(f"{app_server}/orders")
    expect(second.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    wait_for_app(second)

    first.get_by_role("button", name="Sign out").click()
    expect(first.get_by_role("button", name="Sign in")).to_be_visible()

    second.get_by_test_id("stMain").get_by_text("Pending", exact=True).click()
    expect(second.get_by_role("button", name="Sign in")).to_be_visible()
    expect(second.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(second.get_by_role("heading", name="Orders", exact=True)).to_have_count(0)
