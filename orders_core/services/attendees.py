"""Attendees of paid orders: one per order item (badge/ticket unit), with the holder's details,
created by the ledger when payments cover an order (services.ledger), set-based."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, and_, case, exists, func, insert, select
from sqlalchemy.orm import Session

from orders_core.models import Attendee, Order, OrderItem
from orders_core.models.orders import random_secret
from orders_core.services import guards


def units_without_attendee(session: Session, ids: Sequence[int]) -> Counter[int]:
    """order id -> number of order items (badge/ticket units) that have no attendee yet."""
    counts: Counter[int] = Counter()
    no_attendee = ~exists().where(Attendee.order_item_id == OrderItem.id)
    for _part, condition in guards.id_chunks(session, OrderItem.order_id, ids):
        query = select(OrderItem.order_id, func.count()).where(condition, no_attendee).group_by(OrderItem.order_id)
        counts.update(dict(session.execute(query).all()))
    return counts


def register_attendees(
    session: Session, ids: Sequence[int], *, only_missing: bool = False, expected: int | None = None
) -> int:
    """One attendee per order item of these (paid) orders, with the holder's details (the
    buyer's when the holder was left blank), registered at the order's `paid_at`. Without
    `only_missing`, an item that already has an attendee makes the unique constraint refuse."""
    holder_blank = and_(OrderItem.holder_first_name == "", OrderItem.holder_last_name == "")
    # Counted first: psycopg reports no rowcount for INSERT ... SELECT through SQLAlchemy.
    created = expected if expected is not None else sum(units_without_attendee(session, ids).values())
    for _part, condition in guards.id_chunks(session, OrderItem.order_id, ids):
        source = (
            select(
                Order.event_id,
                Order.id,
                OrderItem.id,
                case((holder_blank, Order.buyer_first_name), else_=OrderItem.holder_first_name),
                case((holder_blank, Order.buyer_last_name), else_=OrderItem.holder_last_name),
                case((holder_blank & (OrderItem.holder_email == ""), Order.buyer_email), else_=OrderItem.holder_email),
                Order.paid_at,
                random_secret(),
            )
            .join(Order, Order.id == OrderItem.order_id)
            .where(condition)
        )
        if only_missing:
            source = source.where(~exists().where(Attendee.order_item_id == OrderItem.id))
        statement = insert(cast(Table, Attendee.__table__)).from_select(
            [
                "event_id",
                "order_id",
                "order_item_id",
                "first_name",
                "last_name",
                "email",
                "registered_at",
                "ticket_secret",
            ],
            source,
        )
        session.execute(statement)
    return created
