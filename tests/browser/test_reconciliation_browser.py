"""In Chromium: finance imports a bank statement on the Bank reconciliation page (the real file
uploader), sees each line's classification and reason (a transfer for an order already paid is
never proposed as a payment), filters the lines, confirms the decided matches after the dry run,
and the order is paid."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.models import Order
from tests.browser.conftest import create_database
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser

STATEMENT = (
    "Date;Montant;Devise;Donneur d'ordre;Communication\n"
    "03/11/2026;120,00;EUR;Zoé Lefèvre;CMD 3000001\n"
    "04/11/2026;120,00;EUR;Jean Dupont;CMD 3000002 again\n"
).encode()


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(tmp_path_factory.mktemp("reconciliation_browser") / "orders.db", orders=0)
    engine = get_engine(database.url)
    created = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Bank Days")
        badge = make_tariff(session, event, name="Day badge", unit_price_ht=Decimal("100.00"))
        make_order(
            session,
            event,
            [(badge, 1)],
            number=3000001,
            buyer_first_name="Zoé",
            buyer_last_name="Lefèvre",
            created_at=created,
        )
        make_order(
            session,
            event,
            [(badge, 1)],
            number=3000002,
            status="paid",
            buyer_first_name="Jean",
            buyer_last_name="Dupont",
            created_at=created,
        )
    engine.dispose()
    return database


def wait_idle(page) -> None:
    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_attached()


def test_finance_imports_a_statement_and_confirms_the_decided_match(signed_in_page, app_database, tmp_path):
    page = signed_in_page("finance")
    page.get_by_role("link", name="Bank reconciliation").first.click()
    expect(page.get_by_role("heading", name="Bank reconciliation")).to_be_visible()
    statement = tmp_path / "november.csv"
    statement.write_bytes(STATEMENT)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(statement))
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Order 3000001 owes €120.00: this transfer pays it exactly")).to_be_visible()
    expect(
        page.get_by_text(
            "Order 3000002 is already paid (on 1 Nov 2026); this transfer of €120.00 may be a second payment"
        )
    ).to_be_visible()
    expect(page.get_by_text("Dry run: 1 line would pay 1 order: €120.00.")).to_be_visible()

    page.locator("button", has_text="Already paid (1)").click()  # the filter by classification
    wait_idle(page)
    expect(page.get_by_text("Order 3000001 owes €120.00: this transfer pays it exactly")).to_have_count(0)
    expect(page.get_by_text("1 line in this view", exact=True)).to_be_visible()
    page.locator("button", has_text="All lines (2)").click()
    wait_idle(page)

    page.get_by_role("button", name="Confirm 1 decided match").click()
    expect(page.get_by_text("1 line confirmed, paying 1 order: €120.00.")).to_be_visible()
    expect(page.get_by_text("Recorded as a payment of €120.00 on order 3000001")).to_be_visible()

    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(Order.number, Order.status)).all())
    assert statuses == {3000001: "paid", 3000002: "paid"}
    engine.dispose()
