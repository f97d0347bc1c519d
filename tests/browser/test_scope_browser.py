"""Issue 17 in Chromium: an event manager whose only event is one of the demo's opens another
event's order by its URL and reads exactly what an unknown number reads; the grid's export
holds only their event's orders; a marketer reads an order without the people in it (the grid,
a canvas, is checked by the AppTests)."""

from __future__ import annotations

import csv
import io
import secrets

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from orders_core import db
from orders_core.models import Event, Order
from tests.browser.conftest import AppDatabase, create_database, orders_command, wait_for_app

pytestmark = pytest.mark.browser

SCOPED = "scoped_manager"


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """The demo's 200 orders, one account per role, and an event manager of one event only."""
    database = create_database(tmp_path_factory.mktemp("scope_db") / "orders.db")
    with db.unit_of_work(db.get_engine(database.url)) as session:
        busiest = session.execute(
            select(Order.event_id, func.count())
            .where(Order.deleted_at.is_(None))
            .group_by(Order.event_id)
            .order_by(func.count().desc())
        ).all()
        ours, theirs = busiest[0][0], busiest[1][0]
        names = dict(session.execute(select(Event.id, Event.name)).all())

        def an_order(event_id: int) -> tuple[int, str]:
            return session.execute(
                select(Order.number, Order.buyer_email)
                .where(Order.event_id == event_id, Order.deleted_at.is_(None))
                .order_by(Order.number)
                .limit(1)
            ).one()

        our_order, their_order = an_order(ours), an_order(theirs)
    email, password = "scoped.manager@browser.example.org", secrets.token_urlsafe(12)
    orders_command(
        database.url,
        *("users", "add", email, "--role", "event_manager", "--event", str(ours), "--password-stdin"),
        stdin=password + "\n",
    )
    database.accounts[SCOPED] = (email, password)
    database.facts.update(
        ours=names[ours], theirs=names[theirs], our_order=our_order, their_order=their_order, ours_id=ours
    )
    return database


def test_another_events_order_opened_by_url_reads_like_an_order_that_does_not_exist(signed_in_page, app_database):
    facts = app_database.facts
    their_number, their_email = facts["their_order"]
    page = signed_in_page(SCOPED, path=f"order?order={their_number}")
    expect(page.get_by_text(f"No order with number {their_number}.")).to_be_visible()
    expect(page.get_by_text(their_email)).to_have_count(0)
    page.goto(page.url.split("/order")[0] + "/order?order=999999999")
    expect(page.get_by_text("No order with number 999999999.")).to_be_visible()
    our_number, our_email = facts["our_order"]
    page.goto(page.url.split("/order")[0] + f"/order?order={our_number}")
    expect(page.get_by_role("heading", name=f"Order {our_number}")).to_be_visible()
    expect(page.get_by_text(our_email).first).to_be_visible()


def test_the_grid_and_its_export_hold_only_the_managers_event(signed_in_page, app_database):
    facts = app_database.facts
    page = signed_in_page(SCOPED, path="orders")
    wait_for_app(page)
    page.get_by_text("Export the", exact=False).first.click()
    link = page.get_by_role("link", name="Download", exact=False).first
    expect(link).to_be_visible()
    base = page.url.split("/orders")[0]
    response = page.request.get(base + link.get_attribute("href"))  # the browser's own session cookie
    assert response.status == 200
    header, *rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig")), delimiter=";"))
    events = {row[header.index("Event")] for row in rows}
    assert rows and events == {facts["ours"]}
    numbers = {row[header.index("Order number")] for row in rows}
    assert str(facts["our_order"][0]) in numbers and str(facts["their_order"][0]) not in numbers


def test_a_marketer_sees_orders_and_campaigns_but_no_buyer(signed_in_page, app_database):
    our_number, our_email = app_database.facts["our_order"]
    page = signed_in_page("marketer", path=f"order?order={our_number}")
    expect(page.get_by_role("heading", name=f"Order {our_number}")).to_be_visible()
    expect(page.get_by_text("•••").first).to_be_visible()
    expect(page.get_by_text(our_email)).to_have_count(0)
