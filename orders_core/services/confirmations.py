"""Order-confirmation emails for many orders at once, queued in the caller's transaction.

Rendering 10,000 emails inside a bulk validation's transaction cost more than the validation
itself (issue 19). So each confirmation is queued unrendered: an outbox row with its recipient,
its template, its attachments, its Message-ID and, in `to_render`, the facts of this moment (when,
the language, the order's status, payment mode and amount paid); the sender renders it when it
sends it (emails/confirmation.render_deferred), to exactly the email it would have been now.
Here: one query for the orders, one per (event, language) to find and compile the template (a
template that does not compile still refuses the whole action), one for the invoices, one insert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core import bulk
from orders_core.documents.automatic import standing_invoice_ids
from orders_core.emails.confirmation import (
    KIND,
    LANGUAGES,
    Templates,
    contexts,
    frozen_facts,
    materialise,
)
from orders_core.emails.outbox import message_ids
from orders_core.models import Order, OutboxEmail
from orders_core.services.guards import id_chunks

__all__ = ["KIND", "contexts", "materialise", "queue_confirmations"]


def queue_confirmations(session: Session, ids: Sequence[int], *, now: datetime) -> int:
    """Queue one order-confirmation email per order, to be rendered by the sender; returns how
    many were queued."""
    if not ids:
        return 0
    templates = Templates(session)
    invoices = standing_invoice_ids(session, list(ids))  # each attached (issue 21)
    has_name = "recipient_name" in OutboxEmail.__table__.c
    query = select(
        Order.id,
        Order.event_id,
        Order.language,
        Order.buyer_first_name,
        Order.buyer_last_name,
        Order.buyer_email,
        Order.status,
        Order.payment_mode,
        Order.amount_paid,
    )
    orders: list[Any] = []
    for _part, condition in id_chunks(session, Order.id, ids):
        orders.extend(session.execute(query.where(condition)).all())
    orders.sort(key=lambda order: order.id)
    new_ids = message_ids(len(orders))
    rows = []
    for order, message_id in zip(orders, new_ids, strict=True):
        language = order.language if order.language in LANGUAGES else "en"
        template_id = templates.get(order.event_id, language)[0]  # compiled once: refused now if broken
        row = dict(
            order_id=order.id,
            template_id=template_id,
            kind=KIND,
            recipient=order.buyer_email.strip(),
            subject="",
            body_text="",
            body_html=None,
            status="queued",
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            created_at=now,
            sent_at=None,
            message_id=message_id,
            attachments=[{"kind": "invoice", "id": invoices[order.id]}] if order.id in invoices else [],
            to_render=frozen_facts(now, language, order.status, order.payment_mode, order.amount_paid),
        )
        if has_name:
            row["recipient_name"] = f"{order.buyer_first_name} {order.buyer_last_name}".strip() or None
        rows.append(row)
    bulk.insert_rows(session.connection(), "outbox_emails", rows)
    return len(rows)
