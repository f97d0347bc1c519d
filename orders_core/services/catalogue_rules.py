"""Rules and helpers shared by the catalogue services (events, tariffs, discount codes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.errors import InvalidInput
from orders_core.history import change
from orders_core.i18n import N_, _
from orders_core.inputs import clean_decimal, clean_id
from orders_core.models import CatalogueHistory, Event, Order
from orders_core.permissions import Actor

CAPABILITY = "catalogue.manage"

# Usual tax rates (percent, 3 decimals), offered as presets in the tariff form.
TAX_RATE_PRESETS: dict[str, tuple[str, Decimal]] = {
    "fr_standard": (N_("France, standard rate 20 %"), Decimal("20.000")),
    "fr_intermediate": (N_("France, intermediate rate 10 %"), Decimal("10.000")),
    "fr_reduced": (N_("France, reduced rate 5.5 %"), Decimal("5.500")),
    "ca_qc": (N_("Québec, GST + QST 14.975 %"), Decimal("14.975")),
    "ch_standard": (N_("Switzerland, standard rate 8.1 %"), Decimal("8.100")),
    "none": (N_("No tax 0 %"), Decimal("0.000")),
}


def log(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int,
    event_id: int | None,
    action: str,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> CatalogueHistory:
    """Append one entry to the catalogue log, in the caller's transaction."""
    entry = CatalogueHistory(
        at=datetime.now(UTC),
        actor=actor.email,
        entity=entity,
        entity_id=entity_id,
        event_id=event_id,
        action=action,
        details=details or {},
        reason=reason,
    )
    session.add(entry)
    return entry


def diff(obj: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {old, new}} of the values that differ from the object's current ones."""
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if isinstance(old, datetime) and isinstance(new, datetime):
            same = to_utc(old) == to_utc(new)
        else:
            same = old == new
        if not same:
            changes[field] = change(old, new)
    return changes


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The {field: {old: None, new}} details of a creation."""
    return {field: change(None, getattr(obj, field)) for field in fields}


@overload
def to_utc(value: datetime) -> datetime: ...
@overload
def to_utc(value: None) -> None: ...
def to_utc(value: datetime | None) -> datetime | None:
    """Aware datetimes are converted; naive ones are UTC by convention (SQLite)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_decimal(value: Any, *, field: str, places: int) -> Decimal:
    """A Decimal with at most `places` decimals, or a readable refusal (never a float round-trip)."""
    return clean_decimal(value, label=field, places=places)


def check_window(start: datetime | None, end: datetime | None, *, what: str) -> None:
    if start is not None and end is not None and to_utc(start) >= to_utc(end):
        raise InvalidInput(_("{what}: the start must be before the end.").format(what=what))


def get_event(session: Session, event_id: int, *, actor: Actor, lock: bool = False) -> Event:
    """The event, for a change the actor makes to it or its catalogue: an event outside the
    actor's scope does not exist (scope.require_event)."""
    event_id = clean_id(event_id, missing=_("Event {id} does not exist.").format(id=str(event_id)[:30]))
    scope.require_event(actor, event_id)
    query = select(Event).where(Event.id == event_id)
    event = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if event is None:
        raise InvalidInput(_("Event {id} does not exist.").format(id=event_id))
    return event


def event_has_orders(session: Session, event_id: int) -> bool:
    """Any order, even deleted: its lines keep the event's currency."""
    return bool(session.scalar(select(func.count()).select_from(Order).where(Order.event_id == event_id)))
