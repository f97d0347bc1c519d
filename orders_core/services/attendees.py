"""Attendees of paid orders: one per order item (badge/ticket unit), with the holder's details,
created by the ledger when payments cover an order (services.ledger), set-based."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from sqlalchemy import Table, and_, case, exists, insert, select, true
from sqlalchemy.orm import Session

from orders_core.db import is_sqlite
from orders_core.models import Attendee, Order, OrderItem
from orders_core.models.orders import random_secret
from orders_core.services import guards


def items_without_attendee(session: Session, ids: Sequence[int]) -> dict[int, list[int]]:
    """order id -> the ids of its order items (badge/ticket units) that have no attendee yet
    (orders with none left out)."""
    items: dict[int, list[int]] = {}
    no_attendee = ~exists().where(Attendee.order_item_id == OrderItem.id)
    for _part, condition in guards.id_chunks(session, OrderItem.order_id, ids):
        query = select(OrderItem.order_id, OrderItem.id).where(condition, no_attendee).order_by(OrderItem.id)
        for order_id, item_id in session.execute(query):
            items.setdefault(order_id, []).append(item_id)
    return items


def register_attendees(session: Session, items: Mapping[int, Sequence[int]]) -> int:
    """One attendee for each of these order items (order id -> item ids, of paid orders the caller
    locked, as `items_without_attendee` found them), with the holder's details (the buyer's when
    the holder was left blank), registered at the order's `paid_at`; how many. An item that has
    an attendee already makes the unique constraint refuse.

    Issue 19: both the items and their orders are named. Found again here by "no attendee yet",
    or joined to their orders by the join alone, PostgreSQL planned this INSERT (never a parallel
    plan) by hashing every attendee (1.3M at 1M orders), then by reading every order: ~1.1 s then
    ~1.6 s of a 10,000-order validation; named, it reads them through their primary keys. SQLite
    is given the items alone: with both lists it probed every (order, item) pair of the two, 10
    million index searches for 2,000 orders (2.3 s), where the items alone find their orders by
    primary key (the join)."""
    order_ids = [order_id for order_id, of_order in items.items() if of_order]
    if not order_ids:  # a part payment, a balance without new holders: no statement to send
        return 0
    holder_blank = and_(OrderItem.holder_first_name == "", OrderItem.holder_last_name == "")
    name_orders = not is_sqlite(session.connection())
    created = 0
    for orders_part, order_condition in guards.id_chunks(session, Order.id, order_ids):
        item_ids = [item for order_id in orders_part for item in items[order_id]]
        for _part, item_condition in guards.id_chunks(session, OrderItem.id, item_ids):
            source = (
                select(
                    Order.event_id,
                    Order.id,
                    OrderItem.id,
                    case((holder_blank, Order.buyer_first_name), else_=OrderItem.holder_first_name),
                    case((holder_blank, Order.buyer_last_name), else_=OrderItem.holder_last_name),
                    case(
                        (holder_blank & (OrderItem.holder_email == ""), Order.buyer_email),
                        else_=OrderItem.holder_email,
                    ),
                    Order.paid_at,
                    random_secret(),
                )
                .join(Order, Order.id == OrderItem.order_id)
                .where(order_condition if name_orders else true(), item_condition)
            )
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
        created += len(item_ids)
    return created
