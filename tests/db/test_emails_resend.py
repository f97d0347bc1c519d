"""Resending the confirmation or the tickets, and retrying a failed email."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.errors import NotAllowed, TransitionRefused
from orders_core.models import OrderHistory, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.emails import resend_confirmation, resend_tickets, retry_email
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
ADMIN = Actor("admin@example.org", "admin")
MARKETER = Actor("marketer@example.org", "marketer")


def paid_and_pending(session):
    event = make_event(session)
    tariff = make_tariff(session, event)
    paid = make_order(
        session, event, [(tariff, 2)], status="paid", holders=[("Zoé", "Lefèvre", ""), ("Noël", "Martin", "")]
    )
    pending = make_order(session, event, [(tariff, 1)])
    return paid, pending


def test_resending_tickets_queues_them_with_one_line_per_holder_and_writes_history(engine):
    with unit_of_work(engine) as session:
        paid, _ = paid_and_pending(session)
        email = resend_tickets(session, actor=FINANCE, order_id=paid.id)
    with unit_of_work(engine) as session:
        row = session.get(OutboxEmail, email.id)
        assert (row.kind, row.status, row.recipient) == ("tickets", "queued", paid.buyer_email)
        assert ": Zoé Lefèvre\n" in row.body_text and ": Noël Martin\n" in row.body_text
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == paid.id).order_by(OrderHistory.id.desc())
        ).first()
        assert (entry.action, entry.actor) == ("email_resent", FINANCE.email)
        assert entry.details == {"kind": "tickets", "email_id": email.id, "recipient": paid.buyer_email}


def test_tickets_are_refused_for_an_order_that_is_not_paid(engine):
    with unit_of_work(engine) as session:
        _, pending = paid_and_pending(session)
    with unit_of_work(engine) as session, pytest.raises(TransitionRefused, match="is not paid"):
        resend_tickets(session, actor=FINANCE, order_id=pending.id)
    with unit_of_work(engine) as session:
        assert session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == pending.id)).all() == []


def test_resending_the_confirmation_works_for_pending_orders_but_not_cancelled_ones(engine):
    with unit_of_work(engine) as session:
        paid, pending = paid_and_pending(session)
        event = make_event(session)
        cancelled = make_order(session, event, [(make_tariff(session, event), 1)], status="cancelled")
        email = resend_confirmation(session, actor=FINANCE, order_id=pending.id)
        assert email.kind == "order_confirmation" and f"Your order {pending.number} is confirmed" in email.subject
        with pytest.raises(TransitionRefused):
            resend_confirmation(session, actor=FINANCE, order_id=cancelled.id)


def test_a_marketer_may_not_resend(engine):
    with unit_of_work(engine) as session:
        paid, _ = paid_and_pending(session)
    with unit_of_work(engine) as session, pytest.raises(NotAllowed):
        resend_confirmation(session, actor=MARKETER, order_id=paid.id)


def test_a_failed_email_is_queued_again_by_retry_and_only_a_failed_one(engine):
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    with unit_of_work(engine) as session:
        paid, _ = paid_and_pending(session)
        failed = queue_email(session, order=paid, kind="tickets")
        failed.status, failed.attempts, failed.last_error, failed.next_attempt_at = "failed", 5, "550 no", None
        queued = queue_email(session, order=paid, kind="order_confirmation")
    with unit_of_work(engine) as session:
        retry_email(session, actor=ADMIN, email_id=failed.id, now=now)
    with unit_of_work(engine) as session:
        row = session.get(OutboxEmail, failed.id)
        assert (row.status, row.attempts, row.last_error) == ("queued", 0, "550 no")
        assert row.next_attempt_at.replace(tzinfo=UTC) == now
        with pytest.raises(TransitionRefused, match="Only a failed email can be retried"):
            retry_email(session, actor=ADMIN, email_id=queued.id)
        with pytest.raises(NotAllowed):
            retry_email(session, actor=FINANCE, email_id=failed.id)
