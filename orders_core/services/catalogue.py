"""The event catalogue (issue 7): events here; tariffs in `tariffs.py`, discount codes in
`codes.py` (re-exported below, so callers may import everything from this module).

Every service checks `catalogue.manage`, validates before writing anything, locks the rows it
changes and writes a `catalogue_history` entry (old and new values) in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.discount_codes import applicable_tariff_ids, resolve_discount_code
from orders_core.errors import InvalidInput
from orders_core.history import change
from orders_core.i18n import LANGUAGES, _
from orders_core.inputs import clean_text
from orders_core.models import Event, Tariff, UserEvent
from orders_core.payment_terms import TERM_FIELDS, Terms, check_terms, clean_terms
from orders_core.permissions import Actor, require
from orders_core.seating import event_has_sold_seats
from orders_core.services.catalogue_rules import (
    CAPABILITY,
    TAX_RATE_PRESETS,
    check_window,
    diff,
    event_has_orders,
    get_event,
    log,
    snapshot,
    to_utc,
)
from orders_core.services.codes import (
    create_code,
    delete_code,
    set_code_active,
    update_code,
)
from orders_core.services.tariffs import (
    create_tariff,
    delete_tariff,
    set_tariff_active,
    units_held,
    update_tariff,
)

EVENT_FIELDS = (
    "name",
    "starts_at",
    "ends_at",
    "timezone",
    "currency",
    "language",
    "seated",
    "community",
    "bank_details",
    "venue",  # issue 21: printed on the e-tickets
    *TERM_FIELDS,
)


# --- events ------------------------------------------------------------------------------------


def _clean_event(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    clean = dict(values)
    if "name" in clean:
        clean["name"] = (clean["name"] or "").strip()
        if not clean["name"]:
            raise InvalidInput(_("The event needs a name."))
        if len(clean["name"]) > 200:
            raise InvalidInput(_("The event name is too long (200 characters at most)."))
    if "timezone" in clean:
        clean["timezone"] = (clean["timezone"] or "").strip()
        try:
            ZoneInfo(clean["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            clean["timezone"] = None
        if clean["timezone"] is None or clean["timezone"] not in available_timezones():
            raise InvalidInput(
                _("'{tz}' is not a known time zone (e.g. Europe/Paris, America/Montreal).").format(
                    tz=values["timezone"]
                )
            )
    if "currency" in clean:
        clean["currency"] = (clean["currency"] or "").strip().upper()
        if clean["currency"] not in list_currencies():
            raise InvalidInput(
                _("'{currency}' is not an ISO 4217 currency code (e.g. EUR, CAD, CHF).").format(
                    currency=values["currency"]
                )
            )
    if "language" in clean and clean["language"] not in LANGUAGES:
        raise InvalidInput(_("The language must be English or French."))
    for field in ("starts_at", "ends_at"):
        if field in clean:
            clean[field] = to_utc(clean[field])
    if "starts_at" in clean and clean["starts_at"] is None:
        raise InvalidInput(_("The event needs a start date."))
    for flag in ("seated", "community"):
        if flag in clean:
            clean[flag] = bool(clean[flag])
    if "bank_details" in clean:
        clean["bank_details"] = (clean["bank_details"] or "").strip()
    if "venue" in clean:
        clean["venue"] = clean_text(clean["venue"], label=_("The venue"), limit=300)
    clean.update(clean_terms(clean))  # payment terms and expiry (issue 15): days, or None for off
    return clean


def create_event(
    session: Session,
    *,
    actor: Actor,
    name: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    timezone: str = "Europe/Paris",
    currency: str = "EUR",
    language: str = "en",
    seated: bool = False,
    community: bool = False,
    bank_details: str = "",
    venue: str = "",
    payment_terms_days: int | None = None,
    payment_due_days_before_event: int | None = None,
    expire_after_days: int | None = None,
) -> Event:
    """Create an event; dates are stored in UTC, shown in `timezone`. Payment terms (due N days
    after the order and/or N days before the event) and expiry are off unless given."""
    require(actor, CAPABILITY)
    values = _clean_event(
        dict(
            name=name,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone,
            currency=currency,
            language=language,
            seated=seated,
            community=community,
            bank_details=bank_details,
            venue=venue,
            payment_terms_days=payment_terms_days,
            payment_due_days_before_event=payment_due_days_before_event,
            expire_after_days=expire_after_days,
        )
    )
    check_window(values["starts_at"], values["ends_at"], what=_("Event dates"))
    check_terms(
        Terms(values["payment_terms_days"], values["payment_due_days_before_event"], values["expire_after_days"])
    )
    event = Event(**values, archived_at=None, created_at=datetime.now(UTC))
    session.add(event)
    session.flush()
    if not actor.all_events and actor.user_id is not None:  # a scoped creator keeps seeing what they made
        session.add(UserEvent(user_id=actor.user_id, event_id=event.id))
    log(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        event_id=event.id,
        action="created",
        details=snapshot(event, EVENT_FIELDS),
    )
    return event


def update_event(
    session: Session, *, actor: Actor, event_id: int, reason: str | None = None, **fields: Any
) -> dict[str, dict[str, Any]]:
    """Change some of the event's fields (keywords among EVENT_FIELDS); returns what changed.
    The currency cannot change once the event has orders; without orders, its tariffs follow."""
    require(actor, CAPABILITY)
    values = _clean_event(fields)
    event = get_event(session, event_id, actor=actor, lock=True)
    check_window(values.get("starts_at", event.starts_at), values.get("ends_at", event.ends_at), what=_("Event dates"))
    check_terms(Terms(*(values.get(name, getattr(event, name)) for name in TERM_FIELDS)))
    changes = diff(event, values)
    if "currency" in changes:
        if event_has_orders(session, event.id):
            raise InvalidInput(
                _("The currency of {event} cannot change: the event already has orders in {currency}.").format(
                    event=event.name, currency=event.currency
                )
            )
        tariffs = session.scalars(select(Tariff).where(Tariff.event_id == event.id).with_for_update()).all()
        for tariff in tariffs:
            tariff.currency = values["currency"]
        if tariffs:
            changes["tariffs_currency"] = change(event.currency, values["currency"])
    if "seated" in changes and not values["seated"] and event_has_sold_seats(session, event.id):
        raise InvalidInput(
            _("{event} has sold seats: it stays seated until those tickets are cancelled.").format(event=event.name)
        )
    if not changes:
        return {}
    for field in changes:
        if field in values:
            setattr(event, field, values[field])
    log(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        event_id=event.id,
        action="updated",
        details=changes,
        reason=reason,
    )
    session.flush()
    return changes


def archive_event(
    session: Session, *, actor: Actor, event_id: int, archived: bool = True, reason: str | None = None
) -> Event:
    """Archive (hide from selectors) or bring back an event; its orders are untouched."""
    require(actor, CAPABILITY)
    event = get_event(session, event_id, actor=actor, lock=True)
    if archived == (event.archived_at is not None):
        raise InvalidInput(
            _("{event} is already archived.").format(event=event.name)
            if archived
            else _("{event} is not archived.").format(event=event.name)
        )
    old = event.archived_at
    event.archived_at = datetime.now(UTC) if archived else None
    log(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        event_id=event.id,
        action="archived" if archived else "unarchived",
        details={"archived_at": change(old, event.archived_at)},
        reason=reason,
    )
    session.flush()
    return event


__all__ = [
    "TAX_RATE_PRESETS",
    "create_event",
    "update_event",
    "archive_event",
    "create_tariff",
    "update_tariff",
    "set_tariff_active",
    "delete_tariff",
    "units_held",
    "create_code",
    "update_code",
    "set_code_active",
    "delete_code",
    "resolve_discount_code",
    "applicable_tariff_ids",
    "get_event",
    "log",
]
