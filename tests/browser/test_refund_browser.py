"""In Chromium: finance opens a paid order, records a partial refund from its Payments tab
(review, then confirm) and sees the refund in the ledger and the new payment state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.models import Order
from tests.browser.conftest import create_database, wait_for_app
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(tmp_path_factory.mktemp("refund_browser") / "orders.db", orders=0, roles=("finance",))
    engine = get_engine(database.url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Refund Days")
        badge = make_tariff(session, event, name="Day badge", unit_price_ht=Decimal("80.00"))
        order = make_order(session, event, [(badge, 1)], status="paid")  # 96.00 incl. tax
        database.facts["number"] = order.number
    engine.dispose()
    return database


def test_finance_records_a_partial_refund_and_sees_the_payment_state(signed_in_page, app_server, app_database):
    number = app_database.facts["number"]
    page = signed_in_page("finance")
    page.goto(f"{app_server}/order?order={number}")  # signed in: the session cookie stays
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    page.get_by_role("tab", name="Payments").click()
    page.get_by_text("Record a refund", exact=True).click()
    page.get_by_label("Amount (EUR)").fill("30.00")
    reason = page.get_by_label("Reason (required)")
    reason.fill("Goodwill gesture")
    reason.blur()  # the text area commits on blur: the submit's click must not be the blur
    wait_for_app(page)
    page.get_by_role("button", name="Review the refund").click()
    expect(page.get_by_text("Confirm the refund").first).to_be_visible()
    page.get_by_role("button", name="Confirm the refund").click()
    expect(page.get_by_text("Refund of €30.00 recorded: the order is now “Partially refunded”.")).to_be_visible()
    expect(page.get_by_text("Partially refunded").first).to_be_visible()

    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        state, kept = conn.execute(select(Order.payment_state, Order.amount_paid)).one()
    assert (state, Decimal(str(kept))) == ("partially_refunded", Decimal("66.00"))
