"""Documents attached at send time (issue 21), against a real SMTP server (aiosmtpd) on SQLite and
PostgreSQL: the tickets email carries one e-ticket PDF per attendee that still admits, an invoice
listed on an email arrives as its PDF, a document that no longer exists or admits makes the email
fail with a readable reason instead of leaving without it, and the `.eml` files hold them too."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email import message_from_bytes, policy

from pypdf import PdfReader
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_invoice
from orders_core.emails.attachments import entry
from orders_core.emails.outbox import queue_email
from orders_core.emails.sender import send_due
from orders_core.emails.transports import FileTransport, SmtpSettings, SmtpTransport
from orders_core.models import Attendee, InvoiceFile, Order, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.cancellations import cancel_tickets
from orders_core.services.tickets import change_holder
from tests.factories import make_event, make_order, make_seller_settings, make_tariff
from tests.smtp_server import smtp_server

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
FINANCE = Actor("finance@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")


def smtp_to(port: int) -> SmtpTransport:
    return SmtpTransport(SmtpSettings(host="127.0.0.1", port=port), timeout=5)


def paid_order(engine, *, quantity: int = 2) -> dict:
    with unit_of_work(engine) as session:
        event = make_event(session, name="Salon de l'été", venue="Parc des expositions")
        holders = [("Zoé", "Lefèvre", ""), ("Marc", "Dubois", ""), ("Inès", "Haddad", "")][:quantity]
        order = make_order(
            session, event, [(make_tariff(session, event, name="Pass"), quantity)], status="paid", holders=holders
        )
        attendees = session.scalars(
            select(Attendee.id).where(Attendee.order_id == order.id).order_by(Attendee.id)
        ).all()
        return {"id": order.id, "number": order.number, "attendees": list(attendees)}


def queue(engine, order_id: int, kind: str = "tickets", **options) -> int:
    with unit_of_work(engine) as session:
        return queue_email(session, order=session.get_one(Order, order_id), kind=kind, now=NOW, **options).id


def outbox_row(engine, email_id: int) -> OutboxEmail:
    with unit_of_work(engine) as session:
        return session.get_one(OutboxEmail, email_id)


def pdfs(message) -> list[tuple[str, str, str]]:
    """(filename, content type, text) of each attachment."""
    return [
        (
            part.get_filename(),
            part.get_content_type(),
            "".join(page.extract_text() for page in PdfReader(io.BytesIO(part.get_content())).pages),
        )
        for part in message.iter_attachments()
    ]


def test_the_tickets_email_lists_one_ticket_per_attendee_when_queued(engine):
    order = paid_order(engine)
    email_id = queue(engine, order["id"])
    assert outbox_row(engine, email_id).attachments == [{"kind": "ticket", "id": a} for a in order["attendees"]]
    assert outbox_row(engine, queue(engine, order["id"], kind="order_confirmation")).attachments == []


def test_the_tickets_email_arrives_with_each_attendees_pdf_ticket(engine):
    order = paid_order(engine)
    email_id = queue(engine, order["id"])
    with smtp_server() as (handler, port):
        report = send_due(engine, smtp_to(port), limit=10, now=NOW)
    assert (report.sent, report.failed) == (1, 0)
    [received] = handler.received
    message = received.message
    assert message.get_content_type() == "multipart/mixed"
    assert "Zoé Lefèvre" in message.get_body(("plain",)).get_content()
    files = pdfs(message)
    first, second = order["attendees"]
    assert [(name, kind) for name, kind, _text in files] == [
        (f"E-ticket-{order['number']}-{first}.pdf", "application/pdf"),
        (f"E-ticket-{order['number']}-{second}.pdf", "application/pdf"),
    ]
    assert "Zoé Lefèvre" in files[0][2] and "Parc des expositions" in files[0][2] and "Pass" in files[0][2]
    assert "Marc Dubois" in files[1][2] and str(order["number"]) in files[1][2]
    assert outbox_row(engine, email_id).status == "sent"


def test_a_holder_changed_after_queueing_gets_the_new_ticket(engine):
    order = paid_order(engine, quantity=1)
    queue(engine, order["id"])
    with unit_of_work(engine) as session:
        change_holder(session, actor=MANAGER, attendee_id=order["attendees"][0], first_name="Léa", last_name="Roux")
    with smtp_server() as (handler, port):
        send_due(engine, smtp_to(port), limit=10, now=NOW)
    [(_name, _kind, text)] = pdfs(handler.received[0].message)
    assert "Léa Roux" in text and "Zoé" not in text


def test_an_invoice_listed_on_an_email_arrives_as_its_pdf_and_is_stored(engine):
    order = paid_order(engine, quantity=1)
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        invoice = issue_invoice(session, actor=FINANCE, order_id=order["id"], now=NOW)
        invoice_id, number = invoice.id, invoice.number
    queue(engine, order["id"], kind="order_confirmation", attachments=[entry("invoice", invoice_id)])
    with smtp_server() as (handler, port):
        report = send_due(engine, smtp_to(port), limit=10, now=NOW)
    assert report.sent == 1
    [(name, kind, text)] = pdfs(handler.received[0].message)
    assert (name, kind) == (f"Facture-{number}.pdf", "application/pdf")
    assert number in text
    with unit_of_work(engine) as session:
        assert session.get(InvoiceFile, invoice_id) is not None


def test_a_cancelled_ticket_makes_the_email_fail_with_a_reason_and_nothing_is_sent(engine):
    order = paid_order(engine, quantity=3)
    email_id = queue(engine, order["id"])
    with unit_of_work(engine) as session:
        item = session.get_one(Attendee, order["attendees"][0]).order_item_id
        cancel_tickets(session, actor=FINANCE, order_id=order["id"], reason="cannot come", item_ids=[item])
    with smtp_server() as (handler, port):
        report = send_due(engine, smtp_to(port), limit=10, now=NOW)
    assert handler.received == []
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    row = outbox_row(engine, email_id)
    assert row.status == "failed"
    assert f"ticket {order['attendees'][0]}" in row.last_error and "cancelled" in row.last_error
    assert "Not sent without it" in row.last_error


def test_a_missing_invoice_makes_the_email_fail(engine):
    order = paid_order(engine, quantity=1)
    email_id = queue(engine, order["id"], kind="order_confirmation", attachments=[entry("invoice", 424242)])
    with smtp_server() as (handler, port):
        report = send_due(engine, smtp_to(port), limit=10, now=NOW)
    assert handler.received == [] and report.failed == 1
    assert outbox_row(engine, email_id).last_error == "invoice 424242 does not exist: not sent without it"


def test_without_smtp_the_eml_file_holds_the_attachments(engine, tmp_path):
    order = paid_order(engine)
    email_id = queue(engine, order["id"])
    report = send_due(engine, FileTransport(tmp_path / "outbox"), limit=10, now=NOW)
    assert report.sent == 1
    [path] = (tmp_path / "outbox").glob("*.eml")
    assert path.name == f"20261121T090000-{email_id}.eml"
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert [name for name, _kind, _text in pdfs(message)] == [
        f"E-ticket-{order['number']}-{attendee}.pdf" for attendee in order["attendees"]
    ]
