"""The Pending invoice orders page and the validate dialog (dry run, confirm, results) in AppTest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Attendee, Order, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.order_changes import add_tickets
from tests.app.conftest import open_page
from tests.factories import NOW, make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "pending_invoices.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def pending(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session, name="Finance Summit")
        badge = make_tariff(session, event)
        orders = [make_order(session, event, [(badge, q)]) for q in (2, 1)]
        make_order(session, event, [(badge, 1)], status="paid")
        return [(o.id, o.number) for o in orders]


def app(user=FINANCE) -> AppTest:
    return open_page(PAGE, user)


def select_rows(at: AppTest, rows: list[int]) -> AppTest:
    at.session_state["pending.table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def test_the_page_lists_awaiting_invoice_orders_with_age_and_balance_per_currency(pending):
    at = app()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["number"]) == [number for _id, number in pending]
    age = (datetime.now(UTC) - (NOW - timedelta(days=3))).days  # factories create orders 3 days before NOW
    assert list(table["age_days"]) == [age, age]
    assert at.metric[0].label == "EUR: 2 orders"
    assert at.metric[0].value == "€360.00"


def test_validating_from_the_dialog_shows_the_dry_run_then_the_result(pending, engine):
    at = app()
    at = select_rows(at, [0, 1])
    at.button(key="order_actions.bulk_validate").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Orders to validate"] == "2"
    assert metrics["Attendees to create"] == "3"
    assert metrics["Emails to queue"] == "2"
    assert any("€360.00" in m.value for m in at.markdown)
    with engine.connect() as conn:  # the dry run wrote nothing
        assert conn.execute(select(func.count()).select_from(Attendee)).scalar() == 1
    at.selectbox(key="order_actions.method").set_value("cheque")
    at.text_input(key="order_actions.reference").input("CHQ 77")
    at.run()
    at.button(key="order_actions.confirm").click().run()
    assert not at.exception
    assert "2 orders validated: 3 attendees created, 2 emails queued." in [s.value for s in at.success]
    with engine.connect() as conn:
        statuses = conn.execute(select(Order.status).where(Order.id.in_([i for i, _n in pending]))).scalars().all()
        assert statuses == ["paid", "paid"]
        assert conn.execute(select(func.count()).select_from(Attendee)).scalar() == 4
        emails = select(func.count()).select_from(OutboxEmail).where(OutboxEmail.order_id.in_([i for i, _n in pending]))
        assert conn.execute(emails).scalar() == 2
    at.button(key="order_actions.close").click().run()
    assert not at.exception
    assert "order_actions.open" not in at.session_state
    assert "No invoice order is waiting for payment." in [i.value for i in at.info]


def test_cancelling_needs_a_reason_and_reports_what_was_cancelled(pending, engine):
    at = select_rows(app(), [0])
    at.button(key="order_actions.bulk_cancel").click().run()
    at.button(key="order_actions.confirm").click().run()
    assert "The reason is required." in [e.value for e in at.error]
    at.text_area(key="order_actions.reason").input("Buyer withdrew")
    at.run()
    at.button(key="order_actions.confirm").click().run()
    assert "1 order cancelled." in [s.value for s in at.success]
    with engine.connect() as conn:
        assert conn.execute(select(Order.status).where(Order.id == pending[0][0])).scalar() == "cancelled"


def test_a_marketer_sees_no_action_menu(pending):
    """The pending list is not in a marketer's navigation; on the grid, a selection offers nothing."""
    marketer = {"email": "m@example.org", "role": "marketer", "name": "M"}
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(PAGE, marketer)
    at = open_page(
        "pages/orders.py", marketer, state={"orders.table": {"selection": {"rows": [0], "columns": [], "cells": []}}}
    )
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("order_actions.")]


DETAIL = str(ROOT / "pages" / "order_detail.py")


def detail(number: int, user=FINANCE) -> AppTest:
    return open_page(DETAIL, user, query={"order": str(number)}, state={"ui.timezone": "UTC"})


def action_keys(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("order_actions.one_")]


def test_the_detail_page_offers_only_the_allowed_actions_and_says_why_a_paid_order_is_locked(pending, engine):
    awaiting_number = pending[0][1]
    at = detail(awaiting_number)
    assert not at.exception
    assert action_keys(at) == ["order_actions.one_validate", "order_actions.one_cancel"]
    with engine.connect() as conn:
        paid_number = conn.execute(select(Order.number).where(Order.status == "paid")).scalar()
    at = detail(paid_number)
    assert action_keys(at) == []
    assert any("its status is final, and its lines, buyer and holders cannot be modified." in i.value for i in at.info)
    admin = {"id": 3, "email": "admin@example.org", "role": "admin", "name": "Admin"}
    assert action_keys(detail(paid_number, admin)) == ["order_actions.one_delete"]


def test_validating_one_order_from_its_detail_page(pending, engine):
    at = detail(pending[1][1])
    at.button(key="order_actions.one_validate").click().run()
    assert {m.label: m.value for m in at.metric}["Attendees to create"] == "1"
    at.button(key="order_actions.confirm").click().run()
    assert not at.exception
    assert "1 order validated: 1 attendee created, 1 email queued." in [s.value for s in at.success]
    with engine.connect() as conn:
        assert conn.execute(select(Order.status).where(Order.id == pending[1][0])).scalar() == "paid"


def test_a_paid_organiser_order_owing_a_balance_is_listed_with_its_status_and_payment_state(pending, engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="Box Office Night")
        badge = make_tariff(session, event)
        order = make_order(session, event, [(badge, 1)], status="paid", source="organizer", paid_method="cash")
        order_id, number = order.id, order.number
        badge_id = badge.id
    with unit_of_work(engine) as session:
        add_tickets(
            session,
            actor=Actor("manager@example.org", "event_manager"),
            order_id=order_id,
            tariff_id=badge_id,
            quantity=1,
            reason_note="A colleague joins",
            holders=[{"first_name": "Grace", "last_name": "Hopper"}],
        )
    at = app()
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["number"] == number].iloc[0]
    assert (row["status"], row["payment_state"], row["balance_due"]) == (
        "Payment validated",
        "Partially paid",
        "€120.00",
    )
    assert at.metric[0].label == "EUR: 3 orders"


def test_a_selection_above_the_limit_is_validated_in_the_background_with_its_progress_on_the_page(
    pending, engine, monkeypatch
):
    from orders_core import background
    from orders_core.worker import JobRun

    monkeypatch.setattr("orders_core.services.validation.BACKGROUND_ABOVE", 1)
    monkeypatch.setattr("ui.order_actions.BACKGROUND_ABOVE", 1)
    monkeypatch.setattr(background, "CHUNK", 1)
    at = app()
    at = select_rows(at, [0, 1])
    at.button(key="order_actions.bulk_validate").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Orders to validate"] == "2"  # the summary before
    at.button(key="order_actions.confirm").click().run()
    assert not at.exception
    assert "order_actions.open" not in at.session_state  # the dialog closed, the job is queued
    assert "Waiting for the worker…" in [p.proto.text for p in at.get("progress")]
    with engine.connect() as conn:
        assert conn.execute(select(Order.status).where(Order.id == pending[0][0])).scalar_one() == "awaiting_payment"

    stops = iter([False, True])  # the real worker step: one chunk, then asked to stop
    assert background.run_background_jobs(JobRun(engine, datetime.now(UTC), lambda: next(stops))).endswith("queued")
    at.run()
    [bar] = at.get("progress")
    assert bar.proto.text == "Validating in the background: 1 of 2 orders" and bar.proto.value == 50

    assert background.run_background_jobs(JobRun(engine, datetime.now(UTC), lambda: False)).endswith("done")
    at.run()
    assert not at.exception and not at.get("progress")
    assert "Background validation done: 2 orders validated, 3 attendees created, 2 emails queued." in [
        s.value for s in at.success
    ]
    assert any("€360.00" in m.value for m in at.markdown)
    at.button(key="validation_job.close").click().run()
    assert "order_actions.job" not in at.session_state and not at.success


@pytest.fixture
def two_events(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        numbers = {}
        for name in ("Alpha Forum", "Beta Forum"):
            event = make_event(session, name=name)
            badge = make_tariff(session, event)
            numbers[event.id] = [make_order(session, event, [(badge, 1)]).number for _ in range(2)]
        return numbers


def test_the_event_chosen_is_in_the_address_and_an_address_opens_it(two_events):
    alpha, beta = two_events
    at = open_page(PAGE, FINANCE, query={"event": str(beta)})
    assert not at.exception
    assert at.selectbox(key="pending.event").value == beta
    assert list(at.dataframe[0].value["number"]) == two_events[beta]
    at.selectbox(key="pending.event").set_value(alpha).run()
    assert at.query_params["event"] in (str(alpha), [str(alpha)])
    assert list(at.dataframe[0].value["number"]) == two_events[alpha]
    at.selectbox(key="pending.event").select_index(0).run()  # "All events"
    assert "event" not in at.query_params
    assert len(at.dataframe[0].value) == 4


def test_an_address_naming_an_unknown_event_lists_them_all(two_events):
    at = open_page(PAGE, FINANCE, query={"event": "999999"})
    assert not at.exception
    assert at.selectbox(key="pending.event").value is None
    assert len(at.dataframe[0].value) == 4 and "event" not in at.query_params


def test_a_list_cut_short_says_how_many_orders_wait(two_events, monkeypatch):
    monkeypatch.setattr("queries.pending.LISTED", 3)
    at = open_page(PAGE, FINANCE)
    assert not at.exception
    assert len(at.dataframe[0].value) == 3
    assert "The 3 oldest of 4 orders are listed: choose an event to narrow the list." in [c.value for c in at.caption]
    monkeypatch.setattr("queries.pending.LISTED", 5_000)
    at = open_page(PAGE, FINANCE)
    assert not any("oldest of" in c.value for c in at.caption)
