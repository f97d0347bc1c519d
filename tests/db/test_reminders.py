"""The reminder ladder (issue 15) walked with a controlled clock (time-machine), on SQLite and
PostgreSQL: exact steps on exact days, none after payment or cancellation, pauses, civil hours
in the event's timezone, the business wording, two workers at once, and finance's actions."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import CatalogueHistory, Order, OrderHistory, OutboxEmail, PaymentReminder
from orders_core.permissions import Actor
from orders_core.reminder_job import queue_due_reminders, queue_reminders_job
from orders_core.services.lifecycle import cancel_orders
from orders_core.services.reminders import (
    event_ladder,
    pause_reminders,
    resume_reminders,
    send_next_reminder,
    set_reminder_ladder,
)
from orders_core.services.validation import validate_orders
from orders_core.worker import JobRun
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")
PARIS = ZoneInfo("Europe/Paris")
DUE = date(2026, 12, 10)
INDEMNITY_FR = "indemnité forfaitaire pour frais de recouvrement de 40 €"


def at(day: date, hour: int = 10, minute: int = 0, zone: ZoneInfo = PARIS) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def an_order(engine, *, due: date | None = DUE, timezone="Europe/Paris", language="en", **overrides) -> int:
    with unit_of_work(engine) as session:
        event = make_event(session, timezone=timezone, language=language, name="Salon")
        order = make_order(
            session,
            event,
            [(make_tariff(session, event), 1)],
            payment_mode="invoice",
            due_date=due,
            created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
            **overrides,
        )
        return order.id


def run_job(engine) -> str | None:
    """One run of the worker's reminder job at the (travelled) current time."""
    return queue_reminders_job(JobRun(engine, datetime.now(UTC), lambda: False))


def walk(engine, start: date, end: date, hour: int = 10, zone: ZoneInfo = PARIS, on_day=None) -> dict[date, list[str]]:
    """Run the job once a day at `hour` (event time) from start to end; {day: steps sent that day}."""
    sent: dict[date, list[str]] = {}
    day = start
    while day <= end:
        with time_machine.travel(at(day, hour, zone=zone), tick=False):
            if on_day:
                on_day(day)
            before = steps_of_all(engine)
            run_job(engine)
            new = [s for s in steps_of_all(engine) if s not in before]
            if new:
                sent[day] = [step for _order, step in new]
        day += timedelta(days=1)
    return sent


def steps_of_all(engine) -> list[tuple[int, str]]:
    with unit_of_work(engine) as session:
        return [
            (r.order_id, r.step)
            for r in session.execute(
                select(PaymentReminder.order_id, PaymentReminder.step).order_by(PaymentReminder.id)
            )
        ]


def reminder_emails(engine, order_id: int) -> list[OutboxEmail]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(OutboxEmail)
                .where(OutboxEmail.order_id == order_id, OutboxEmail.kind == "payment_reminder")
                .order_by(OutboxEmail.id)
            )
        )


def test_the_default_ladder_queues_each_step_once_on_its_exact_day(engine):
    order_id = an_order(engine)
    sent = walk(engine, date(2026, 12, 1), date(2027, 1, 10))
    assert sent == {
        date(2026, 12, 7): ["due_soon"],
        date(2026, 12, 11): ["first"],
        date(2026, 12, 17): ["second"],
        date(2026, 12, 31): ["final"],
    }
    subjects = [e.subject for e in reminder_emails(engine, order_id)]
    assert [s.split(":")[0] for s in subjects] == ["Payment due soon", "Reminder", "Second reminder", "Final notice"]
    emails = reminder_emails(engine, order_id)
    assert all(e.status == "queued" and e.recipient.endswith("@example.org") for e in emails)
    assert "due on 10 Dec 2026" in emails[0].body_text and "(1 day ago)" in emails[1].body_text
    with unit_of_work(engine) as session:
        history = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "reminder_sent")
        ).all()
        assert [h.details["step"] for h in history] == ["due_soon", "first", "second", "final"]
        assert {h.actor for h in history} == {"system"}
        assert [h.details["email_id"] for h in history] == [e.id for e in emails]


def test_no_reminder_after_the_order_is_paid_or_cancelled(engine):
    paid = an_order(engine)
    cancelled = an_order(engine)

    def pay_and_cancel(day):
        if day == date(2026, 12, 12):
            with unit_of_work(engine) as session:
                validate_orders(session, actor=FINANCE, order_ids=[paid], method="bank_transfer", received_at=day)
                cancel_orders(session, actor=FINANCE, order_ids=[cancelled], reason="the buyer withdrew")

    walk(engine, date(2026, 12, 5), date(2027, 1, 10), on_day=pay_and_cancel)
    assert [s for o, s in steps_of_all(engine) if o == paid] == ["due_soon", "first"]
    assert [s for o, s in steps_of_all(engine) if o == cancelled] == ["due_soon", "first"]
    with unit_of_work(engine) as session:
        with pytest.raises(TransitionRefused, match="owes nothing"):
            send_next_reminder(session, actor=FINANCE, order_id=paid)
    with unit_of_work(engine) as session:
        with pytest.raises(TransitionRefused, match="Payment cancelled”: no reminder is sent"):
            send_next_reminder(session, actor=FINANCE, order_id=cancelled)


def test_a_pause_holds_up_to_its_date_then_only_the_latest_due_step_leaves(engine):
    order_id = an_order(engine)

    def pause(day):
        if day == date(2026, 12, 12):
            with unit_of_work(engine) as session:
                pause_reminders(
                    session,
                    actor=FINANCE,
                    order_id=order_id,
                    until=date(2026, 12, 20),
                    note="promised to pay on the 20th",
                )

    sent = walk(engine, date(2026, 12, 5), date(2027, 1, 10), on_day=pause)
    # second (+7, the 17th) waits for the pause to end; final (+21) is not due yet on the 21st
    assert sent == {
        date(2026, 12, 7): ["due_soon"],
        date(2026, 12, 11): ["first"],
        date(2026, 12, 21): ["second"],
        date(2026, 12, 31): ["final"],
    }
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert order.reminders_paused_until == date(2026, 12, 20)
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "reminders_paused")
        ).one()
        assert entry.reason == "promised to pay on the 20th" and entry.actor == FINANCE.email


def test_steps_missed_while_no_worker_ran_are_skipped_for_the_latest(engine):
    order_id = an_order(engine, due=date(2026, 11, 1))
    sent = walk(engine, date(2026, 12, 1), date(2026, 12, 3))
    assert sent == {date(2026, 12, 1): ["final"]}  # not due soon, first, second and final at once
    assert len(reminder_emails(engine, order_id)) == 1


def test_reminders_leave_only_at_a_civil_hour_of_the_events_timezone(engine):
    paris = an_order(engine)
    new_york = an_order(engine, timezone="America/New_York")
    day = date(2026, 12, 11)
    for moment, expected in (
        (datetime(2026, 12, 11, 7, 59, tzinfo=UTC), []),  # 08:59 in Paris, 02:59 in New York
        (datetime(2026, 12, 11, 8, 0, tzinfo=UTC), [(paris, "first")]),  # 09:00 in Paris
        (datetime(2026, 12, 11, 13, 59, tzinfo=UTC), []),  # 08:59 in New York
        (datetime(2026, 12, 11, 14, 0, tzinfo=UTC), [(new_york, "first")]),
    ):
        before = steps_of_all(engine)
        with time_machine.travel(moment, tick=False):
            run_job(engine)
        assert [s for s in steps_of_all(engine) if s not in before] == expected, moment
    late = an_order(engine, timezone="Asia/Tokyo", due=day - timedelta(days=1))
    with time_machine.travel(datetime(2026, 12, 11, 10, 0, tzinfo=UTC), tick=False):  # 19:00 in Tokyo
        assert run_job(engine) is None
    assert [o for o, _s in steps_of_all(engine)].count(late) == 0


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_business_buyer_reads_the_late_penalty_and_the_40_euro_indemnity(engine, language):
    company = an_order(engine, language=language, company_name="Exemple SARL")
    vat_only = an_order(engine, language=language, vat_number="FR12345678901")
    person = an_order(engine, language=language)
    with time_machine.travel(at(date(2026, 12, 11)), tick=False):
        assert run_job(engine) == "3 reminders queued"
    wording = INDEMNITY_FR if language == "fr" else "fixed recovery indemnity of EUR 40"
    penalty = "pénalités de retard" if language == "fr" else "late-payment penalties"
    for order_id, business in ((company, True), (vat_only, True), (person, False)):
        [email] = reminder_emails(engine, order_id)
        assert (wording in email.body_text) is business
        assert (penalty in email.body_text) is business
        assert email.subject.startswith("Rappel :" if language == "fr" else "Reminder:")


def test_two_workers_at_once_queue_each_step_once(engine):
    orders = [an_order(engine) for _ in range(6)]
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []
    now = at(date(2026, 12, 11))

    def worker():
        try:
            barrier.wait()
            counts.append(queue_due_reminders(engine, now=now))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(counts) == 6
    assert sorted(steps_of_all(engine)) == [(o, "first") for o in orders]
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxEmail)) == 6


def test_finance_sends_the_next_step_now_and_the_worker_does_not_repeat_it(engine):
    order_id = an_order(engine)
    with time_machine.travel(at(date(2026, 12, 2)), tick=False):
        with unit_of_work(engine) as session:
            reminder = send_next_reminder(session, actor=FINANCE, order_id=order_id)
            assert (reminder.step, reminder.actor) == ("due_soon", FINANCE.email)
        with unit_of_work(engine) as session:
            assert send_next_reminder(session, actor=FINANCE, order_id=order_id).step == "first"
    sent = walk(engine, date(2026, 12, 3), date(2027, 1, 10))
    assert sent == {date(2026, 12, 17): ["second"], date(2026, 12, 31): ["final"]}
    with unit_of_work(engine) as session:
        with pytest.raises(TransitionRefused, match="Every step of the reminder ladder was already sent"):
            send_next_reminder(session, actor=FINANCE, order_id=order_id)
        history = session.scalars(
            select(OrderHistory.details).where(
                OrderHistory.order_id == order_id, OrderHistory.action == "reminder_sent"
            )
        ).all()
        assert [d["manual"] for d in history] == [True, True, False, False]


def test_finance_actions_are_refused_to_other_roles_and_without_a_due_date(engine):
    order_id = an_order(engine)
    no_due = an_order(engine, due=None)
    with unit_of_work(engine) as session:
        with pytest.raises(NotAllowed):
            send_next_reminder(session, actor=MANAGER, order_id=order_id)
        with pytest.raises(NotAllowed):
            pause_reminders(session, actor=MANAGER, order_id=order_id, until=date(2027, 1, 1), note="x")
        with pytest.raises(TransitionRefused, match="has no due date"):
            send_next_reminder(session, actor=FINANCE, order_id=no_due)
    with time_machine.travel(at(date(2026, 12, 12)), tick=False):
        with unit_of_work(engine) as session:
            with pytest.raises(InvalidInput, match="note is required"):
                pause_reminders(session, actor=FINANCE, order_id=order_id, until=date(2026, 12, 20), note="  ")
            with pytest.raises(InvalidInput, match="today or later"):
                pause_reminders(session, actor=FINANCE, order_id=order_id, until=date(2026, 12, 11), note="x")
            with pytest.raises(TransitionRefused, match="not paused"):
                resume_reminders(session, actor=FINANCE, order_id=order_id)


def test_resuming_ends_the_pause_at_once(engine):
    order_id = an_order(engine)
    with time_machine.travel(at(date(2026, 12, 11)), tick=False):
        with unit_of_work(engine) as session:
            pause_reminders(
                session, actor=FINANCE, order_id=order_id, until=date(2026, 12, 25), note="call on the 25th"
            )
        assert run_job(engine) is None
        with unit_of_work(engine) as session:
            resume_reminders(session, actor=FINANCE, order_id=order_id)
        assert run_job(engine) == "1 reminders queued"
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.reminders_paused_until, order.reminders_pause_note) == (None, "")


def test_an_edited_ladder_is_followed_and_a_bad_one_refused(engine):
    order_id = an_order(engine)
    with unit_of_work(engine) as session:
        event_id = session.get(Order, order_id).event_id
        set_reminder_ladder(
            session,
            actor=MANAGER,
            event_id=event_id,
            steps={"due_soon": (False, -3), "first": (True, 2), "second": (False, 7), "final": (True, 14)},
        )
    sent = walk(engine, date(2026, 12, 1), date(2027, 1, 10))
    assert sent == {date(2026, 12, 12): ["first"], date(2026, 12, 24): ["final"]}
    with unit_of_work(engine) as session:
        assert [(s.step, s.offset_days, s.enabled) for s in event_ladder(session, event_id).steps] == [
            ("due_soon", -3, False),
            ("first", 2, True),
            ("second", 7, False),
            ("final", 14, True),
        ]
        [logged] = session.scalars(
            select(CatalogueHistory).where(
                CatalogueHistory.event_id == event_id, CatalogueHistory.action == "reminder_ladder_changed"
            )
        ).all()
        assert logged.actor == MANAGER.email
        assert logged.details == {
            "due_soon": {"old": "-3 d", "new": "-3 d (off)"},
            "first": {"old": "+1 d", "new": "+2 d"},
            "second": {"old": "+7 d", "new": "+7 d (off)"},
            "final": {"old": "+21 d", "new": "+14 d"},
        }
    bad = (
        ({"due_soon": (True, 2)}, "0 or less"),
        ({"first": (True, 0)}, "1 day or more"),
        ({"first": (True, "soon")}, "whole number"),
        ({"final": (True, 10**20)}, "between -60 and 365"),
        ({"first": (True, 10), "second": (True, 7)}, "must come after"),
    )
    for change, message in bad:
        steps = {"due_soon": (True, -3), "first": (True, 1), "second": (True, 7), "final": (True, 21), **change}
        with unit_of_work(engine) as session:
            with pytest.raises(InvalidInput, match=message):
                set_reminder_ladder(session, actor=MANAGER, event_id=event_id, steps=steps)
    with unit_of_work(engine) as session:
        with pytest.raises(NotAllowed):
            set_reminder_ladder(session, actor=FINANCE, event_id=event_id, steps={})


def test_the_worker_queues_the_final_notice_and_delivers_it_to_the_smtp_server(engine, monkeypatch):
    """The worker's registered jobs, in process: the reminder job queues, the email job sends to
    the real SMTP test server, in one pass of the scheduler."""
    from orders_core.jobs import JOBS
    from orders_core.worker import Scheduler
    from tests.smtp_server import smtp_server

    order_id = an_order(engine, due=date(2026, 11, 1), language="fr", company_name="Exemple SARL")
    with smtp_server() as (handler, port):
        monkeypatch.setenv("ORDERS_SMTP_URL", f"smtp://127.0.0.1:{port}")
        with time_machine.travel(at(date(2026, 12, 1), 11), tick=True):
            Scheduler(engine, JOBS).run_pending()
    [received] = handler.received
    assert (
        received.message["Subject"] == "Dernier rappel : commande " + str(order_number(engine, order_id)) + " - Salon"
    )
    body = received.message.get_body(("plain",)).get_content()
    assert INDEMNITY_FR in body and "Malgré nos précédents rappels" in body
    [email] = reminder_emails(engine, order_id)
    assert email.status == "sent" and received.rcpt_tos == [email.recipient]


def order_number(engine, order_id: int) -> int:
    with unit_of_work(engine) as session:
        return session.get(Order, order_id).number


def test_the_demos_overdue_invoice_orders_get_one_reminder_each_by_day_and_none_at_night(demo_engine):
    engine = demo_engine
    today = datetime.now(UTC).date()  # the demo's dates follow the clock it was loaded at
    night = datetime(today.year, today.month, today.day, 4, 0, tzinfo=UTC)  # 05:00 in Paris, 23:00 in Toronto
    assert queue_due_reminders(engine, now=night) == 0
    day = night + timedelta(hours=11)  # 15:00 UTC: a civil hour in every demo event's zone
    queued = queue_due_reminders(engine, now=day)
    assert queued > 0
    assert queue_due_reminders(engine, now=day + timedelta(minutes=5)) == 0  # once
    with unit_of_work(engine) as session:
        per_order = session.execute(
            select(PaymentReminder.order_id, func.count()).group_by(PaymentReminder.order_id)
        ).all()
        assert len(per_order) == queued and {count for _order, count in per_order} == {1}
        owing = session.scalars(
            select(Order.payment_state).where(Order.id.in_([order_id for order_id, _count in per_order]))
        ).all()
        assert set(owing) <= {"unpaid", "partially_paid"}
