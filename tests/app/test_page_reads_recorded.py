"""Issue 19: `ui.data.recording()` sees every read a real render of a page asks for - what the
page benchmark (bench/page_renders.py) replays on the large databases - and a replayed read gives
the page's answer again."""

from __future__ import annotations

from decimal import Decimal

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from tests.app.conftest import APP, sign_in
from tests.factories import make_event, make_order, make_tariff
from ui import data

ADMIN = {"email": "admin@example.org", "role": "admin", "name": "Admin"}


@pytest.fixture
def order(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"), capacity=10)
        paid = make_order(session, event, [(badge, 2)], status="paid", source="organizer", payment_mode="box_office")
        return {"number": paid.number, "id": paid.id, "event": event.id}


def recorded_render(page: str, query: dict[str, str]) -> tuple[AppTest, list[data.Read]]:
    at = sign_in(AppTest.from_file(APP, default_timeout=60), ADMIN)
    at.run()
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    st.cache_data.clear()
    with data.recording() as reads:
        at.run()
    assert not at.exception
    return at, list(reads)


def test_the_order_page_reads_are_recorded_with_their_arguments(order, engine):
    at, reads = recorded_render("pages/order_detail.py", {"order": str(order["number"])})
    names = {read.name for read in reads}
    for expected in (
        "queries.order_detail.order_detail",
        "queries.order_detail.order_facts",
        "queries.wizard.add_ticket_context",
        "queries.wizard.event_fields",
        "queries.ledger.order_ledger",
        "queries.invoices.order_documents",
        "queries.emails.order_emails",
        "queries.reminders.order_reminders",
    ):
        assert expected in names
    assert any(read.session for read in reads)  # ui.transactions.read: the standing invoice
    detail = next(read for read in reads if read.name == "queries.order_detail.order_detail")
    assert detail.args == (order["number"],)
    assert detail.kwargs["principal"] == Actor.of(ADMIN["email"], "admin", None, detail.kwargs["principal"].user_id)
    replayed = detail.replay(engine)
    assert replayed.order["id"] == order["id"] and replayed.lines["quantity"].tolist() == [2]
    context = next(read for read in reads if read.name == "queries.wizard.add_ticket_context").replay(engine)
    assert [(t["name"], t["remaining"]) for t in context["tariffs"]] == [("Badge", 8)]
    assert at.title[0].value == f"Order {order['number']}"
    for read in reads:  # every one can run again on its own
        read.replay(engine)


def test_the_overview_reads_are_recorded(order):
    _at, reads = recorded_render("pages/home.py", {})
    names = [read.name for read in reads if not read.session]
    assert names == ["queries.overview.todo_list", "queries.overview.orders_by_status"]


def test_nothing_is_recorded_outside_a_recording(order):
    with data.recording() as outer:
        pass
    at = sign_in(AppTest.from_file(APP, default_timeout=60), ADMIN)
    at.run()
    assert outer == [] and data._recorded is None
