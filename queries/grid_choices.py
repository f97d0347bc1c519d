"""What the grid's filter widgets offer, and the order a typed number names (split from
queries/grid.py, which re-exports both)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from orders_core.models import DiscountCode, Event, Order
from orders_core.permissions import Actor
from orders_core.scope import event_condition


def order_id_for_number(engine: Engine, number: int, *, principal: Actor) -> int | None:
    """The id of the order with that number (deleted or not), or None (also for an order of an
    event outside the principal's scope)."""
    with engine.connect() as conn:
        return conn.execute(
            select(Order.id).where(Order.number == number, event_condition(Order.event_id, principal))
        ).scalar()


def filter_choices(engine: Engine, *, principal: Actor) -> dict[str, list[Any]]:
    """What the filter widgets offer: the principal's events (id, name) and their discount codes."""
    with engine.connect() as conn:
        events = conn.execute(
            select(Event.id, Event.name)
            .where(event_condition(Event.id, principal))
            .order_by(Event.starts_at.desc(), Event.id)
        ).all()
        codes = (
            conn.execute(
                select(DiscountCode.code)
                .where(event_condition(DiscountCode.event_id, principal))
                .distinct()
                .order_by(DiscountCode.code)
            )
            .scalars()
            .all()
        )
    return {"events": [(int(i), n) for i, n in events], "codes": list(codes)}
