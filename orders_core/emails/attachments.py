"""The documents an email carries (issue 21), rendered by the sender at send time.

An outbox row lists them in `attachments`: `{"kind": "invoice", "id": <invoices.id>}` (an invoice
or credit note: its stored PDF, rendered and stored at the first need) and `{"kind": "ticket",
"id": <attendees.id>}` (an attendee's e-ticket, rendered with its current holder and secret).
Rendering is slow, so it happens outside the short transaction that claims the email, never in
the user's transaction that queued it. A document that does not exist (any more), or a ticket
that no longer admits, makes the email fail with a readable reason: it is never sent without it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from orders_core.errors import OrderError
from orders_core.models import Attendee, Invoice, TicketVoid
from orders_core.permissions import SYSTEM_ACTOR

INVOICE = "invoice"
TICKET = "ticket"
KINDS = (INVOICE, TICKET)


class AttachmentUnavailable(Exception):
    """A listed document cannot be attached; the email must not leave without it."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def entry(kind: str, document_id: int) -> dict[str, Any]:
    """One item of an outbox row's `attachments` list."""
    if kind not in KINDS:
        raise ValueError(f"unknown attachment kind {kind!r}")
    return {"kind": kind, "id": int(document_id)}


def ticket_entries(session: Session, order_id: int) -> list[dict[str, Any]]:
    """One ticket entry per attendee of the order that still admits (not cancelled, secret not void)."""
    voided = select(TicketVoid.id).where(TicketVoid.secret == Attendee.ticket_secret).exists()
    ids = session.scalars(
        select(Attendee.id)
        .where(
            Attendee.order_id == order_id,
            Attendee.cancelled_at.is_(None),
            Attendee.ticket_secret.is_not(None),
            ~voided,
        )
        .order_by(Attendee.order_item_id, Attendee.id)
    ).all()
    return [entry(TICKET, attendee_id) for attendee_id in ids]


def _one(session: Session, item: Mapping[str, Any]) -> Attachment:
    from orders_core.documents.files import document_filename, document_pdf
    from orders_core.documents.tickets import render_tickets_pdf, ticket_filename, ticket_of

    kind, document_id = item.get("kind"), item.get("id")
    if not isinstance(document_id, int) or isinstance(document_id, bool):
        raise AttachmentUnavailable(f"attachment {dict(item)!r}: no document id")
    try:
        if kind == INVOICE:
            invoice = session.get(Invoice, document_id)
            if invoice is None:
                raise AttachmentUnavailable(f"invoice {document_id} does not exist: not sent without it")
            return Attachment(document_filename(invoice), document_pdf(session, document_id, principal=SYSTEM_ACTOR))
        if kind == TICKET:
            ticket = ticket_of(session, document_id, principal=SYSTEM_ACTOR)
            return Attachment(ticket_filename(ticket), render_tickets_pdf([ticket]))
    except OrderError as refusal:  # deleted, cancelled, void: said in words
        raise AttachmentUnavailable(f"{kind} {document_id}: {refusal.message} Not sent without it.") from refusal
    raise AttachmentUnavailable(f"attachment {dict(item)!r}: unknown kind")


def render_attachments(engine: Engine, items: Sequence[Mapping[str, Any]] | None) -> list[Attachment]:
    """The files of an email's `attachments`, in their order, in one short transaction of their
    own (an invoice's first rendering stores its PDF); nothing opened when there are none."""
    if not items:
        return []
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return [_one(session, item) for item in items]


def attach(message: EmailMessage, files: Iterable[Attachment]) -> EmailMessage:
    """Add the files to the message (it becomes multipart/mixed, its text and HTML kept first)."""
    for file in files:
        message.add_attachment(file.content, maintype=file.maintype, subtype=file.subtype, filename=file.filename)
    return message
