"""What a modification changed, for its history entry: the order's own fields (`snapshot`,
`diff`) and its holders, matched by order item, never by position (issue 18 item 6): removing
the second badge or reordering tariffs no longer lists every later holder as "renamed".

The wizard loads each holder with the id of its order item (`queries.wizard.order_for_edit`) and
sends it back; `modify_order` writes the items again, so the item a holder came from is its
identity. A holder sent without an id (a caller that does not know them) is matched to an
unclaimed item holding the same person (same names and email), else it is new.

The result is stored in the history as `details["holders"]`, a list of
`{"n": position, "name"|"email"|"seat": {"old", "new"}, "fields": {key: {"old", "new"}}}`,
`{"n": position, "added": holder}` and `{"n": old position, "removed": holder}`; positions are
those of the order page's "Order items" tab (item order)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core import history
from orders_core.custom_fields import BUYER_FIELDS
from orders_core.history import change
from orders_core.models import FieldValue, FormField, Order, OrderItem, OrderLine


@dataclass(frozen=True)
class Holder:
    item_id: int
    position: int
    name: str
    email: str
    seat: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def person(self) -> tuple[str, str]:
        return (self.name.casefold(), self.email.casefold())

    @property
    def label(self) -> str:
        return self.name + (f" <{self.email}>" if self.email else "")


def holders_of(session: Session, order_id: int) -> dict[int, Holder]:
    """The order's holders by item id, numbered in item order (as the order page lists them)."""
    items = session.scalars(select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.id)).all()
    values: dict[int, dict[str, str]] = {}
    for item_id, key, value in session.execute(
        select(FieldValue.order_item_id, FormField.key, FieldValue.value)
        .join(FormField, FormField.id == FieldValue.field_id)
        .where(FieldValue.order_id == order_id, FieldValue.order_item_id.is_not(None))
    ):
        values.setdefault(int(item_id or 0), {})[key] = value
    return {
        item.id: Holder(
            item.id,
            position,
            f"{item.holder_first_name} {item.holder_last_name}".strip(),
            item.holder_email or "",
            item.seat or "",
            values.get(item.id, {}),
        )
        for position, item in enumerate(items, start=1)
    }


def origins(holders: Sequence[Mapping[str, Any]], before: Mapping[int, Holder]) -> list[int | None]:
    """For each holder sent (in the order the items are written), the item it comes from."""
    claimed: set[int] = set()
    result: list[int | None] = []
    for holder in holders:
        raw = holder.get("item_id")
        item_id = int(raw) if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()) else None
        if item_id not in before or item_id in claimed:
            item_id = None
        result.append(item_id)
        if item_id is not None:
            claimed.add(item_id)
    for index, holder in enumerate(holders):  # no id: the same person, if still unclaimed
        if result[index] is not None:
            continue
        person = (
            f"{str(holder.get('first_name') or '').strip()} {str(holder.get('last_name') or '').strip()}".strip(),
            str(holder.get("email") or "").strip(),
        )
        key = (person[0].casefold(), person[1].casefold())
        match = next((h.item_id for h in before.values() if h.item_id not in claimed and h.person == key), None)
        if match is not None:
            claimed.add(match)
            result[index] = match
    return result


def holder_changes(
    before: Mapping[int, Holder], after: Mapping[int, Holder], origin_of: Mapping[int, int | None]
) -> list[dict[str, Any]]:
    """What changed per holder; `origin_of` maps each new item id to the item it replaces."""
    out: list[dict[str, Any]] = []
    kept: set[int] = set()
    for new in sorted(after.values(), key=lambda h: h.position):
        origin = origin_of.get(new.item_id)
        old = before.get(origin) if origin is not None else None
        if old is None:
            out.append({"n": new.position, "added": new.label})
            continue
        kept.add(old.item_id)
        entry: dict[str, Any] = {"n": new.position}
        for attribute in ("name", "email", "seat"):
            if getattr(old, attribute) != getattr(new, attribute):
                entry[attribute] = change(getattr(old, attribute) or None, getattr(new, attribute) or None)
        fields = {
            key: change(old.fields.get(key) or None, new.fields.get(key) or None)
            for key in sorted(set(old.fields) | set(new.fields))
            if (old.fields.get(key) or "") != (new.fields.get(key) or "")
        }
        if fields:
            entry["fields"] = fields
        if len(entry) > 1:
            out.append(entry)
    for old in sorted(before.values(), key=lambda h: h.position):
        if old.item_id not in kept:
            out.append({"n": old.position, "removed": old.label})
    return out


def snapshot(session: Session, order: Order) -> dict[str, str]:
    """Every order field the wizard can change, as display strings (the history's old/new values)."""
    values: dict[str, str] = {column: str(getattr(order, column) or "") for column, _size in BUYER_FIELDS.values()}
    values.update(
        language=order.language,
        discount_code=order.discount_code or "",
        payment_mode=order.payment_mode,
        status=order.status,
        currency=order.currency,
        total_ht=str(order.total_ht),
        total_ttc=str(order.total_ttc),
        due_date=order.due_date.isoformat() if order.due_date else "",
    )
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    # by name: the same lines written again in another order are no change
    values["lines"] = ", ".join(f"{line.quantity} x {line.name}" for line in sorted(lines, key=lambda x: x.name))
    rows = session.execute(
        select(FormField.form, FormField.key, FieldValue.value)
        .join(FormField, FormField.id == FieldValue.field_id)
        .where(FieldValue.order_id == order.id, FieldValue.order_item_id.is_(None))
    ).all()
    for form, key, value in rows:
        values[f"{form} {key}"] = value
    return values  # the holders are compared by item, in holder_changes


def diff(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, Any]:
    return {
        key: history.change(old.get(key) or None, new.get(key) or None)
        for key in sorted(set(old) | set(new))
        if (old.get(key) or "") != (new.get(key) or "")
    }
