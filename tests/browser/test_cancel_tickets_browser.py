"""In Chromium: finance opens a paid order of two badges, cancels one of them from the Payments
tab with the refund of what is then owed back (review the summary, then confirm), and sees the
new total and payment state; the cancelled holder's attendee is kept, marked cancelled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine, unit_of_work
from orders_core.models import Attendee, Order, Refund
from tests.browser.conftest import create_database, wait_for_app
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    database = create_database(tmp_path_factory.mktemp("cancel_browser") / "orders.db", orders=0, roles=("finance",))
    engine = get_engine(database.url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Browser Cancel Days")
        badge = make_tariff(session, event, name="Day badge", unit_price_ht=Decimal("100.00"))
        order = make_order(
            session,
            event,
            [(badge, 2)],
            status="paid",
            holders=[("Ada", "Lovelace", "ada@example.org"), ("Alan", "Turing", "alan@example.org")],
        )  # 240.00 incl. tax
        database.facts["number"] = order.number
    engine.dispose()
    return database


def test_finance_cancels_one_ticket_of_two_with_its_refund_and_sees_the_new_total(
    signed_in_page, app_server, app_database
):
    number = app_database.facts["number"]
    page = signed_in_page("finance")
    page.goto(f"{app_server}/order?order={number}")
    expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    page.get_by_role("tab", name="Payments").click()
    page.get_by_text("Cancel tickets", exact=True).click()
    page.get_by_text("Alan Turing — Day badge").click()
    expect(page.get_by_role("checkbox", name="Alan Turing — Day badge")).to_be_checked()
    wait_for_app(page)  # the tick's rerun is over before the reason is typed (a busy machine)
    reason = page.get_by_label("Why are these tickets cancelled? (required)")
    reason.fill("Alan cannot come")
    reason.blur()  # the text area commits on blur: the submit's click must not be the blur
    wait_for_app(page)
    page.get_by_role("button", name="Review the cancellation").click()
    expect(page.get_by_text("Confirm the cancellation").first).to_be_visible()
    expect(page.get_by_role("cell", name="€240.00 → €120.00")).to_be_visible()
    page.get_by_role("button", name="Confirm the cancellation").click()
    expect(page.get_by_text("Tickets cancelled: the order's total is now €120.00; it is “Paid”.")).to_be_visible()
    expect(page.get_by_text("€120.00").first).to_be_visible()
    page.get_by_role("tab", name="Order items").click()
    expect(page.get_by_text("Cancelled ticket: Alan Turing, on")).to_be_visible()  # the attendee is kept

    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        state, total, kept = conn.execute(select(Order.payment_state, Order.total_ttc, Order.amount_paid)).one()
        attendees = conn.execute(select(Attendee.first_name, Attendee.cancelled_at).order_by(Attendee.id)).all()
        refunded = conn.execute(select(Refund.amount)).scalars().all()
    assert (state, Decimal(str(total)), Decimal(str(kept))) == ("paid", Decimal("120.00"), Decimal("120.00"))
    assert [(a.first_name, a.cancelled_at is not None) for a in attendees] == [("Ada", False), ("Alan", True)]
    assert [Decimal(str(a)) for a in refunded] == [Decimal("120.00")]
