"""The sender against a real SMTP server (aiosmtpd on a free loopback port)."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.emails.sender import LEASE, MAX_ATTEMPTS, backoff, send_due
from orders_core.emails.transports import FileTransport, SmtpSettings, SmtpTransport
from orders_core.models import Order, OrderHistory, OutboxEmail
from tests.factories import make_event, make_order, make_tariff
from tests.smtp_server import RecordingHandler, free_port, smtp_server

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def smtp_to(port: int) -> SmtpTransport:
    return SmtpTransport(SmtpSettings(host="127.0.0.1", port=port), timeout=5)


def queue_for_zoe(engine, *, kind="payment_details", language="fr", **order_overrides) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        event = make_event(session, name="Salon de l'été", language=language)
        order = make_order(
            session,
            event,
            [(make_tariff(session, event), 2)],
            buyer_first_name="Zoé",
            buyer_last_name="Lefèvre",
            buyer_email="zoe.lefevre@example.org",
            **order_overrides,
        )
        email = queue_email(session, order=order, kind=kind, now=NOW)
        return order.id, email.id


def outbox_row(engine, email_id: int) -> OutboxEmail:
    with unit_of_work(engine) as session:
        return session.get(OutboxEmail, email_id)


def order_state(engine, order_id: int) -> tuple:
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        history = session.scalar(
            select(OrderHistory.id).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id.desc()).limit(1)
        )
        return order.status, order.version, order.updated_at, order.amount_paid, history


def test_a_queued_email_arrives_with_its_subject_body_recipient_and_utf8_headers(engine):
    order_id, email_id = queue_for_zoe(engine)
    with smtp_server() as (handler, port):
        report = send_due(engine, smtp_to(port), limit=10, now=NOW, sender="Billetterie Été <billets@example.org>")

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [received] = handler.received
    message = received.message
    assert received.rcpt_tos == ["zoe.lefevre@example.org"]
    assert received.mail_from == "billets@example.org"
    assert str(message["To"]) == "Zoé Lefèvre <zoe.lefevre@example.org>"
    assert message["To"].addresses[0].display_name == "Zoé Lefèvre"
    assert str(message["From"]) == "Billetterie Été <billets@example.org>"
    with unit_of_work(engine) as session:
        number = session.get(Order, order_id).number
    assert str(message["Subject"]) == f"Détails de paiement de votre commande {number} - Salon de l'été"
    assert message["Message-ID"].startswith(f"<{email_id}.") and message["Message-ID"].endswith("@example.org>")
    assert message["Date"].datetime == NOW
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content().replace("\r\n", "\n")  # SMTP lines end in CRLF
    assert body.startswith("Bonjour Zoé,\n")
    assert "Montant dû : 240,00\u00a0€" in body
    assert f"référence {number}" in body and "IBAN FR76 0000" in body

    row = outbox_row(engine, email_id)
    assert row.status == "sent" and row.attempts == 1 and row.last_error is None
    assert row.sent_at is not None and row.message_id == message["Message-ID"]


def test_an_html_template_is_sent_as_multipart_alternative_with_the_buyer_name_escaped(engine):
    from orders_core.models import EmailTemplate

    with unit_of_work(engine) as session:
        event = make_event(session)
        template = EmailTemplate(
            event_id=event.id,
            kind="order_confirmation",
            language="en",
            name="HTML",
            subject="Order {{ order.number }} for {{ order.buyer_name }}",
            body="<p>Hello <b>{{ order.buyer_first_name }}</b></p><p>Total {{ order.total_ttc_formatted }}</p>",
            is_html=True,
            updated_at=NOW,
        )
        session.add(template)
        order = make_order(
            session,
            event,
            [(make_tariff(session, event), 1)],
            buyer_first_name="<script>alert(1)</script> {{ 7*7 }}",
            buyer_last_name="{% for %}",
        )
        queue_email(session, order=order, kind="order_confirmation", now=NOW)
    with smtp_server() as (handler, port):
        assert send_due(engine, smtp_to(port), limit=10, now=NOW).sent == 1
    message = handler.received[0].message
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.iter_parts()
    assert text_part.get_content_type() == "text/plain" and html_part.get_content_type() == "text/html"
    assert "Hello <script>alert(1)</script> {{ 7*7 }}" in text_part.get_content()
    assert "<b>&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}</b>" in html_part.get_content()
    assert "<script>" not in html_part.get_content()
    assert str(message["Subject"]).endswith("for <script>alert(1)</script> {{ 7*7 }} {% for %}")


@pytest.mark.parametrize("failure", ["refused", "down"])
def test_a_refusing_or_absent_server_keeps_the_email_queued_then_fails_it_and_the_order_stays(engine, failure):
    order_id, email_id = queue_for_zoe(engine)
    before = order_state(engine, order_id)
    handler = RecordingHandler(reply="550 5.7.1 Mailbox unavailable")
    moment = NOW

    def attempt():
        if failure == "down":
            return send_due(engine, smtp_to(free_port()), limit=10, now=moment)
        with smtp_server(handler) as (_, port):
            return send_due(engine, smtp_to(port), limit=10, now=moment)

    report = attempt()
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    row = outbox_row(engine, email_id)
    assert row.status == "queued" and row.attempts == 1
    assert (
        ("550" in row.last_error and "Mailbox unavailable" in row.last_error)
        if failure == "refused"
        else ("Connection" in row.last_error or "refused" in row.last_error.lower())
    )
    assert row.next_attempt_at.replace(tzinfo=UTC) == NOW + backoff(1)

    # not due yet: nothing is tried before the backoff has passed
    assert send_due(engine, smtp_to(free_port()), limit=10, now=NOW + backoff(1) - timedelta(seconds=1)).claimed == 0

    for attempt_number in range(2, MAX_ATTEMPTS + 1):
        moment = outbox_row(engine, email_id).next_attempt_at.replace(tzinfo=UTC)
        report = attempt()
        row = outbox_row(engine, email_id)
        assert row.attempts == attempt_number
    assert (report.retrying, report.failed) == (0, 1)
    assert row.status == "failed" and row.next_attempt_at is None and row.last_error
    assert handler.received == []
    assert order_state(engine, order_id) == before


def test_two_senders_in_parallel_deliver_each_message_exactly_once(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for index in range(40):
            order = make_order(session, event, [(tariff, 1)], buyer_email=f"buyer-{index}@example.org")
            queue_email(session, order=order, kind="payment_details", now=NOW)

    with smtp_server() as (handler, port):
        reports = []
        start = threading.Barrier(2)

        def run():
            start.wait()
            reports.append(send_due(engine, smtp_to(port), limit=100, now=NOW))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    recipients = sorted(r.rcpt_tos[0] for r in handler.received)
    assert recipients == sorted(f"buyer-{index}@example.org" for index in range(40))
    assert sum(report.sent for report in reports) == 40
    with unit_of_work(engine) as session:
        assert set(session.scalars(select(OutboxEmail.status))) == {"sent"}


def test_an_email_left_sending_by_a_dead_sender_is_sent_again_once_its_lease_ran_out(engine):
    from orders_core.emails.sender import claim_due

    _, email_id = queue_for_zoe(engine)
    [claimed] = claim_due(engine, now=NOW, limit=10, sender="orders@localhost")  # then the sender "dies"
    with smtp_server() as (handler, port):
        assert send_due(engine, smtp_to(port), limit=10, now=NOW + LEASE - timedelta(seconds=1)).claimed == 0
        assert send_due(engine, smtp_to(port), limit=10, now=NOW + LEASE).sent == 1
    assert handler.received[0].message["Message-ID"] == claimed.message_id
    assert outbox_row(engine, email_id).status == "sent"


def test_the_limit_caps_how_many_emails_one_run_sends(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for _ in range(3):
            queue_email(session, order=make_order(session, event, [(tariff, 1)]), kind="payment_details", now=NOW)
    with smtp_server() as (handler, port):
        assert send_due(engine, smtp_to(port), limit=2, now=NOW).sent == 2
        assert send_due(engine, smtp_to(port), limit=2, now=NOW).sent == 1
    assert len(handler.received) == 3


def test_the_file_transport_writes_a_parseable_eml(engine, tmp_path):
    _, email_id = queue_for_zoe(
        engine, kind="tickets", status="paid", holders=[("Zoé", "Lefèvre", ""), ("Amélie", "Poulain", "")]
    )
    report = send_due(engine, FileTransport(tmp_path / "outbox"), limit=10, now=NOW)
    assert report.sent == 1
    [path] = (tmp_path / "outbox").glob("*.eml")
    assert path.name == f"20261121T090000-{email_id}.eml"
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["X-Orders-Email-Id"] == str(email_id)
    assert message["To"].addresses[0].display_name == "Zoé Lefèvre"
    assert "- Tariff" in message.get_content() and "Amélie Poulain" in message.get_content()
    assert outbox_row(engine, email_id).status == "sent"


def test_starttls_and_login_are_used_when_the_url_asks_for_them(engine, tmp_path):
    import ssl

    from aiosmtpd.smtp import AuthResult

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                str(key),
                "-out",
                str(cert),
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"openssl cannot make a test certificate: {error}")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == "s3cret é".encode())

    _, email_id = queue_for_zoe(engine)
    with smtp_server(
        tls_context=server_tls, require_starttls=True, authenticator=authenticator, auth_require_tls=True
    ) as (handler, port):
        transport = SmtpTransport.from_url(
            f"smtp+starttls://mailer:s3cret%20%C3%A9@127.0.0.1:{port}",
            tls_context=ssl.create_default_context(cafile=str(cert)),
            timeout=5,
        )
        report = send_due(engine, transport, limit=10, now=NOW)
    assert report.sent == 1, report.errors
    assert logins == [("mailer", "s3cret é")]
    assert handler.received[0].rcpt_tos == ["zoe.lefevre@example.org"]
