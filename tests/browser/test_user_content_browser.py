"""Issue 13 items 2 and 8 in Chromium: hostile user text renders as text on the order page and
the grid (no image fetched, no outside link, no heading), and an HTML template's preview stays in
its sandboxed frame (its <style> does not restyle the app, its <form> is not in the app's page)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders_core import db
from orders_core.db import unit_of_work
from tests.browser.conftest import wait_for_app
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser

IMAGE = "![x](http://evil.example/t.png)"
LINK = "[click](http://evil.example)"
HEADING = "# Heading"
HTML = "<img src=x>"


@pytest.fixture(scope="module")
def hostile_number(app_database) -> int:
    with unit_of_work(db.get_engine(app_database.url)) as session:
        event = make_event(session, name=LINK)
        tariff = make_tariff(session, event, name=IMAGE, unit_price_ht=Decimal("10.00"))
        order = make_order(
            session,
            event,
            [(tariff, 1)],
            holders=[(IMAGE, HEADING, "")],
            buyer_first_name=IMAGE,
            buyer_last_name=LINK,
            company_name=HEADING,
            utm_source=IMAGE,
            utm_medium=LINK,
            utm_campaign=HEADING,
            notes=f"{HEADING}\n{IMAGE}\n{HTML}",
        )
        return order.number


def assert_nothing_rendered_from_user_text(page) -> None:
    main = page.get_by_test_id("stMain")
    expect(main.locator("img[src*='evil'], img[src='x']")).to_have_count(0)
    # The hostile host, not the word: the grid's export link carries the search (?q=evil) by design.
    expect(main.locator("a[href*='evil.example']")).to_have_count(0)
    expect(main.locator("h1, h2, h3, h4, h5, h6").filter(has_text="Heading")).to_have_count(0)


def test_hostile_user_text_reads_as_typed_on_the_order_page_and_the_grid(signed_in_page, hostile_number):
    page = signed_in_page("admin")
    base = page.url.split("/", 3)
    page.goto(f"{base[0]}//{base[2]}/order?order={hostile_number}")
    # The text as typed (an invisible word joiner inside `://` keeps it from becoming a link).
    expect(
        page.get_by_text(re.compile(r"!\[x\]\(http:\u2060?//evil\.example/t\.png\) \[click\]")).first
    ).to_be_visible()
    wait_for_app(page)
    assert_nothing_rendered_from_user_text(page)
    page.get_by_role("tab", name="Notes").click()
    expect(page.get_by_text(HTML, exact=False).first).to_be_visible()
    assert_nothing_rendered_from_user_text(page)

    page.goto(f"{base[0]}//{base[2]}/orders?q=evil")
    expect(page.get_by_text("1 order", exact=False).first).to_be_visible()
    wait_for_app(page)
    assert_nothing_rendered_from_user_text(page)


def test_an_html_preview_cannot_restyle_the_app_or_put_a_form_in_it(signed_in_page, hostile_number):
    page = signed_in_page("admin")
    base = page.url.split("/", 3)
    page.goto(f"{base[0]}//{base[2]}/email-templates")
    expect(page.get_by_role("textbox", name="Body", exact=True)).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_role("textbox", name="Body", exact=True).fill(
        '<style>body,div{background:rgb(255, 0, 0) !important}</style><form><input name="pw" value="typed"></form>'
    )
    page.get_by_text("HTML body (autoescaped").click()
    page.get_by_label("Preview on order number").fill(str(hostile_number))
    page.get_by_role("button", name="Preview").click()
    frame = page.frame_locator("[data-testid='stMain'] iframe").first.frame_locator("iframe")
    expect(frame.locator("input[name='pw']")).to_be_attached()  # drawn inside the isolated frame
    wait_for_app(page)
    expect(page.locator("input[name='pw']")).to_have_count(0)  # never in the app's page
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
