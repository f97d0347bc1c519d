"""In Chromium: finance selects an overpaid order on the orders grid, opens More actions ->
Refund the excess, reads the dry run, gives the reason and confirms; the refund is a row of the
ledger and the order is paid exactly again."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.models import Order, Refund
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from tests.browser.conftest import create_database
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(tmp_path_factory.mktemp("excess_browser") / "orders.db", orders=0, roles=("finance",))
    engine = get_engine(database.url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Excess Days")
        badge = make_tariff(session, event, name="Day badge", unit_price_ht=Decimal("80.00"))
        order = make_order(session, event, [(badge, 1)], buyer_first_name="Grace", buyer_last_name="Hopper")
        database.facts["id"], database.facts["number"] = order.id, order.number  # 96.00 incl. tax
    with unit_of_work(engine) as session:
        confirm_payment(
            session,
            actor=Actor("fin@example.org", "finance"),
            order_id=database.facts["id"],
            amount="100.00",
            method="bank_transfer",
            received_at=datetime.now(UTC).date(),
            allow_overpayment=True,
        )
    engine.dispose()
    return database


def test_finance_refunds_the_excess_of_a_selected_overpaid_order(signed_in_page, app_server, app_database):
    page = signed_in_page("finance")
    page.goto(f"{app_server}/orders")  # signed in: the session cookie stays
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the first row's marker (the grid is a canvas)
    expect(page.get_by_text("1 order selected")).to_be_visible()

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Refund the excess").click()
    dialog = page.get_by_role("dialog", name="Refund the excess")
    expect(dialog.get_by_text("Refunds to record", exact=True)).to_be_visible()
    expect(dialog).to_contain_text("€4.00")  # the dry run: 100.00 received for 96.00
    confirm = dialog.get_by_role("button", name="Refund the excess of 1 order")
    expect(confirm).to_be_disabled()  # the reason is required
    dialog.get_by_label("Reason (required)").fill("Paid 4.00 too much by transfer")
    dialog.get_by_label("Reference (optional)").click()  # leaving the text area sends its value
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(dialog.get_by_text("1 refund recorded: €4.00.")).to_be_visible()

    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        refunds = conn.execute(select(Refund.order_id, Refund.amount, Refund.reason)).all()
        state = conn.execute(select(Order.payment_state).where(Order.id == app_database.facts["id"])).scalar_one()
    assert [(r[0], Decimal(str(r[1])).quantize(Decimal("0.01")), r[2]) for r in refunds] == [
        (app_database.facts["id"], Decimal("4.00"), "Paid 4.00 too much by transfer")
    ]
    assert state == "paid"
