"""How an order's tickets reach their holders."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.models import OrderItem
from orders_core.status import DeliveryMode


def usual_delivery_mode(session: Session, order_id: int) -> DeliveryMode:
    """The delivery mode of most of the order's tickets (e-ticket when there is none)."""
    return most_common_mode(session.scalars(select(OrderItem.delivery_mode).where(OrderItem.order_id == order_id)))


def most_common_mode(modes: Iterable[str]) -> DeliveryMode:
    """`usual_delivery_mode` of the delivery modes of an order's tickets already read."""
    tally = Tally(modes)
    return DeliveryMode(tally.most_common(1)[0][0]) if tally else DeliveryMode.E_TICKET
