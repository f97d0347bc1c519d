"""The overview's to-do list and the order page's follow-up form through AppTest (issue 15): the
items with something waiting link to the grid already filtered, the link opens exactly those
orders, a role with nothing to act on reads "Nothing to do."; finance plans a follow-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import Order, OrderHistory
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
HOME = str(ROOT / "pages" / "home.py")
GRID = str(ROOT / "pages" / "orders.py")
DETAIL = str(ROOT / "pages" / "order_detail.py")
FINANCE = {"email": "finance@example.org", "role": "finance", "name": "Finance"}
MARKETER = {"email": "marketer@example.org", "role": "marketer", "name": "Marketer"}
TODAY = datetime.now(UTC).date()


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)

        def invoice(**overrides):
            return make_order(
                session, event, [(badge, 1)], status="awaiting_payment", payment_mode="invoice", **overrides
            )

        orders = {
            "late": invoice(due_date=TODAY - timedelta(days=10)),
            "later": invoice(due_date=TODAY - timedelta(days=3), follow_up_on=TODAY),
            "not_due": invoice(due_date=TODAY + timedelta(days=10)),
        }
        return {name: (order.id, order.number) for name, order in orders.items()}


def page_links(at):
    return {link.proto.label: link.proto for link in at.get("page_link")}


def test_finance_sees_its_items_and_the_overdue_link_opens_the_filtered_grid(dataset):
    at = open_page(HOME, FINANCE, state={"ui.timezone": "UTC"})
    assert not at.exception
    links = page_links(at)
    assert "**2** invoices overdue" in links and "**1** follow-up due" in links
    assert not any("approval" in label for label in links)  # approvals are the admin's
    assert "Nothing waiting: balances due, refunds due, statement lines." in [c.value for c in at.caption]
    overdue = links["**2** invoices overdue"]
    assert overdue.page.endswith("orders")
    params = dict(parse_qsl(overdue.query_string))
    assert params == {"overdue": "1"}

    grid = open_page(GRID, FINANCE, query=params, state={"ui.timezone": "UTC"})
    assert not grid.exception
    shown = {int(v) for v in grid.dataframe[0].value["number"]}
    assert shown == {dataset["late"][1], dataset["later"][1]}
    assert grid.toggle(key="orders.overdue").value is True

    follow_ups = dict(parse_qsl(links["**1** follow-up due"].query_string))
    assert follow_ups == {"followup": "due"}
    grid = open_page(GRID, FINANCE, query=follow_ups, state={"ui.timezone": "UTC"})
    assert [int(v) for v in grid.dataframe[0].value["number"]] == [dataset["later"][1]]
    assert grid.toggle(key="orders.follow_up_due").value is True


def test_a_marketer_has_nothing_to_do(dataset):
    at = open_page(HOME, MARKETER, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert "Nothing to do." in [s.value for s in at.success]
    assert not any("overdue" in label for label in page_links(at))


def test_finance_plans_a_follow_up_on_the_order_page(engine, dataset):
    order_id, number = dataset["not_due"]
    at = open_page(DETAIL, FINANCE, query={"order": str(number)}, state={"ui.timezone": "UTC"})
    assert not at.exception
    on = TODAY + timedelta(days=2)
    at.date_input(key="order_follow_up.on").set_value(on)
    at.text_area(key="order_follow_up.note").set_value("Promised to pay on Friday")
    at.button(key="order_follow_up.save").click().run()
    assert not at.exception
    assert "Follow-up saved." in [s.value for s in at.success]
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.follow_up_on, order.follow_up_note) == (on, "Promised to pay on Friday")
        actions = session.scalars(select(OrderHistory.action).where(OrderHistory.order_id == order_id)).all()
    assert "follow_up_set" in actions
    assert any("Promised to pay on Friday" in i.value for i in at.info)
    at.button(key="order_follow_up.clear").click().run()
    assert not at.exception
    with unit_of_work(engine) as session:
        assert session.get(Order, order_id).follow_up_on is None
