"""The Emails page and the order's email panel through AppTest: filters, the rendered message,
retry of a failed email, resend buttons."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.models import OrderHistory, OutboxEmail
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "emails.py")
ADMIN = {"id": 1, "email": "admin@example.org", "role": "admin", "name": "Admin"}
FINANCE = {"id": 2, "email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def outbox(engine, db_url, monkeypatch):
    """A sent confirmation, a queued payment-details email and a failed tickets email."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        tariff = make_tariff(session, event)
        paid = make_order(
            session, event, [(tariff, 1)], status="paid", buyer_first_name="Zoé", buyer_last_name="Lefèvre"
        )
        pending = make_order(session, event, [(tariff, 1)])
        # The confirmation the ledger queued when the order was paid, since sent.
        sent = session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == paid.id)).one()
        sent.status, sent.sent_at, sent.attempts = "sent", datetime(2026, 11, 20, 12, tzinfo=UTC), 1
        queued = queue_email(session, order=pending, kind="payment_details")
        failed = queue_email(session, order=paid, kind="tickets")
        failed.status, failed.attempts, failed.last_error = "failed", 5, "SMTP 550: mailbox unavailable"
        failed.next_attempt_at = None
        return {
            "paid": paid.id,
            "paid_number": paid.number,
            "pending_number": pending.number,
            "sent": sent.id,
            "queued": queued.id,
            "failed": failed.id,
        }


def page(user=ADMIN) -> AppTest:
    return open_page(PAGE, user)


def table_subjects(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["subject"])


def test_the_outbox_lists_every_email_with_counts_per_status(outbox):
    at = page().run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "0", "1", "1"]
    assert len(table_subjects(at)) == 3
    assert set(at.dataframe[0].value["status"]) == {"Queued", "Sent", "Failed"}


def test_filters_by_status_kind_and_order_number(outbox):
    at = page().run()
    at.multiselect(key="emails.status").set_value(["failed"]).run()
    assert list(at.dataframe[0].value["kind"]) == ["Tickets"]
    at.multiselect(key="emails.status").set_value([]).run()
    at.multiselect(key="emails.kind").set_value(["payment_details"]).run()
    assert list(at.dataframe[0].value["order_number"]) == [str(outbox["pending_number"])]
    at.multiselect(key="emails.kind").set_value([]).run()
    at.text_input(key="emails.order").set_value(str(outbox["paid_number"])).run()
    assert sorted(at.dataframe[0].value["kind"]) == ["Order confirmation", "Tickets"]
    assert at.query_params["order"] == str(outbox["paid_number"])
    at.text_input(key="emails.order").set_value("9999999").run()
    assert not at.exception and "No email matches these filters." in [i.value for i in at.info]


def test_a_date_range_with_no_email_shows_the_empty_state(outbox):
    at = page().run()
    at.date_input(key="emails.to").set_value(datetime(2020, 1, 1).date()).run()
    assert "No email matches these filters." in [i.value for i in at.info]


def test_selecting_a_failed_email_shows_the_message_and_retry_queues_it_again(outbox, engine):
    at = page().run()
    position = list(at.dataframe[0].value["status"]).index("Failed")
    at.session_state["emails.table"] = {"selection": {"rows": [position], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Your tickets for Gala")
    assert "Last error: SMTP 550: mailbox unavailable" in [e.value for e in at.error]
    assert "Hello Zoé," in at.code[0].value
    at.button(key="emails.retry_one").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("1 email queued again")
    with unit_of_work(engine) as session:
        row = session.get(OutboxEmail, outbox["failed"])
        assert (row.status, row.attempts) == ("queued", 0)
    assert [m.value for m in at.metric] == ["2", "0", "1", "0"]


def test_the_order_email_panel_resends_tickets_and_refuses_nothing_silently(outbox, engine):
    script = f"""
from ui.order_emails import render_order_emails
render_order_emails({outbox["paid"]})
"""
    at = AppTest.from_string(script, default_timeout=30)
    at.session_state["auth.user"] = FINANCE
    at.run()
    assert not at.exception
    assert sorted(at.dataframe[0].value["kind"]) == ["Order confirmation", "Tickets"]
    at.button(key="order_emails.resend_tickets").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Tickets queued")
    assert sorted(at.dataframe[0].value["kind"]) == ["Order confirmation", "Tickets", "Tickets"]
    with unit_of_work(engine) as session:
        actions = session.scalars(select(OrderHistory.action).where(OrderHistory.order_id == outbox["paid"])).all()
        assert actions.count("email_resent") == 1
