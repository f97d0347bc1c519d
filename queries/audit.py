"""Issue 17: the audit trail as the Audit page reads it, and the preview of an erasure.

Administrators of every event only (`audit.view`, `personal.erase`): the trail and an erasure
cover every event, so any other principal is refused (`NotAllowed`), never given a part."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, Engine, func, select

from orders_core import audit, erasure
from orders_core.errors import NotAllowed
from orders_core.i18n import _, is_timezone
from orders_core.models import Attendee, AuditEntry, Event, Order, OrderHistory, OrderItem, OutboxEmail
from orders_core.permissions import Actor, require

COLUMNS = ["id", "at", "actor", "action", "subject", "details", "source"]
LIMIT = 500
MAX_ACTOR = 100


@dataclass(frozen=True)
class AuditFilters:
    """Days are inclusive, in `timezone`; `actor` is a part of who did it (case ignored)."""

    date_from: date | None = None
    date_to: date | None = None
    actions: tuple[str, ...] = ()
    actor: str = ""
    timezone: str = "UTC"

    def cleaned(self) -> AuditFilters:
        return replace(
            self,
            actions=tuple(a for a in dict.fromkeys(self.actions) if a in audit.ACTION_LABELS),
            actor=(self.actor or "").strip()[:MAX_ACTOR],
            timezone=self.timezone if is_timezone(self.timezone) else "UTC",
        )


def require_auditor(principal: Actor) -> None:
    require(principal, "audit.view")
    if not principal.all_events:
        raise NotAllowed(_("The audit trail is for administrators of every event."))


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    f = filters.cleaned()
    conditions: list[ColumnElement[bool]] = []
    if f.date_from is not None:
        conditions.append(AuditEntry.at >= _day_start(f.date_from, f.timezone))
    if f.date_to is not None:
        conditions.append(AuditEntry.at < _day_start(f.date_to + timedelta(days=1), f.timezone))
    if f.actions:
        conditions.append(AuditEntry.action.in_(f.actions))
    if f.actor:
        conditions.append(func.lower(AuditEntry.actor).contains(f.actor.lower(), autoescape=True))
    return conditions


def audit_entries(engine: Engine, filters: AuditFilters, *, principal: Actor, limit: int = LIMIT) -> pd.DataFrame:
    """The newest `limit` entries matching the filters, newest first (COLUMNS)."""
    require_auditor(principal)
    query = (
        select(*(getattr(AuditEntry, c) for c in COLUMNS))
        .where(*_conditions(filters))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(max(1, int(limit)))
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=COLUMNS)


def audit_count(engine: Engine, filters: AuditFilters, *, principal: Actor) -> int:
    """How many entries match the filters (all of them, whatever the page shows)."""
    require_auditor(principal)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry).where(*_conditions(filters))).scalar_one())


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing this address would change, and whether it is refused (`owing`)."""

    orders: tuple[int, ...]
    events: tuple[str, ...]
    owing: tuple[int, ...]
    holders: int
    attendees: int
    emails: int
    history_entries: int

    @property
    def refused(self) -> bool:
        return bool(self.owing)


def erasure_preview(engine: Engine, email: str, *, principal: Actor) -> ErasurePreview:
    """The orders, events, holders and emails of this buyer, and the orders still owed."""
    erasure.require_eraser(principal)
    address = erasure.normalized_email(email)
    buyer = erasure.buyer_condition(address)
    ids = select(Order.id).where(buyer).scalar_subquery()
    with engine.connect() as conn:
        orders = conn.execute(select(Order.number).where(buyer).order_by(Order.number)).scalars().all()
        events = (
            conn.execute(
                select(Event.name).join(Order, Order.event_id == Event.id).where(buyer).distinct().order_by(Event.name)
            )
            .scalars()
            .all()
        )
        owing = (
            conn.execute(select(Order.number).where(buyer, erasure.owing_condition()).order_by(Order.number))
            .scalars()
            .all()
        )

        def count(model: Any, *conditions: ColumnElement[bool]) -> int:
            return int(conn.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one())

        return ErasurePreview(
            orders=tuple(orders),
            events=tuple(events),
            owing=tuple(owing),
            holders=count(
                OrderItem,
                OrderItem.order_id.in_(ids) | (func.lower(func.trim(OrderItem.holder_email)) == address),
            ),
            attendees=count(Attendee, Attendee.order_id.in_(ids) | (func.lower(func.trim(Attendee.email)) == address)),
            emails=count(
                OutboxEmail,
                OutboxEmail.order_id.in_(ids) | (func.lower(func.trim(OutboxEmail.recipient)) == address),
            ),
            history_entries=count(OrderHistory, OrderHistory.order_id.in_(ids)),
        )
