"""In Chromium: finance selects an order on the Pending invoice orders page (the same
`render_bulk_actions` menu as the grid's), validates it from More actions (dry run, then
confirm), and the order is paid with its attendees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from orders_core.db import get_engine, unit_of_work
from orders_core.models import Attendee, Order
from tests.browser.conftest import create_database, open_pending_list
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(tmp_path_factory.mktemp("validate_browser") / "orders.db", orders=0, roles=("finance",))
    engine = get_engine(database.url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Finance Days")
        badge = make_tariff(session, event, name="Day badge", unit_price_ht=Decimal("80.00"))
        make_order(
            session,
            event,
            [(badge, 2)],
            company_name="Acme",
            holders=[("Ada", "Lovelace", "ada@example.org"), ("Charles", "Babbage", "cb@example.org")],
        )
    engine.dispose()
    return database


def test_finance_validates_a_pending_invoice_order(signed_in_page, app_database):
    page = signed_in_page("finance")
    box = open_pending_list(page)
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the first row's marker (the grid is a canvas)
    expect(page.get_by_text("1 order selected")).to_be_visible()

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Validate orders").click()
    dialog = page.get_by_role("dialog", name="Validate orders")
    expect(dialog.get_by_text("Attendees to create")).to_be_visible()
    expect(dialog).to_contain_text("€192.00")  # the dry run's amount: 2 x 80.00 + 20 % tax
    dialog.get_by_role("button", name="Validate 1 order").click()
    expect(dialog.get_by_text("1 order validated: 2 attendees created, 1 email queued.")).to_be_visible()

    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        assert conn.execute(select(Order.status)).scalars().all() == ["paid"]
        names = conn.execute(select(Attendee.first_name).order_by(Attendee.id)).scalars().all()
        assert names == ["Ada", "Charles"]
        assert conn.execute(select(func.count()).select_from(Attendee)).scalar() == 2
    dialog.get_by_test_id("stBaseButton-primary").filter(has_text="Close").click()  # ours: the X is also named Close
    expect(page.get_by_text("No invoice order is waiting for payment.")).to_be_visible()
