"""The reminders on the order page (ui/order_reminders.py) and the ladder on the events page
(ui/reminder_ladder.py), through AppTest: finance sends the next step after a confirmation,
pauses with a note and resumes; other roles only read; a manager edits an event's ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Order, OrderHistory, OutboxEmail, PaymentReminder
from orders_core.services.reminders import event_ladder
from tests.factories import make_event, make_order, make_tariff

FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}
MANAGER = {"id": 2, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


def reminders_script(order_id: int, email: str) -> None:
    from ui.order_reminders import render_order_reminders

    render_order_reminders(order_id, email)


def ladder_script(event_id: int) -> None:
    from ui.reminder_ladder import render_reminder_ladder

    render_reminder_ladder(event_id, "Salon")


@pytest.fixture
def order(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session)
        placed = make_order(
            session,
            event,
            [(make_tariff(session, event), 1)],
            payment_mode="invoice",
            due_date=datetime.now(UTC).date() + timedelta(days=10),
            buyer_email="zoe@example.org",
        )
        return {"id": placed.id, "event": event.id}


def run_as(user: dict, order: dict) -> AppTest:
    at = AppTest.from_function(reminders_script, args=(order["id"], "zoe@example.org"), default_timeout=60)
    at.session_state["auth.user"] = user
    return at.run()


def test_finance_sends_the_next_reminder_after_a_confirmation(engine, order):
    at = run_as(FINANCE, order)
    assert not at.exception
    assert "Next step: Due soon (3 days before the due date)." in at.markdown[0].value
    at.button(key=f"order_reminders.{order['id']}.send").click().run()
    assert [i.value for i in at.info] == [
        "Send “Due soon” to zoe@example.org now? The email leaves with the next send."
    ]
    at.button(key=f"order_reminders.{order['id']}.confirm").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["“Due soon” queued for zoe@example.org."]
    assert "Next step: First reminder (1 day after the due date)." in at.markdown[0].value
    assert any("Due soon sent on" in c.value and "finance@example.org" in c.value for c in at.caption)
    with unit_of_work(engine) as session:
        [reminder] = session.scalars(select(PaymentReminder).where(PaymentReminder.order_id == order["id"])).all()
        email = session.get(OutboxEmail, reminder.outbox_email_id)
        assert (reminder.step, email.kind, email.recipient) == ("due_soon", "payment_reminder", "zoe@example.org")


def test_finance_pauses_with_a_note_then_resumes(engine, order):
    at = run_as(FINANCE, order)
    key = f"order_reminders.{order['id']}"
    until = datetime.now(UTC).date() + timedelta(days=5)
    at.date_input(key=f"{key}.until").set_value(until).run()
    at.button(key=f"{key}.pause").click().run()
    assert [e.value for e in at.error] == ["The note is required."]
    at.text_input(key=f"{key}.note").input("promised to pay on the 15th").run()
    at.button(key=f"{key}.pause").click().run()
    assert not at.exception
    assert len(at.warning) == 1 and "promised to pay on the 15th" in at.warning[0].value
    with unit_of_work(engine) as session:
        assert session.get(Order, order["id"]).reminders_paused_until == until
    at.button(key=f"{key}.resume").click().run()
    assert not at.warning and [s.value for s in at.success] == ["Reminders resumed."]
    with unit_of_work(engine) as session:
        actions = session.scalars(
            select(OrderHistory.action).where(OrderHistory.order_id == order["id"]).order_by(OrderHistory.id)
        ).all()
        assert actions[-2:] == ["reminders_paused", "reminders_resumed"]


def test_an_event_manager_reads_the_reminders_without_the_finance_actions(order):
    at = run_as(MANAGER, order)
    assert not at.exception
    assert "Reminders" in at.markdown[0].value
    assert not at.button


def test_a_manager_edits_the_events_ladder(engine, order):
    at = AppTest.from_function(ladder_script, args=(order["event"],), default_timeout=60)
    at.session_state["auth.user"] = MANAGER
    at.run()
    prefix = f"reminder_ladder.{order['event']}"
    at.checkbox(key=f"{prefix}.second.on").uncheck()
    at.number_input(key=f"{prefix}.final.offset").set_value(14)
    at.button[0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Reminder ladder of Salon saved."]
    with unit_of_work(engine) as session:
        ladder = event_ladder(session, order["event"])
        assert [(s.step, s.offset_days, s.enabled) for s in ladder.steps] == [
            ("due_soon", -3, True),
            ("first", 1, True),
            ("second", 7, False),
            ("final", 14, True),
        ]
    at.number_input(key=f"{prefix}.first.offset").set_value(20)
    at.button[0].click().run()
    assert [e.value for e in at.error] == [
        "“Final notice” must come after “First reminder” (more days after the due date)."
    ]


def test_no_reminder_box_for_an_order_without_a_due_date(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session)
        order_id = make_order(session, event, [(make_tariff(session, event), 1)]).id
    at = AppTest.from_function(reminders_script, args=(order_id, "x@example.org"), default_timeout=60)
    at.session_state["auth.user"] = FINANCE
    at.run()
    assert not at.exception and not at.markdown and not at.button


def test_the_order_page_shows_the_reminders_of_an_invoice_order_in_french(engine, order, monkeypatch):
    from pathlib import Path

    from tests.app.conftest import open_page

    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    with unit_of_work(engine) as session:
        number = session.get(Order, order["id"]).number
    detail = str(Path(__file__).resolve().parents[2] / "pages" / "order_detail.py")
    at = open_page(detail, FINANCE, query={"order": str(number)}, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert any("Prochaine étape : Échéance proche (3 jours avant l'échéance)." in m.value for m in at.markdown)
    assert "Envoyer la prochaine relance maintenant" in [b.label for b in at.button]
