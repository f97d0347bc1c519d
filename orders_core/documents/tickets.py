"""E-tickets (issue 21): one PDF page per attendee, with the event, its date and time (the zone
named), the venue, the holder, the tariff, the seat, the order number and a QR code of the
attendee's unguessable `ticket_secret`.

Rendered on demand (a download, or the email sender at send time), never in the transaction of a
user's change: a ticket is not stored, because changing its holder renews its secret. A cancelled
ticket, or one whose secret was voided, is never rendered: it no longer admits anyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from weasyprint import HTML

from orders_core.errors import InvalidInput
from orders_core.i18n import N_, _, catalogue, format_datetime_in_zone
from orders_core.models import Attendee, Event, Order, OrderItem, OrderLine, TicketVoid
from orders_core.permissions import Actor
from orders_core.scope import event_condition

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("en", "fr")

# What the ticket says, in the order's language (not the reader's: the buyer prints it).
LABELS = {
    "e_ticket": N_("E-ticket"),
    "when": N_("Date and time"),
    "venue": N_("Venue"),
    "holder": N_("Ticket holder"),
    "tariff": N_("Tariff"),
    "seat": N_("Seat"),
    "order": N_("Order"),
    "scan": N_("Scanned at the entrance"),
    "personal": N_(
        "Personal ticket: its QR code admits one person, once. When the holder changes, a new "
        "ticket is issued and this one no longer admits."
    ),
}


@dataclass(frozen=True)
class Ticket:
    """What one e-ticket prints, already formatted in its language."""

    attendee_id: int
    secret: str
    event_name: str
    starts_at: str  # in the event's zone, the zone named: "12 Jun 2026, 19:30:00 CEST"
    venue: str
    holder: str
    tariff: str
    seat: str
    order_number: int | None
    language: str

    @property
    def qr(self) -> str:
        return qr_data_uri(qr_payload(self.secret))


def qr_payload(secret: str) -> str:
    """What the QR code holds: the secret alone (a scanner looks it up; nothing else to leak)."""
    return secret


def qr_data_uri(payload: str) -> str:
    """The QR code (error correction M, quiet zone of 4 modules) as an SVG data URI."""
    return str(segno.make(payload, error="m", micro=False).svg_data_uri(scale=4, border=4))


def _in(language: str, message: str) -> str:
    return message if language == "en" else catalogue(language).get(message, message)


def _query() -> Select[Attendee, Event, int, str, datetime | None, str | None, str]:
    return (
        select(Attendee, Event, Order.number, Order.language, Order.deleted_at, OrderItem.seat, OrderLine.name)
        .join(Event, Event.id == Attendee.event_id)
        .outerjoin(Order, Order.id == Attendee.order_id)
        .outerjoin(OrderItem, OrderItem.id == Attendee.order_item_id)
        .outerjoin(OrderLine, OrderLine.id == OrderItem.order_line_id)
    )


def _ticket(row: Any) -> Ticket:
    attendee, event, number, order_language, _deleted, seat, tariff = row
    language = (
        order_language if order_language in LANGUAGES else (event.language if event.language in LANGUAGES else "en")
    )
    return Ticket(
        attendee_id=attendee.id,
        secret=attendee.ticket_secret or "",
        event_name=event.name,
        starts_at=format_datetime_in_zone(event.starts_at, event.timezone, language),
        venue=event.venue or "",
        holder=f"{attendee.first_name} {attendee.last_name}".strip() or attendee.email,
        tariff=tariff or "",
        seat=seat or "",
        order_number=number,
        language=language,
    )


def _voided(session: Session, secrets: list[str]) -> set[str]:
    if not secrets:
        return set()
    return set(session.scalars(select(TicketVoid.secret).where(TicketVoid.secret.in_(secrets))))


def ticket_of(session: Session, attendee_id: int, *, principal: Actor) -> Ticket:
    """The e-ticket of one attendee; refused when it does not exist (or is another team's
    event's) or no longer admits."""
    row = session.execute(
        _query().where(Attendee.id == attendee_id, event_condition(Attendee.event_id, principal))
    ).one_or_none()
    if row is None:
        raise InvalidInput(_("This e-ticket does not exist."))
    attendee, deleted_at = row[0], row[4]
    if deleted_at is not None:
        raise InvalidInput(_("The order of this e-ticket is deleted: it has no e-ticket."))
    if attendee.cancelled_at is not None or not attendee.ticket_secret:
        raise InvalidInput(_("This e-ticket is cancelled: it no longer admits anyone."))
    if _voided(session, [attendee.ticket_secret]):
        raise InvalidInput(_("This e-ticket is void: it no longer admits anyone."))
    return _ticket(row)


def tickets_of_order(session: Session, order_id: int, *, principal: Actor) -> list[Ticket]:
    """The e-tickets of an order's attendees that still admit, in the order of the items (none
    for an order of an event outside the principal's scope)."""
    rows = session.execute(
        _query()
        .where(
            Attendee.order_id == order_id,
            Attendee.cancelled_at.is_(None),
            Order.deleted_at.is_(None),
            event_condition(Attendee.event_id, principal),
        )
        .order_by(Attendee.order_item_id, Attendee.id)
    ).all()
    voided = _voided(session, [row[0].ticket_secret for row in rows if row[0].ticket_secret])
    tickets = [_ticket(row) for row in rows if row[0].ticket_secret and row[0].ticket_secret not in voided]
    if not tickets:
        raise InvalidInput(_("This order has no e-ticket (it is not paid, or its tickets are cancelled)."))
    return tickets


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False)


def tickets_html(tickets: list[Ticket]) -> str:
    """The e-tickets as one HTML document, a page each (every value escaped by Jinja2)."""
    language = tickets[0].language if tickets else "en"
    labels = {key: _in(language, message) for key, message in LABELS.items()}
    title = f"{labels['e_ticket']} {tickets[0].event_name}" if tickets else labels["e_ticket"]
    css = (TEMPLATES / "ticket.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("ticket.html")
        .render(tickets=tickets, labels=labels, language=language, title=title, css=css)
    )


def render_tickets_pdf(tickets: list[Ticket]) -> bytes:
    """The PDF of these e-tickets, one page each."""
    return bytes(HTML(string=tickets_html(tickets), base_url=str(TEMPLATES)).write_pdf())


def ticket_pdf(session: Session, attendee_id: int, *, principal: Actor) -> bytes:
    """One attendee's e-ticket as a PDF (refused when it no longer admits)."""
    return render_tickets_pdf([ticket_of(session, attendee_id, principal=principal)])


def order_tickets_pdf(session: Session, order_id: int, *, principal: Actor) -> bytes:
    """Every e-ticket of an order that still admits, in one PDF."""
    return render_tickets_pdf(tickets_of_order(session, order_id, principal=principal))


def ticket_filename(ticket: Ticket) -> str:
    """`E-ticket-1234567-42.pdf`: the order number, then the attendee."""
    return f"E-ticket-{ticket.order_number or 'event'}-{ticket.attendee_id}.pdf"


def order_tickets_filename(order_number: int) -> str:
    return f"E-tickets-{order_number}.pdf"
