"""The transactional outbox: a service that sends an email writes an outbox row in its own
transaction; `orders outbox send` delivers it later. Nothing is sent during a Streamlit rerun."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import make_msgid, parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.documents.automatic import invoice_attachments
from orders_core.emails.attachments import ticket_entries
from orders_core.emails.defaults import DEFAULTS
from orders_core.emails.render import render
from orders_core.emails.transports import sender_address
from orders_core.i18n import catalogue, format_datetime, format_money
from orders_core.models import EmailTemplate, Event, Order, OrderItem, OrderLine, OutboxEmail, Refund
from orders_core.payment_state import balance_due
from orders_core.reminders import ReminderStep, is_business, local_now, reminder_values
from orders_core.status import PAYMENT_METHOD_LABELS, PaymentMethod

LANGUAGES = ("en", "fr")
TICKETS_EMAIL = "tickets"  # issue 21: carries the e-tickets
# Emails that carry the order's standing invoice (issue 21), if it has one.
INVOICE_EMAILS = ("payment_details", "payment_reminder", "order_confirmation")

# What a template can use, for the editor's help text; `sample_context` and `order_context`
# produce exactly these keys (a test keeps them in step).
VARIABLES: dict[str, tuple[str, ...]] = {
    "order": (
        "number",
        "buyer_first_name",
        "buyer_last_name",
        "buyer_name",
        "buyer_email",
        "company_name",
        "currency",
        "status",
        "payment_mode",
        "total_ht",
        "total_ttc",
        "amount_paid",
        "balance_due",
        "total_ht_formatted",
        "total_ttc_formatted",
        "amount_paid_formatted",
        "balance_due_formatted",
        "created_at_formatted",
    ),
    "event": ("name", "bank_details", "starts_at_formatted", "timezone"),
    "lines": ("name", "quantity", "kind", "total_ht_formatted", "total_ttc_formatted"),
    "items": ("tariff", "holder_first_name", "holder_last_name", "holder_email", "seat"),
    # Issue 15: the reminder ladder's step (see orders_core/reminders.reminder_values); in an email
    # that is not a reminder, the step the order's due date points at.
    "reminder": (
        "step",
        "before_due",
        "final",
        "due_date_formatted",
        "days_overdue",
        "business",
        "late_payment_terms",
    ),
    # The order's latest refund (zero when none): the `refund` email's subject.
    "refund": ("amount", "amount_formatted", "method", "refunded_at_formatted"),
}


def new_message_id(sender: str | None = None) -> str:
    """A globally unique Message-ID in the sender's domain, chosen once when an email is queued
    and stored with it: every retry, even after a crash, sends the same one."""
    address = parseaddr(sender or sender_address())[1]
    domain = address.rsplit("@", 1)[-1] if "@" in address else ""
    return make_msgid(domain=domain or "localhost")


def message_ids(count: int, sender: str | None = None) -> list[str]:
    """`count` new Message-IDs (as `new_message_id`), the sender's domain parsed once."""
    address = parseaddr(sender or sender_address())[1]
    domain = (address.rsplit("@", 1)[-1] if "@" in address else "") or "localhost"
    return [make_msgid(domain=domain) for _ in range(count)]


def email_language(order: Order) -> str:
    return order.language if order.language in LANGUAGES else "en"


def find_template(
    session: Session, *, kind: str, language: str, event_id: int | None, template_id: int | None = None
) -> EmailTemplate | None:
    """The chosen template, else the event's, else the global one, in the order's language."""
    if template_id is not None:
        return session.get(EmailTemplate, template_id)
    for scope in (event_id, None):
        template = session.scalars(
            select(EmailTemplate)
            .where(
                EmailTemplate.kind == kind,
                EmailTemplate.language == language,
                EmailTemplate.event_id.is_(None) if scope is None else EmailTemplate.event_id == scope,
            )
            .order_by(EmailTemplate.id)
        ).first()
        if template:
            return template
    return None


def _order_values(
    *,
    number: int,
    first: str,
    last: str,
    email: str,
    company: str,
    currency: str,
    status: str,
    payment_mode: str,
    total_ht: Decimal,
    total_ttc: Decimal,
    amount_paid: Decimal,
    created_at: datetime,
    timezone: str,
    language: str,
    refunded: Decimal = Decimal("0.00"),
) -> dict[str, Any]:
    # The one balance rule: total - payments (kept + refunded); a refund never makes one.
    balance = balance_due(total=Decimal(total_ttc), paid=Decimal(amount_paid) + refunded)
    return {
        "number": number,
        "buyer_first_name": first,
        "buyer_last_name": last,
        "buyer_name": f"{first} {last}".strip(),
        "buyer_email": email,
        "company_name": company,
        "currency": currency,
        "status": status,
        "payment_mode": payment_mode,
        "total_ht": total_ht,
        "total_ttc": total_ttc,
        "amount_paid": amount_paid,
        "balance_due": balance,
        "total_ht_formatted": format_money(total_ht, currency, language),
        "total_ttc_formatted": format_money(total_ttc, currency, language),
        "amount_paid_formatted": format_money(amount_paid, currency, language),
        "balance_due_formatted": format_money(balance, currency, language),
        "created_at_formatted": format_datetime(created_at, timezone, language),
    }


def order_reminder(order: Any, event: Any, language: str, step: str | None, now: datetime | None) -> dict[str, Any]:
    """The `reminder` variables of an order (a model or a row with due_date, company_name and
    vat_number), for the step given or the one its due date points at."""
    today = local_now(now or datetime.now(UTC), event.timezone).date()
    if step is None:
        step = ReminderStep.DUE_SOON if order.due_date is None or today <= order.due_date else ReminderStep.FIRST
    return reminder_values(
        step=step,
        due_date=order.due_date,
        today=today,
        business=is_business(order.company_name, order.vat_number),
        language=language,
    )


def order_context(
    session: Session,
    order: Order,
    language: str | None = None,
    *,
    reminder_step: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """What a template can use: order, event, lines, items, reminder (all plain values), formatted
    in the order's language unless another is given."""
    event = session.get_one(Event, order.event_id)
    language = language if language in LANGUAGES else email_language(order)
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    items = session.execute(
        select(OrderItem, OrderLine.name)
        .join(OrderLine, OrderLine.id == OrderItem.order_line_id)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.id)
    ).all()
    refunds = session.execute(
        select(Refund.amount, Refund.method, Refund.refunded_at).where(Refund.order_id == order.id).order_by(Refund.id)
    ).all()
    refunded = sum((Decimal(str(r.amount)).quantize(Decimal("0.01")) for r in refunds), Decimal("0.00"))
    return {
        "refund": refund_values(refunds[-1] if refunds else None, order.currency, event.timezone, language),
        "order": _order_values(
            number=order.number,
            first=order.buyer_first_name,
            last=order.buyer_last_name,
            email=order.buyer_email,
            company=order.company_name,
            currency=order.currency,
            status=order.status,
            payment_mode=order.payment_mode,
            total_ht=order.total_ht,
            total_ttc=order.total_ttc,
            amount_paid=order.amount_paid,
            created_at=order.created_at,
            timezone=event.timezone,
            language=language,
            refunded=refunded,
        ),
        "event": {
            "name": event.name,
            "bank_details": event.bank_details,
            "timezone": event.timezone,
            "starts_at_formatted": format_datetime(event.starts_at, event.timezone, language),
        },
        "lines": [
            {
                "name": line.name,
                "quantity": line.quantity,
                "kind": line.kind,
                "total_ht_formatted": format_money(line.total_ht, order.currency, language),
                "total_ttc_formatted": format_money(line.total_ttc, order.currency, language),
            }
            for line in lines
        ],
        "items": [
            {
                "tariff": name,
                "holder_first_name": item.holder_first_name,
                "holder_last_name": item.holder_last_name,
                "holder_email": item.holder_email,
                "seat": item.seat,
            }
            for item, name in items
        ],
        "reminder": order_reminder(order, event, language, reminder_step, now),
    }


def refund_values(refund: Any, currency: str, timezone: str, language: str) -> dict[str, Any]:
    """The `refund` variables: an order's latest refund (amount, method in the language, date)."""
    amount = Decimal(str(refund.amount)).quantize(Decimal("0.01")) if refund is not None else Decimal("0.00")
    label = PAYMENT_METHOD_LABELS[PaymentMethod(refund.method)] if refund is not None else ""
    return {
        "amount": amount,
        "amount_formatted": format_money(amount, currency, language),
        "method": (catalogue(language).get(label) or label) if language != "en" else label,
        "refunded_at_formatted": format_datetime(refund.refunded_at, timezone, language) if refund else "",
    }


def sample_context(language: str = "en") -> dict[str, Any]:
    """A made-up order with every variable filled, to check a template before it is saved."""
    when = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    sample_refund = Refund(amount=Decimal("120.00"), method="bank_transfer", refunded_at=when)
    return {
        "refund": refund_values(sample_refund, "EUR", "Europe/Paris", language),
        "order": _order_values(
            number=1234567,
            first="Zoé",
            last="Lefèvre",
            email="zoe@example.org",
            company="Exemple SARL",
            currency="EUR",
            status="awaiting_payment",
            payment_mode="invoice",
            total_ht=Decimal("200.00"),
            total_ttc=Decimal("240.00"),
            amount_paid=Decimal("0.00"),
            created_at=when,
            timezone="Europe/Paris",
            language=language,
        ),
        "event": {
            "name": "Sample event",
            "bank_details": "IBAN FR76 3000 6000 0112 3456 7890 189",
            "timezone": "Europe/Paris",
            "starts_at_formatted": format_datetime(when, "Europe/Paris", language),
        },
        "lines": [
            {
                "name": "Badge",
                "quantity": 2,
                "kind": "badge",
                "total_ht_formatted": format_money(Decimal("200.00"), "EUR", language),
                "total_ttc_formatted": format_money(Decimal("240.00"), "EUR", language),
            }
        ],
        "items": [
            {
                "tariff": "Badge",
                "holder_first_name": "Zoé",
                "holder_last_name": "Lefèvre",
                "holder_email": "zoe@example.org",
                "seat": "A12",
            },
            {
                "tariff": "Badge",
                "holder_first_name": "Marc",
                "holder_last_name": "Dubois",
                "holder_email": "marc@example.org",
                "seat": None,
            },
        ],
        # the sample buyer is a company: the business wording shows in a preview
        "reminder": reminder_values(
            step=ReminderStep.FIRST, due_date=when.date(), today=when.date(), business=True, language=language
        ),
    }


def _default_attachments(session: Session, order: Order, kind: str) -> list[dict[str, Any]]:
    """What an email of `kind` carries when the caller names nothing: the tickets email its
    e-tickets, the payment emails the order's standing invoice (if any)."""
    if kind == TICKETS_EMAIL:
        return ticket_entries(session, order.id)
    if kind in INVOICE_EMAILS:
        return invoice_attachments(session, order.id)
    return []


def queue_email(
    session: Session,
    *,
    order: Order,
    kind: str,
    template_id: int | None = None,
    recipient: str | None = None,
    now: datetime | None = None,
    reminder_step: str | None = None,
    attachments: Sequence[Mapping[str, Any]] | None = None,
) -> OutboxEmail:
    """Render the email now and queue it in the caller's transaction (status `queued`);
    `reminder_step` is the ladder's step a `payment_reminder` is sent for. `attachments` lists
    the documents the sender renders and attaches (emails/attachments.py); the `tickets` email
    carries the e-ticket of every attendee that still admits unless told otherwise."""
    language = email_language(order)
    template = find_template(session, kind=kind, language=language, event_id=order.event_id, template_id=template_id)
    if template is not None:
        subject, body, is_html = template.subject, template.body, template.is_html
    else:
        subject, body = DEFAULTS[(kind, language)]
        is_html = False
    now = now or datetime.now(UTC)
    context = order_context(session, order, reminder_step=reminder_step, now=now)
    rendered = render(subject, body, context, is_html=is_html)
    to_buyer = recipient is None or recipient.strip().lower() == order.buyer_email.strip().lower()
    buyer_name = f"{order.buyer_first_name} {order.buyer_last_name}".strip()
    email = OutboxEmail(
        order_id=order.id,
        template_id=template.id if template else None,
        kind=kind,
        recipient=(recipient or order.buyer_email).strip(),
        recipient_name=buyer_name if to_buyer else None,
        subject=rendered.subject[:300],
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        status="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        message_id=new_message_id(),
        attachments=[dict(item) for item in attachments]
        if attachments is not None
        else _default_attachments(session, order, kind),
    )
    session.add(email)
    session.flush()
    return email
