"""Expiry of unpaid invoice orders (issue 15), on SQLite and PostgreSQL, with a controlled clock:
the worker's job cancels an order the day after its grace period ends in its event's timezone,
through the cancel service (history with the reason, the buyer's email), never one that has
received money, never when the event's expiry is off; two workers at once cancel each order once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.expiry import expire_orders_job
from orders_core.jobs import EXPIRY, JOBS
from orders_core.models import EmailTemplate, Order, OrderHistory, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.email_templates import create_template
from orders_core.services.expiry import expire_order
from orders_core.services.ledger import confirm_payment
from orders_core.worker import JobRun
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
DUE = date(2026, 12, 1)
# Grace of 7 days past 1 December: the order expires on 9 December, Paris time (UTC+1).
LAST_GRACE_EVENING = datetime(2026, 12, 8, 22, 30, tzinfo=UTC)  # 23:30 on the 8th in Paris
JUST_AFTER = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)  # 00:30 on the 9th in Paris


@pytest.fixture
def orders(engine):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=UTC), tick=False), unit_of_work(engine) as session:
        strict = make_event(session, name="Strict", payment_terms_days=30, expire_after_days=7)
        lenient = make_event(session, name="Lenient", payment_terms_days=30)  # expiry off (the default)
        badge = make_tariff(session, strict, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        other = make_tariff(session, lenient, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        unpaid = make_order(session, strict, [(badge, 1)], due_date=DUE, language="fr")
        partial = make_order(session, strict, [(badge, 1)], due_date=DUE)
        confirm_payment(
            session,
            actor=FINANCE,
            order_id=partial.id,
            amount="1.00",
            method="bank_transfer",
            received_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        )
        not_yet = make_order(session, strict, [(badge, 1)], due_date=date(2026, 12, 5))
        off = make_order(session, lenient, [(other, 1)], due_date=DUE)
        return {"unpaid": unpaid.id, "partial": partial.id, "not_yet": not_yet.id, "off": off.id}


def run_job(engine, now: datetime) -> str | None:
    with time_machine.travel(now, tick=False):
        return expire_orders_job(JobRun(engine, now, lambda: False))


def statuses(engine) -> dict[int, str]:
    with unit_of_work(engine) as session:
        return dict(session.execute(select(Order.id, Order.status)).all())


def expired_emails(engine) -> list[OutboxEmail]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "order_expired")))


def test_the_job_is_registered_with_the_worker():
    assert EXPIRY in {job.name for job in JOBS}


def test_an_order_is_not_expired_on_the_last_evening_of_its_grace_period(engine, orders):
    assert run_job(engine, LAST_GRACE_EVENING) is None
    assert set(statuses(engine).values()) == {"awaiting_payment"}
    assert expired_emails(engine) == []


def test_an_order_is_expired_once_its_grace_period_is_over_with_history_and_email(engine, orders):
    summary = run_job(engine, JUST_AFTER)
    assert summary == "1 unpaid invoice order(s) cancelled past their grace period"
    assert statuses(engine) == {
        orders["unpaid"]: "cancelled",
        orders["partial"]: "awaiting_payment",  # received money: never
        orders["not_yet"]: "awaiting_payment",  # due on the 5th: grace ends on the 12th
        orders["off"]: "awaiting_payment",  # its event's expiry is off
    }
    with unit_of_work(engine) as session:
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == orders["unpaid"], OrderHistory.action == "cancelled")
        ).one()
        assert entry.actor == "system"
        assert entry.reason == "Expired: unpaid 8 days past the due date (2026-12-01, Europe/Paris)"
        assert entry.details == {"status": {"old": "awaiting_payment", "new": "cancelled"}}
    (email,) = expired_emails(engine)
    assert email.order_id == orders["unpaid"]
    assert email.status == "queued"
    assert email.subject.startswith("Votre commande") and "a été annulée" in email.subject  # the order's language
    assert "120,00" in email.body_text or "120.00" in email.body_text


def test_running_again_changes_nothing(engine, orders):
    run_job(engine, JUST_AFTER)
    assert run_job(engine, datetime(2026, 12, 20, 12, 0, tzinfo=UTC)) == (
        "1 unpaid invoice order(s) cancelled past their grace period"  # the one due on the 5th, now
    )
    assert run_job(engine, datetime(2026, 12, 21, 12, 0, tzinfo=UTC)) is None
    assert len(expired_emails(engine)) == 2
    assert statuses(engine)[orders["partial"]] == "awaiting_payment"
    assert statuses(engine)[orders["off"]] == "awaiting_payment"


def test_the_service_leaves_a_partially_paid_order_alone_even_when_asked_directly(engine, orders):
    with time_machine.travel(JUST_AFTER, tick=False), unit_of_work(engine) as session:
        assert expire_order(session, actor=Actor("system", "system"), order_id=orders["partial"]) is False
        assert expire_order(session, actor=Actor("system", "system"), order_id=orders["off"]) is False
    assert statuses(engine)[orders["partial"]] == "awaiting_payment"


def test_two_workers_at_once_cancel_each_order_once(engine):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=UTC), tick=False), unit_of_work(engine) as session:
        event = make_event(session, payment_terms_days=30, expire_after_days=0)
        badge = make_tariff(session, event, unit_price_ht=Decimal("10.00"), tax_rate=Decimal("0"))
        ids = [make_order(session, event, [(badge, 1)], due_date=DUE).id for _ in range(12)]
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            expire_orders_job(JobRun(engine, now, lambda: False))
        except BaseException as error:  # reported below, the test must not hang
            errors.append(error)

    with time_machine.travel(now, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    assert set(statuses(engine).values()) == {"cancelled"}
    with unit_of_work(engine) as session:
        cancellations = session.scalars(select(OrderHistory.order_id).where(OrderHistory.action == "cancelled")).all()
    assert sorted(cancellations) == sorted(ids)
    assert sorted(e.order_id for e in expired_emails(engine)) == sorted(ids)


def test_the_events_order_expired_template_replaces_the_built_in_text(engine, orders):
    admin = Actor("admin@example.org", "admin")
    with unit_of_work(engine) as session:
        strict = session.get_one(Order, orders["unpaid"]).event_id
        for event_id, name in ((None, "Global"), (strict, "Strict")):  # the event's wins over the global one
            create_template(
                session,
                actor=admin,
                event_id=event_id,
                kind="order_expired",
                language="fr",
                name=name,
                subject=name + " : commande {{ order.number }} annulée",
                body="Solde {{ order.balance_due_formatted }}",
            )
        wanted = session.scalars(select(EmailTemplate.id).where(EmailTemplate.name == "Strict")).one()
        number = session.get_one(Order, orders["unpaid"]).number
    run_job(engine, JUST_AFTER)
    (email,) = expired_emails(engine)
    assert (email.order_id, email.template_id) == (orders["unpaid"], wanted)
    assert email.subject == f"Strict : commande {number} annulée"
    assert email.body_text == "Solde 120,00\xa0€"


def test_a_global_order_expired_template_is_used_when_the_event_has_none(engine, orders):
    with unit_of_work(engine) as session:
        template = create_template(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=None,
            kind="order_expired",
            language="fr",
            name="Global",
            subject="Annulée : {{ order.number }}",
            body="B",
        )
        template_id = template.id
    run_job(engine, JUST_AFTER)
    (email,) = expired_emails(engine)
    assert email.template_id == template_id and email.subject.startswith("Annulée : ")
