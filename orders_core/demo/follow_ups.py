"""The demo's follow-ups (issue 15), set through the service a finance user would use, so the
overview's "follow-ups due" and the grid's filter show on a fresh install: a few of the newest
invoice orders awaiting payment get a follow-up, some due today or earlier, some later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from orders_core.db import unit_of_work
from orders_core.demo.ledger import DEMO_FINANCE
from orders_core.models import Order
from orders_core.services.follow_ups import set_follow_up

# (days from today, the note the team left)
STORIES = (
    (-2, "Called the buyer: the transfer was sent, check the statement"),
    (0, "Promised to pay today"),
    (0, "Ask accounting for the purchase order number"),
    (7, "Call back next week"),
)


def follow_up_stories(engine: Engine, *, now: datetime) -> int:
    """Set the demo's follow-ups; returns how many were set."""
    moment = min(now, datetime.now(UTC))
    with unit_of_work(engine) as session:
        ids = session.scalars(
            select(Order.id)
            .where(
                Order.status == "awaiting_payment",
                Order.payment_mode == "invoice",
                Order.deleted_at.is_(None),
                Order.follow_up_on.is_(None),
            )
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(len(STORIES))
        ).all()
        for order_id, (days, note) in zip(ids, STORIES, strict=False):
            set_follow_up(
                session,
                actor=DEMO_FINANCE,
                order_id=order_id,
                on=moment.date() + timedelta(days=days),
                note=note,
                now=moment,
            )
    return len(ids)
