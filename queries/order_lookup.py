"""The Order page's lookup field: an order number opens that order (deleted ones too, as by
URL); any other text is the grid's search, which opens the order when it finds exactly one and
hands over to the grid when it finds several. An invoice or credit-note number is the grid's
search too (queries.grid_search); one of digits only (a pattern such as `{YYYY}{counter:05}`)
is looked up as a document number when no order has that number."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from orders_core.models import Invoice, Order
from orders_core.permissions import Actor
from orders_core.scope import event_condition
from queries.grid import GridFilters, filter_conditions

MAX_NUMBER = 2**31 - 1  # an INTEGER column: nothing past this names an order


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: `number` when it names one order; `several` when the grid should
    show the matches; neither when nothing matched (`asked_number` says whether a number was
    typed, for the message)."""

    number: int | None = None
    several: bool = False
    asked_number: int | None = None


def typed_number(typed: str) -> int | None:
    """The order number in `typed` (ASCII digits, an optional leading '#'), or None."""
    text_ = typed.strip().removeprefix("#").strip()
    if not (text_.isascii() and text_.isdecimal()) or len(text_) > 10:
        return None
    number = int(text_)
    return number if 0 < number <= MAX_NUMBER else None


def lookup_order(engine: Engine, typed: str, *, principal: Actor) -> Lookup:
    """Find the order a user typed into the lookup field (see the module's docstring), among the
    principal's events only: another event's order is not found, exactly as an unknown number.
    A principal who may not see people finds by number or discount code only (the grid's rule)."""
    number = typed_number(typed)
    in_scope = event_condition(Order.event_id, principal)
    with engine.connect() as conn:
        if number is not None:
            found = conn.execute(select(Order.number).where(Order.number == number, in_scope)).scalar()
            if found is None:
                found = conn.execute(
                    select(Order.number)
                    .join(Invoice, Invoice.order_id == Order.id)
                    .where(Invoice.number == typed.strip().removeprefix("#").strip(), in_scope)
                ).scalar()
            return Lookup(number=found, asked_number=number)
        if not typed.strip():
            return Lookup()
        numbers = (
            conn.execute(
                select(Order.number)
                .where(*filter_conditions(GridFilters(search=typed.strip()), principal=principal))
                .order_by(Order.created_at.desc(), Order.id.desc())
                .limit(2)
            )
            .scalars()
            .all()
        )
    if len(numbers) == 1:
        return Lookup(number=numbers[0])
    return Lookup(several=len(numbers) > 1)
