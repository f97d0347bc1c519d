"""In Chromium (issue 18, item 9): a click on an order number in the grid opens that order in the
same tab, its address naming it; the Order page's lookup field opens the order a name finds."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests import grid_dataset
from tests.browser.conftest import AppDatabase, wait_for_app

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "finance@example.org", "correct horse battery staple"
ROW_MARKER_PX, ROW_PX = 30, 35  # the grid is a canvas (docs/architecture: pitfalls)


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """The grid dataset (tests/grid_dataset.py) and one finance account."""
    url = f"sqlite:///{tmp_path_factory.mktemp('lookup_browser') / 'orders.db'}"
    upgrade(url)
    engine = get_engine(url)
    numbers = grid_dataset.build(engine)
    with unit_of_work(engine) as session:
        add_user(session, actor=SYSTEM_ACTOR, email=EMAIL, role="finance", password=PASSWORD, full_name="Fin")
    engine.dispose()
    return AppDatabase(url=url, accounts={"finance": (EMAIL, PASSWORD)}, facts={"numbers": numbers})


def test_a_click_on_a_number_opens_the_order_in_the_same_tab_and_the_lookup_opens_another(signed_in_page, app_database):
    numbers = app_database.facts["numbers"]
    page = signed_in_page("finance", path="orders")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    expect(page.get_by_text("7 orders", exact=True).first).to_be_visible()
    wait_for_app(page)

    # The first row (newest first: order 3), its number cell just right of the row marker.
    box = page.get_by_test_id("stDataFrame").first.bounding_box()
    page.mouse.click(box["x"] + ROW_MARKER_PX + 25, box["y"] + ROW_PX + ROW_PX // 2)
    expect(page.get_by_role("heading", name=f"Order {numbers[3]}", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/order\?order={numbers[3]}$"))
    assert len(page.context.pages) == 1  # the same tab, no pop-up

    wait_for_app(page)
    page.get_by_role("textbox", name="Find an order").fill("dupont camille")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Order {numbers[1]}", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/order\?order={numbers[1]}$"))
