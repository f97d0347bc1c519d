"""In Chromium: finance selects every pending invoice order, more than one call validates
(`validation.BACKGROUND_ABOVE`), confirms them from the same dialog, and the page follows the
background job the worker runs to its summary, and the list, drawn again, is empty; every order
ends paid with its attendees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from bench.lifecycle import make_awaiting_orders
from orders_core import background
from orders_core.db import get_engine
from orders_core.models import Attendee, Order
from orders_core.services.validation import BACKGROUND_ABOVE
from orders_core.worker import JobRun
from tests.browser.conftest import create_database, open_pending_list

pytestmark = pytest.mark.browser

ORDERS = BACKGROUND_ABOVE + 4  # 1 to 4 badges in turn: 2.5 attendees per order
ATTENDEES = ORDERS * 5 // 2


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(
        tmp_path_factory.mktemp("background_browser") / "orders.db", orders=0, roles=("finance",)
    )
    engine = get_engine(database.url)
    make_awaiting_orders(engine, ORDERS, event_name="Browser Bulk Days")
    engine.dispose()
    return database


def test_finance_validates_more_orders_than_one_call_takes_and_watches_the_job(signed_in_page, app_database):
    count = f"{ORDERS:,}"
    page = signed_in_page("finance")
    box = open_pending_list(page)
    page.mouse.click(box["x"] + 15, box["y"] + 17)  # the header's marker selects every row (a canvas)
    expect(page.get_by_text(f"{count} orders selected")).to_be_visible()

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Validate orders").click()
    dialog = page.get_by_role("dialog", name="Validate orders")
    expect(
        dialog.get_by_text(f"More than {BACKGROUND_ABOVE:,} orders: they are validated in the background")
    ).to_be_visible()
    dialog.get_by_role("button", name=f"Validate {count} orders in the background").click()
    expect(page.get_by_text("Waiting for the worker…")).to_be_visible()

    engine = get_engine(app_database.url)
    with engine.connect() as conn:  # queued: nothing validated before the worker runs it
        assert conn.execute(select(func.count()).where(Order.status == "paid")).scalar_one() == 0
    summary = background.run_background_jobs(JobRun(engine, datetime.now(UTC), lambda: False))
    assert summary.endswith("done")
    expect(
        page.get_by_text(
            f"Background validation done: {count} orders validated, {ATTENDEES:,} attendees created, "
            f"{count} emails queued."
        )
    ).to_be_visible()
    expect(page.get_by_text("No invoice order is waiting for payment.")).to_be_visible()  # the list redrawn
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(Order.status == "paid")).scalar_one() == ORDERS
        assert conn.execute(select(func.count()).select_from(Attendee)).scalar_one() == ATTENDEES
