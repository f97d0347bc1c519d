"""The transactional outbox: a service that sends an email writes an outbox row in its own
transaction; `orders outbox send` delivers it later. Nothing is sent during a Streamlit rerun."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.emails.defaults import DEFAULTS
from orders_core.emails.render import render
from orders_core.i18n import format_datetime, format_money
from orders_core.models import EmailTemplate, Event, Order, OrderItem, OrderLine, OutboxEmail, Tariff


def find_template(session: Session, *, kind: str, language: str, event_id: int | None,
                  template_id: int | None = None) -> EmailTemplate | None:
    """The chosen template, else the event's, else the global one, in the order's language."""
    if template_id is not None:
        return session.get(EmailTemplate, template_id)
    for scope in (event_id, None):
        template = session.scalars(
            select(EmailTemplate)
            .where(EmailTemplate.kind == kind, EmailTemplate.language == language,
                   EmailTemplate.event_id.is_(None) if scope is None else EmailTemplate.event_id == scope)
            .order_by(EmailTemplate.id)
        ).first()
        if template:
            return template
    return None


def order_context(session: Session, order: Order) -> dict[str, Any]:
    """What a template can use: order, event, lines, items (all plain values)."""
    event = session.get(Event, order.event_id)
    language = order.language if order.language in ("en", "fr") else "en"
    balance = Decimal(order.total_ttc) - Decimal(order.amount_paid)
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    items = session.execute(
        select(OrderItem, OrderLine.name).join(OrderLine, OrderLine.id == OrderItem.order_line_id)
        .where(OrderItem.order_id == order.id).order_by(OrderItem.id)
    ).all()
    return {
        "order": {
            "number": order.number, "buyer_first_name": order.buyer_first_name,
            "buyer_last_name": order.buyer_last_name, "buyer_email": order.buyer_email,
            "company_name": order.company_name, "currency": order.currency,
            "total_ht": order.total_ht, "total_ttc": order.total_ttc, "balance_due": balance,
            "total_ht_formatted": format_money(order.total_ht, order.currency, language),
            "total_ttc_formatted": format_money(order.total_ttc, order.currency, language),
            "balance_due_formatted": format_money(balance, order.currency, language),
        },
        "event": {
            "name": event.name, "bank_details": event.bank_details,
            "starts_at_formatted": format_datetime(event.starts_at, event.timezone, language),
        },
        "lines": [
            {"name": line.name, "quantity": line.quantity, "kind": line.kind,
             "total_ttc_formatted": format_money(line.total_ttc, order.currency, language)}
            for line in lines
        ],
        "items": [
            {"tariff": name, "holder_first_name": item.holder_first_name, "holder_last_name": item.holder_last_name,
             "holder_email": item.holder_email, "seat": item.seat}
            for item, name in items
        ],
    }


def queue_email(session: Session, *, order: Order, kind: str, template_id: int | None = None,
                recipient: str | None = None) -> OutboxEmail:
    """Render the email now and queue it in the caller's transaction (status `queued`)."""
    language = order.language if order.language in ("en", "fr") else "en"
    template = find_template(session, kind=kind, language=language, event_id=order.event_id, template_id=template_id)
    if template is not None:
        subject, body, is_html = template.subject, template.body, template.is_html
    else:
        subject, body = DEFAULTS[(kind, language)]
        is_html = False
    rendered = render(subject, body, order_context(session, order), is_html=is_html)
    now = datetime.now(UTC)
    email = OutboxEmail(
        order_id=order.id, template_id=template.id if template else None, kind=kind,
        recipient=recipient or order.buyer_email, subject=rendered.subject, body_text=rendered.body_text,
        body_html=rendered.body_html, status="queued", attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(email)
    return email
