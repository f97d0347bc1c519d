"""The demo's emails: what the app would have queued for the newest orders (payment details for
organiser invoice orders awaiting payment, a confirmation for paid ones), through the same
`queue_email` as the services. The worker delivers them like any other email; without SMTP
settings it writes them as `.eml` files under data/outbox, so a new user sees what buyers get."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.models import Order

PER_KIND = 5


def queue_demo_emails(engine: Engine, *, now: datetime, per_kind: int = PER_KIND) -> int:
    """Queue `per_kind` emails of each kind for the newest matching orders; returns how many."""
    wanted = {
        "payment_details": (Order.status == "awaiting_payment", Order.payment_mode == "invoice"),
        "order_confirmation": (Order.status == "paid",),
    }
    queued = 0
    with unit_of_work(engine) as session:
        for kind, conditions in wanted.items():
            orders = session.scalars(
                select(Order)
                .where(*conditions, Order.deleted_at.is_(None), Order.buyer_email != "")
                .order_by(Order.created_at.desc(), Order.id.desc())
                .limit(per_kind)
            ).all()
            for order in orders:
                queue_email(session, order=order, kind=kind, now=now)
                queued += 1
    return queued
