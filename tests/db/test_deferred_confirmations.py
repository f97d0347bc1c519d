"""Issue 19: a bulk validation queues its confirmations unrendered and the sender writes them
when it sends them, to exactly the email the validation would have rendered (same subject, body,
HTML, attachments), with the facts of the moment of validation; erasure and the Emails page
handle an email not written yet. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.emails.confirmation import Templates, contexts, render
from orders_core.emails.sender import send_due
from orders_core.models import EmailTemplate, Order, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.erasure import erase_buyer
from orders_core.services.refunds import record_refund
from orders_core.services.validation import validate_orders
from queries import emails as email_queries
from queries.order_detail import order_detail
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")
ADMIN = Actor("admin@example.org", "admin")
TODAY = datetime.now(UTC).date()
HTML = (
    "<p>Bonjour {{ order.buyer_name }} ({{ order.status }}, {{ order.payment_mode }})</p>"
    "<ul>{% for item in items %}<li>{{ item.tariff }}: {{ item.holder_first_name }}</li>{% endfor %}</ul>"
    "<p>Payé {{ order.amount_paid_formatted }}, reste {{ order.balance_due_formatted }}, "
    "remboursé {{ refund.amount_formatted }}, étape {{ reminder.step }}, {{ event.starts_at_formatted }}</p>"
)


class Recording:
    def __init__(self) -> None:
        self.messages: list = []

    def send(self, message) -> None:
        self.messages.append(message)


@pytest.fixture
def orders(engine):
    """An English order (built-in template) and a French one whose event has an HTML template."""
    with unit_of_work(engine) as session:
        en = make_event(session)
        fr = make_event(session, language="fr")
        session.add(
            EmailTemplate(
                event_id=fr.id,
                kind="order_confirmation",
                language="fr",
                name="HTML",
                subject="Commande {{ order.number }} : {{ order.total_ttc_formatted }} <{{ event.name }}>",
                body=HTML,
                is_html=True,
                updated_at=datetime.now(UTC),
            )
        )
        first = make_order(session, en, [(make_tariff(session, en), 2)], holders=[("Ada", "L", ""), ("", "", "")])
        second = make_order(
            session, fr, [(make_tariff(session, fr), 1)], buyer_first_name="Zoé", buyer_email="zoe@example.org"
        )
        return first.id, second.id


def validate_and_expect(engine, ids):
    """Validate; return what the validation's transaction would have rendered (the old way:
    the orders as they stand right after it), per order id."""
    with unit_of_work(engine) as session:
        validate_orders(
            session, actor=FINANCE, order_ids=ids, method="bank_transfer", received_at=TODAY, reference="VIR 1"
        )
    with unit_of_work(engine) as session:
        templates = Templates(session)
        expected = {}
        for order_id, (order, context) in contexts(session, ids).items():
            expected[order_id] = render(order, context, templates.get(order.event_id, order.language))
        return expected


def outbox_of(engine, order_id: int) -> OutboxEmail:
    with unit_of_work(engine) as session:
        email = session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == order_id)).one()
        session.expunge(email)
        return email


def test_the_sender_writes_exactly_the_email_the_validation_would_have_rendered(engine, orders):
    expected = validate_and_expect(engine, list(orders))
    for order_id in orders:
        queued = outbox_of(engine, order_id)
        assert (queued.status, queued.subject, queued.body_text, queued.body_html) == ("queued", "", "", None)
        assert queued.to_render is not None and queued.to_render["status"] == "paid"
    sent = Recording()
    report = send_due(engine, sent, limit=10)
    assert (report.sent, report.failed, report.retrying) == (2, 0, 0)
    by_id = {int(m["X-Orders-Email-Id"]): m for m in sent.messages}
    for order_id in orders:
        stored = outbox_of(engine, order_id)
        want = expected[order_id]
        assert (stored.subject, stored.body_text, stored.body_html, stored.to_render) == (
            want.subject,
            want.body_text,
            want.body_html,
            None,
        )
        message = by_id[stored.id]
        assert str(message["Subject"]) == want.subject
        assert message["Message-ID"] == stored.message_id
    french = outbox_of(engine, orders[1])
    assert french.body_html is not None and "Bonjour Zoé" in french.body_html and "(paid, invoice)" in french.body_html
    assert "Payé 100,00" in french.body_html or "Payé 120,00" in french.body_html
    assert french.subject.startswith("Commande ") and "<Event" in french.subject


def test_the_email_shows_the_moment_of_validation_not_what_happened_before_it_was_sent(engine, orders):
    expected = validate_and_expect(engine, [orders[1]])
    with unit_of_work(engine) as session:
        total = session.get(Order, orders[1]).total_ttc
        record_refund(
            session,
            actor=FINANCE,
            order_id=orders[1],
            amount=Decimal("10.00"),
            method="bank_transfer",
            refunded_at=TODAY,
            reason="goodwill",
        )
    assert send_due(engine, Recording(), limit=10).sent == 1
    stored = outbox_of(engine, orders[1])
    assert stored.body_html == expected[orders[1]].body_html
    assert "remboursé 0,00" in stored.body_html and f"Payé {str(total).replace('.', ',')}" in stored.body_html


def test_an_erased_buyer_s_unwritten_email_is_never_written_nor_sent(engine, orders):
    validate_and_expect(engine, [orders[1]])
    with unit_of_work(engine) as session:
        erase_buyer(session, actor=ADMIN, email="zoe@example.org", reason="asked by email")
    sent = Recording()
    assert send_due(engine, sent, limit=10).claimed == 0 and sent.messages == []
    stored = outbox_of(engine, orders[1])
    assert (stored.status, stored.to_render, stored.recipient.startswith("erased-")) == ("failed", None, True)
    assert "Zoé" not in stored.subject + stored.body_text


def test_the_emails_page_says_an_email_is_written_when_sent_then_shows_it(engine, orders):
    validate_and_expect(engine, [orders[0]])
    email_id = outbox_of(engine, orders[0]).id
    listed = email_queries.outbox(engine, principal=ADMIN)
    assert listed.loc[listed["id"] == email_id, "subject"].tolist() == ["(written when it is sent)"]
    message = email_queries.email_message(engine, email_id, principal=ADMIN)
    assert (
        message is not None and message["body_text"] == "The sender writes this email from the order when it sends it."
    )
    with unit_of_work(engine) as session:
        number = session.get(Order, orders[0]).number
    detail = order_detail(engine, number, principal=ADMIN)
    assert detail is not None and detail.emails["subject"].tolist() == ["(written when it is sent)"]
    send_due(engine, Recording(), limit=10)
    listed = email_queries.outbox(engine, principal=ADMIN)
    [subject] = listed.loc[listed["id"] == email_id, "subject"].tolist()
    assert subject.startswith("Your order ") and "is confirmed" in subject
    per_order = email_queries.order_emails(engine, orders[0], principal=ADMIN)
    assert per_order["subject"].tolist() == [subject]
    assert order_detail(engine, number, principal=ADMIN).emails["subject"].tolist() == [subject]
