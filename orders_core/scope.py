"""Issue 17: what a principal (orders_core.permissions.Actor) may see, applied in SQL.

Every query and every service asks here, never compares event ids itself:
- `event_condition(column, principal)`: a WHERE condition on an event id column (true for a
  principal of every event, false for one of no event);
- `order_condition(column, principal)`: the same for a table that only names its order;
- `require_event(principal, event_id)`: an event outside the scope is refused with the message
  of an event that does not exist (a scoped user learns nothing about other events);
- `refuse_outside_scope(principal, orders)`: a bulk action on a selection is refused as a
  whole when one order is outside the scope, naming it;
- `personal(value_column, principal, label)`: a personal-data column, or a mask for a
  principal who may not see people (marketers); `mask_value` does the same in Python.
An order outside the scope is an order that does not exist: services raise the same refusal as
for an unknown order (`guards.lock_orders`), queries return no row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import ColumnElement, false, literal, select, true
from sqlalchemy.orm import aliased

from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import _, ngettext
from orders_core.permissions import Actor

# What a marketer reads instead of a name, an email, a phone, an address or a company.
MASK = "•••"
# The personal columns of orders (buyer) and attendees / order items (holders).
ORDER_PERSONAL_COLUMNS = (
    "buyer_first_name",
    "buyer_last_name",
    "buyer_email",
    "buyer_phone",
    "company_name",
    "billing_address",
    "billing_postcode",
    "billing_city",
    "vat_number",
)
HOLDER_PERSONAL_COLUMNS = ("holder_first_name", "holder_last_name", "holder_email", "first_name", "last_name", "email")
# The search text the database folds from those columns (migration 0023): personal too.
FOLDED_COLUMNS = ("search_folded",)
PERSONAL_COLUMNS = frozenset(ORDER_PERSONAL_COLUMNS + HOLDER_PERSONAL_COLUMNS + FOLDED_COLUMNS)


class _HasEvent(Protocol):
    @property
    def event_id(self) -> int: ...
    @property
    def number(self) -> int: ...


def event_condition(column: Any, principal: Actor) -> ColumnElement[bool]:
    """`column IN (the principal's events)`: true for every event, false for none."""
    if principal.event_ids is None:
        return true()
    if not principal.event_ids:
        return false()
    condition: ColumnElement[bool] = column.in_(sorted(principal.event_ids))
    return condition


def order_condition(column: Any, principal: Actor) -> ColumnElement[bool]:
    """For a table that names an order, not its event: the order is one of the principal's."""
    if principal.event_ids is None:
        return true()
    from orders_core.models import Order

    # An alias, so that a query already reading `orders` does not correlate the subquery away.
    scoped = aliased(Order)
    condition: ColumnElement[bool] = column.in_(select(scoped.id).where(event_condition(scoped.event_id, principal)))
    return condition


def require_event(principal: Actor, event_id: int | None) -> None:
    """Refuse an event outside the scope as if it did not exist."""
    if event_id is not None and not principal.sees_event(event_id):
        raise InvalidInput(_("Event {id} does not exist.").format(id=event_id))


def sees_row(principal: Actor, event_id: int | None) -> bool:
    """May the principal change a row of this event? A row of no event (a template shared by
    every event) is shared by everyone's events: only a principal of every event changes it."""
    if event_id is None:
        return principal.all_events
    return principal.sees_event(event_id)


def require_row(principal: Actor, event_id: int | None, missing: str) -> None:
    """Refuse a row (tariff, code, form field, template, order...) outside the scope with the
    message of a row that does not exist (`missing`)."""
    if not sees_row(principal, event_id):
        raise InvalidInput(missing)


def require_all_events(principal: Actor) -> None:
    """What every event shares (a global email template...) is changed only by a principal of
    every event: a scoped one would change the other events' too."""
    if not principal.all_events:
        raise NotAllowed(_("Only a user of every event can change what every event shares."))


def unknown_order_message(number: int | str) -> str:
    return _("Order {number} does not exist.").format(number=number)


def refuse_outside_scope(principal: Actor, orders: Mapping[int, _HasEvent] | Iterable[_HasEvent]) -> None:
    """A bulk action over a selection: refused as a whole, naming the orders outside the scope."""
    rows = orders.values() if isinstance(orders, Mapping) else orders
    outside = sorted(row.number for row in rows if not principal.sees_event(row.event_id))
    if not outside:
        return
    shown = ", ".join(str(n) for n in outside[:10]) + ("…" if len(outside) > 10 else "")
    raise NotAllowed(
        ngettext(
            "Order {numbers} is not one of your events' orders. Nothing was changed.",
            "Orders {numbers} are not among your events' orders. Nothing was changed.",
            len(outside),
        ).format(numbers=shown)
    )


def personal(column: Any, principal: Actor, label: str | None = None) -> ColumnElement[Any]:
    """A personal-data column as the principal may read it: itself, or the mask (same label)."""
    name = label or column.key
    shown: ColumnElement[Any] = column.label(name) if principal.sees_personal_data else literal(MASK).label(name)
    return shown


def table_columns(table: Any, principal: Actor) -> list[ColumnElement[Any]]:
    """Every column of a table (`Model.__table__`), its personal ones (PERSONAL_COLUMNS) masked
    for a principal who may not see people: a whole row read the way `personal` reads one."""
    return [personal(c, principal) if c.key in PERSONAL_COLUMNS else c for c in table.c]


def mask_value(value: Any, principal: Actor) -> Any:
    """The Python twin of `personal` for values built outside SQL (documents, previews)."""
    if principal.sees_personal_data or value in (None, ""):
        return value
    return MASK
