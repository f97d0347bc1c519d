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
from orders_core.emails.schedule import DEFAULT_SCHEDULE
from orders_core.emails.sender import claim_due, send_due
from orders_core.emails.transports import FileTransport, SmtpSettings, SmtpTransport
from orders_core.models import Order, OrderHistory, OutboxEmail
from tests.factories import make_event, make_order, make_tariff
from tests.smtp_server import RecordingHandler, free_port, smtp_server, smtp_server_at

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


def test_a_queued_email_arrives_with_its_subject_body_recipient_and_utf8_headers(engine, monkeypatch):
    monkeypatch.setenv("ORDERS_SMTP_FROM", "Billetterie Été <billets@example.org>")
    order_id, email_id = queue_for_zoe(engine)
    queued_message_id = outbox_row(engine, email_id).message_id
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
    assert message["Message-ID"] == queued_message_id and queued_message_id.endswith("@example.org>")
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


# The default schedule, as offsets from the first failure: 0, +1 min, +5 min, +30 min, +2 h,
# +6 h, +12 h, then every 24 h while within 5 days.
EXPECTED_ATTEMPT_OFFSETS = [
    timedelta(0),
    timedelta(minutes=1),
    timedelta(minutes=6),
    timedelta(minutes=36),
    timedelta(hours=2, minutes=36),
    timedelta(hours=8, minutes=36),
    timedelta(hours=20, minutes=36),
    timedelta(hours=44, minutes=36),
    timedelta(hours=68, minutes=36),
    timedelta(hours=92, minutes=36),
    timedelta(hours=116, minutes=36),
]


@pytest.mark.parametrize("failure", ["refused", "down"])
def test_a_refusing_or_absent_server_is_retried_on_a_schedule_of_days_then_the_email_fails_and_the_order_stays(
    engine, failure
):
    order_id, email_id = queue_for_zoe(engine)
    before = order_state(engine, order_id)
    message_id = outbox_row(engine, email_id).message_id
    handler = RecordingHandler(reply="550 5.7.1 Mailbox unavailable")
    moments = []

    def attempt(moment):
        if failure == "down":
            return send_due(engine, smtp_to(free_port()), limit=10, now=moment)
        with smtp_server(handler) as (_, port):
            return send_due(engine, smtp_to(port), limit=10, now=moment)

    moment = NOW
    while True:
        report = attempt(moment)
        assert report.claimed == 1
        moments.append(moment)
        row = outbox_row(engine, email_id)
        assert row.attempts == len(moments) and row.message_id == message_id
        if row.status == "failed":
            break
        assert row.status == "queued" and report.retrying == 1
        due = row.next_attempt_at.replace(tzinfo=UTC)
        # nothing is tried a second before it is due
        assert attempt(due - timedelta(seconds=1)).claimed == 0
        moment = due

    assert [m - NOW for m in moments] == EXPECTED_ATTEMPT_OFFSETS
    assert report.failed == 1 and row.next_attempt_at is None
    assert row.first_failed_at.replace(tzinfo=UTC) == NOW
    assert (
        ("550" in row.last_error and "Mailbox unavailable" in row.last_error)
        if failure == "refused"
        else ("Connection" in row.last_error or "refused" in row.last_error.lower())
    )
    assert handler.received == []
    assert order_state(engine, order_id) == before


def test_a_fifteen_minute_outage_loses_nothing_and_sending_resumes_when_the_server_returns(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for index in range(20):
            order = make_order(session, event, [(tariff, 1)], buyer_email=f"buyer-{index:02}@example.org")
            queue_email(session, order=order, kind="payment_details", now=NOW)
    port = free_port()  # the server's address, where nothing answers during the outage
    polls = [NOW + timedelta(minutes=minute) for minute in range(60)]  # a sender run every minute
    outage_end = NOW + timedelta(minutes=15)
    delivered_at = {}
    with smtp_server_at(port) as (handler, controller):
        for moment in polls:
            if moment == outage_end:
                controller.start()
            report = send_due(engine, smtp_to(port), limit=100, now=moment)
            if moment < outage_end:
                # the server is down: one email finds out, the others keep their attempts
                assert (report.sent, report.claimed, report.server_unavailable) == (0, 1, True)
            for received in handler.received:
                delivered_at.setdefault(received.message["Message-ID"], moment)
    with unit_of_work(engine) as session:
        rows = session.scalars(select(OutboxEmail)).all()
    assert {row.status for row in rows} == {"sent"}
    assert sorted(r.message["Message-ID"] for r in handler.received) == sorted(row.message_id for row in rows)
    assert sorted(r.rcpt_tos[0] for r in handler.received) == [f"buyer-{index:02}@example.org" for index in range(20)]
    # every email leaves at the first run after the server is back
    assert set(delivered_at.values()) == {outage_end}
    assert sorted(row.attempts for row in rows) == [1] * 5 + [2] * 15


def test_an_unreachable_server_stops_the_run_after_one_email(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for _ in range(3):
            queue_email(session, order=make_order(session, event, [(tariff, 1)]), kind="payment_details", now=NOW)
    report = send_due(engine, smtp_to(free_port()), limit=10, now=NOW)
    assert (report.claimed, report.retrying, report.server_unavailable) == (1, 1, True)
    assert "server unavailable" in report.summary()
    with unit_of_work(engine) as session:
        attempts = sorted(session.scalars(select(OutboxEmail.attempts)))
    assert attempts == [0, 0, 1]


def test_a_recipient_refusal_does_not_stop_the_other_emails(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for index in range(3):
            order = make_order(session, event, [(tariff, 1)], buyer_email=f"buyer-{index}@example.org")
            queue_email(session, order=order, kind="payment_details", now=NOW)
    with smtp_server(RecordingHandler(reply="550 5.1.1 No such user")) as (_, port):
        report = send_due(engine, smtp_to(port), limit=10, now=NOW)
    assert (report.claimed, report.retrying, report.server_unavailable) == (3, 3, False)


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


def test_an_email_left_sending_by_a_dead_sender_is_sent_again_with_its_message_id_once_its_lease_ran_out(engine):
    _, email_id = queue_for_zoe(engine)
    lease = timedelta(minutes=5)
    [claimed] = claim_due(engine, now=NOW, claimer="dead:1:x", lease=lease)  # then the sender "dies"
    with smtp_server() as (handler, port):
        assert (
            send_due(engine, smtp_to(port), limit=10, now=NOW + lease - timedelta(seconds=1), lease=lease).claimed == 0
        )
        assert send_due(engine, smtp_to(port), limit=10, now=NOW + lease, lease=lease).sent == 1
    assert handler.received[0].message["Message-ID"] == claimed.message_id
    row = outbox_row(engine, email_id)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, None)
    assert "stopped while sending" in row.last_error


def test_a_sender_whose_lease_ran_out_does_not_overwrite_the_sender_that_took_over(engine):
    from orders_core.emails.sender import _record_failure

    _, email_id = queue_for_zoe(engine)
    lease = timedelta(minutes=5)
    [slow] = claim_due(engine, now=NOW, claimer="slow:1:x", lease=lease)
    with smtp_server() as (handler, port):
        assert send_due(engine, smtp_to(port), limit=10, now=NOW + lease, lease=lease).sent == 1
    # the slow sender finally hears back from its server (a failure): the row stays sent
    _record_failure(engine, slow, NOW + lease, "timed out", DEFAULT_SCHEDULE, "slow:1:x")
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
    text = message.get_body(("plain",)).get_content()
    assert "- Tariff" in text and "Amélie Poulain" in text
    # issue 21: the tickets email carries each holder's e-ticket
    assert [part.get_content_type() for part in message.iter_attachments()] == ["application/pdf"] * 2
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
