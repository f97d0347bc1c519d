"""Issue 20: the refund email. When finance records a refund and ticks "email the buyer", an email
of kind `refund` is queued in the same transaction, in the buyer's language, with the amount and
currency refunded (the built-in text, or a chosen template); nothing is queued when not ticked,
and a template of another event is refused with nothing written. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput
from orders_core.models import EmailTemplate, OutboxEmail, Refund
from orders_core.permissions import Actor
from orders_core.services.cancellations import RefundRequest, cancel_tickets
from orders_core.services.email_templates import create_template
from orders_core.services.refunds import record_refund
from queries.ledger import refund_templates
from tests.factories import NOW, make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

D = Decimal
FINANCE = Actor("fin@example.org", "finance")
TODAY = datetime.now(UTC).date()


def paid_order(engine, language: str, quantity: int = 1) -> tuple[int, int, int]:
    with unit_of_work(engine) as session:
        event = make_event(session, language=language)
        badge = make_tariff(session, event, unit_price_ht=D("100.00"))
        order = make_order(session, event, [(badge, quantity)], status="paid", language=language)
        return order.id, order.number, event.id


def refund(engine, order_id, **kwargs):
    with unit_of_work(engine) as session:
        return record_refund(
            session,
            actor=FINANCE,
            order_id=order_id,
            amount="30.00",
            method="bank_transfer",
            refunded_at=TODAY,
            reason="Goodwill gesture",
            **kwargs,
        )


def emails(engine, order_id, kind="refund"):
    with engine.connect() as conn:
        return conn.execute(
            select(OutboxEmail.subject, OutboxEmail.body_text, OutboxEmail.recipient, OutboxEmail.template_id).where(
                OutboxEmail.order_id == order_id, OutboxEmail.kind == kind
            )
        ).all()


def test_a_ticked_refund_email_is_queued_in_english_with_the_amount(engine):
    order_id, number, _event = paid_order(engine, "en")
    outcome = refund(engine, order_id, send_email=True)
    assert outcome.email_queued
    [(subject, body, recipient, template_id)] = emails(engine, order_id)
    assert subject.startswith(f"Refund for your order {number}")
    assert "We have refunded €30.00 (Bank transfer," in body
    assert "amount kept: €90.00" in body
    assert recipient == f"buyer{number}@example.org" and template_id is None


def test_a_french_buyer_reads_the_refund_in_french_with_the_amount_and_currency(engine):
    order_id, number, _event = paid_order(engine, "fr")
    refund(engine, order_id, send_email=True)
    [(subject, body, _recipient, _template)] = emails(engine, order_id)
    assert subject.startswith(f"Remboursement de votre commande {number}")
    assert "Nous vous avons remboursé 30,00\xa0€ (Virement bancaire," in body


def test_nothing_is_queued_when_the_email_is_not_ticked(engine):
    order_id, _number, _event = paid_order(engine, "en")
    outcome = refund(engine, order_id)
    assert not outcome.email_queued and emails(engine, order_id) == []


def test_a_chosen_template_renders_the_refund(engine):
    order_id, number, event_id = paid_order(engine, "en")
    with unit_of_work(engine) as session:
        template = EmailTemplate(
            event_id=event_id,
            kind="order_changed",
            language="en",
            name="Refund note",
            subject="Order {{ order.number }}: {{ refund.amount_formatted }} back",
            body="Refunded {{ refund.amount_formatted }} on {{ refund.refunded_at_formatted }}.",
            is_html=False,
            updated_at=NOW,
        )
        session.add(template)
        session.flush()
        template_id = template.id
    assert [t["id"] for t in refund_templates(engine, event_id, principal=EVERY_EVENT)] == [template_id]
    refund(engine, order_id, send_email=True, template_id=template_id)
    [(subject, body, _recipient, used)] = emails(engine, order_id, kind="order_changed")
    assert (subject, used) == (f"Order {number}: €30.00 back", template_id)


def test_a_template_of_another_event_is_refused_and_nothing_is_written(engine):
    order_id, _number, _event = paid_order(engine, "en")
    _other_order, _n, other_event = paid_order(engine, "en")
    with unit_of_work(engine) as session:
        template = EmailTemplate(
            event_id=other_event,
            kind="order_changed",
            language="en",
            name="Other",
            subject="x",
            body="y",
            is_html=False,
            updated_at=NOW,
        )
        session.add(template)
        session.flush()
        template_id = template.id
    with pytest.raises(InvalidInput, match="template of this event"):
        refund(engine, order_id, send_email=True, template_id=template_id)
    with engine.connect() as conn:
        assert conn.execute(select(Refund.id).where(Refund.order_id == order_id)).all() == []
    assert emails(engine, order_id) == []


def test_cancelling_a_ticket_with_its_refund_emails_the_refunded_amount(engine):
    order_id, number, _event = paid_order(engine, "en", quantity=2)
    with engine.connect() as conn:
        from orders_core.models import OrderItem

        item = conn.execute(select(OrderItem.id).where(OrderItem.order_id == order_id)).scalars().first()
    with unit_of_work(engine) as session:
        cancel_tickets(
            session,
            actor=FINANCE,
            order_id=order_id,
            item_ids=[item],
            reason="One cannot come",
            refund=RefundRequest("120.00", "cheque", TODAY, send_email=True),
        )
    [(_subject, body, _recipient, _template)] = emails(engine, order_id)
    assert "We have refunded €120.00 (Cheque," in body and "Order total: €120.00" in body


def test_a_refund_template_made_on_the_templates_page_is_offered_and_renders_the_refund(engine):
    order_id, number, event_id = paid_order(engine, "en")
    admin = Actor("admin@example.org", "admin")
    with unit_of_work(engine) as session:
        changed = create_template(
            session,
            actor=admin,
            event_id=None,
            kind="order_changed",
            language="en",
            name="Changed",
            subject="C",
            body="B",
        )
        mine = create_template(
            session,
            actor=admin,
            event_id=event_id,
            kind="refund",
            language="en",
            name="Goodwill refund",
            subject="{{ refund.amount_formatted }} back on order {{ order.number }}",
            body="Refunded {{ refund.amount_formatted }} ({{ refund.method }}).",
        )
        ids = (changed.id, mine.id)
    offered = refund_templates(engine, event_id, principal=EVERY_EVENT)
    assert [(t["id"], t["kind"]) for t in offered] == [(ids[1], "refund"), (ids[0], "order_changed")]
    refund(engine, order_id, send_email=True, template_id=ids[1])
    [(subject, body, _recipient, used)] = emails(engine, order_id)
    assert (subject, body, used) == (f"€30.00 back on order {number}", "Refunded €30.00 (Bank transfer).", ids[1])


def test_without_a_choice_the_events_refund_template_replaces_the_built_in_text(engine):
    order_id, number, event_id = paid_order(engine, "en")
    with unit_of_work(engine) as session:
        template = create_template(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=event_id,
            kind="refund",
            language="en",
            name="Event refund",
            subject="Your refund for {{ order.number }}",
            body="{{ refund.amount_formatted }}",
        )
        template_id = template.id
    refund(engine, order_id, send_email=True)
    [(subject, body, _recipient, used)] = emails(engine, order_id)
    assert (subject, body, used) == (f"Your refund for {number}", "€30.00", template_id)


def test_a_payment_details_template_is_refused_for_the_refund_email(engine):
    order_id, _number, event_id = paid_order(engine, "en")
    with unit_of_work(engine) as session:
        template = create_template(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=event_id,
            kind="payment_details",
            language="en",
            name="Pay",
            subject="S",
            body="B",
        )
        template_id = template.id
    assert refund_templates(engine, event_id, principal=EVERY_EVENT) == []
    with pytest.raises(InvalidInput, match="refund or “order changed” email template"):
        refund(engine, order_id, send_email=True, template_id=template_id)
    assert emails(engine, order_id) == []


def test_cancelling_tickets_takes_a_chosen_refund_template(engine):
    order_id, number, event_id = paid_order(engine, "en", quantity=2)
    with unit_of_work(engine) as session:
        template_id = create_template(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=None,
            kind="refund",
            language="en",
            name="Ticket refund",
            subject="Ticket refunded on {{ order.number }}",
            body="{{ refund.amount_formatted }}",
        ).id
    with engine.connect() as conn:
        from orders_core.models import OrderItem

        item = conn.execute(select(OrderItem.id).where(OrderItem.order_id == order_id)).scalars().first()
    with unit_of_work(engine) as session:
        cancel_tickets(
            session,
            actor=FINANCE,
            order_id=order_id,
            item_ids=[item],
            reason="One cannot come",
            refund=RefundRequest("120.00", "cheque", TODAY, send_email=True, template_id=template_id),
        )
    [(subject, body, _recipient, used)] = emails(engine, order_id)
    assert (subject, body, used) == (f"Ticket refunded on {number}", "€120.00", template_id)
    assert event_id  # the global template serves every event
