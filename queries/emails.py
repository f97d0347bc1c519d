"""Read side of the emails: the outbox with its filters, one email, an order's emails, the
templates. SQLAlchemy Core -> DataFrames / plain dicts; no Streamlit.

Scope (issue 17): an email of an order is the order's event's. A principal of some events reads
the emails of their events' orders only; an email tied to no order (a test send, an account
email) names no event, so it is the organisation's and only a principal of every event reads it.
Templates: the global ones (no event) are the organisation's wording, read by every principal;
an event's own templates only by a principal of that event."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, case, func, literal, or_, select, true

from orders_core.i18n import _
from orders_core.models import EmailTemplate, Event, Order, OutboxEmail
from orders_core.permissions import Actor
from orders_core.scope import event_condition

OUTBOX_COLUMNS = [
    "id",
    "created_at",
    "status",
    "kind",
    "recipient",
    "subject",
    "attempts",
    "next_attempt_at",
    "sent_at",
    "last_error",
    "order_id",
    "order_number",
]


def _email_in_scope(principal: Actor) -> ColumnElement[bool]:
    """The outbox rows the principal may read (the module's docstring): the emails of orders of
    their events; those of no order only for a principal of every event. Needs `Order` joined."""
    if principal.all_events:
        return true()
    return and_(OutboxEmail.order_id.is_not(None), event_condition(Order.event_id, principal))


def _template_in_scope(principal: Actor) -> ColumnElement[bool]:
    return or_(EmailTemplate.event_id.is_(None), event_condition(EmailTemplate.event_id, principal))


def shown_subject() -> Any:
    """The subject as the Emails page shows it: an email queued unrendered (issue 19, a bulk
    validation's confirmations) gets its text from the sender, when it sends it."""
    return case((OutboxEmail.to_render.is_not(None), literal(to_be_rendered())), else_=OutboxEmail.subject).label(
        "subject"
    )


def to_be_rendered() -> str:
    return _("(written when it is sent)")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def outbox(
    engine: Engine,
    *,
    principal: Actor,
    statuses: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    order_number: int | None = None,
    recipient: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The newest `limit` outbox emails matching the filters (dates are UTC days, inclusive)."""
    query = (
        select(
            OutboxEmail.id,
            OutboxEmail.created_at,
            OutboxEmail.status,
            OutboxEmail.kind,
            OutboxEmail.recipient,
            shown_subject(),
            OutboxEmail.attempts,
            OutboxEmail.next_attempt_at,
            OutboxEmail.sent_at,
            OutboxEmail.last_error,
            OutboxEmail.order_id,
            Order.number.label("order_number"),
        )
        .outerjoin(Order, Order.id == OutboxEmail.order_id)
        .where(_email_in_scope(principal))
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .limit(limit)
    )
    if statuses:
        query = query.where(OutboxEmail.status.in_(statuses))
    if kinds:
        query = query.where(OutboxEmail.kind.in_(kinds))
    if order_number is not None:
        query = query.where(Order.number == order_number)
    if recipient.strip():
        query = query.where(func.lower(OutboxEmail.recipient).contains(recipient.strip().lower(), autoescape=True))
    if created_from is not None:
        query = query.where(OutboxEmail.created_at >= _day_start(created_from))
    if created_to is not None:
        query = query.where(OutboxEmail.created_at < _day_start(created_to + timedelta(days=1)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=OUTBOX_COLUMNS)
    frame["order_number"] = frame["order_number"].astype("Int64")
    frame["order_id"] = frame["order_id"].astype("Int64")
    return frame


def outbox_counts(engine: Engine, *, principal: Actor) -> dict[str, int]:
    """How many emails the principal may read in each status (every status present, zero when none)."""
    query = (
        select(OutboxEmail.status, func.count())
        .outerjoin(Order, Order.id == OutboxEmail.order_id)
        .where(_email_in_scope(principal))
        .group_by(OutboxEmail.status)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    counts = {"queued": 0, "sending": 0, "sent": 0, "failed": 0}
    counts.update(dict(rows))
    return counts


def email_message(engine: Engine, email_id: int, *, principal: Actor) -> dict[str, Any] | None:
    """One email as stored, with its order number and event timezone, or None (also when the
    principal may not read it)."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(*OutboxEmail.__table__.c, Order.number.label("order_number"), Event.timezone.label("timezone"))
                .select_from(OutboxEmail.__table__)
                .outerjoin(Order, Order.id == OutboxEmail.order_id)
                .outerjoin(Event, Event.id == Order.event_id)
                .where(OutboxEmail.id == email_id, _email_in_scope(principal))
            )
            .mappings()
            .first()
        )
    if not row:
        return None
    found = dict(row)
    if found.get("to_render") is not None:
        found["subject"] = to_be_rendered()
        found["body_text"] = _("The sender writes this email from the order when it sends it.")
    return found


def order_emails(engine: Engine, order_id: int, *, principal: Actor) -> pd.DataFrame:
    """The emails of one order, newest first (none for an order outside the scope)."""
    query = (
        select(
            OutboxEmail.id,
            OutboxEmail.created_at,
            OutboxEmail.kind,
            OutboxEmail.status,
            OutboxEmail.recipient,
            shown_subject(),
            OutboxEmail.attempts,
            OutboxEmail.sent_at,
            OutboxEmail.last_error,
        )
        .join(Order, Order.id == OutboxEmail.order_id)
        .where(OutboxEmail.order_id == order_id, event_condition(Order.event_id, principal))
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(
        rows,
        columns=["id", "created_at", "kind", "status", "recipient", "subject", "attempts", "sent_at", "last_error"],
    )


def order_summary(engine: Engine, order_id: int, *, principal: Actor) -> dict[str, Any] | None:
    """What the order's email panel needs to decide which buttons to offer (None: no such order
    in the scope)."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(Order.id, Order.number, Order.status, Order.deleted_at, Order.buyer_email, Event.timezone)
                .join(Event, Event.id == Order.event_id)
                .where(Order.id == order_id, event_condition(Order.event_id, principal))
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def templates(engine: Engine, *, principal: Actor, scope: str = "all", event_id: int | None = None) -> pd.DataFrame:
    """Templates the principal may read: `scope` all / global / event (then of `event_id`), by
    event, kind, language, name."""
    query = (
        select(
            EmailTemplate.id,
            EmailTemplate.event_id,
            Event.name.label("event_name"),
            EmailTemplate.kind,
            EmailTemplate.language,
            EmailTemplate.name,
            EmailTemplate.subject,
            EmailTemplate.is_html,
            EmailTemplate.updated_at,
        )
        .outerjoin(Event, Event.id == EmailTemplate.event_id)
        .where(_template_in_scope(principal))
        .order_by(
            EmailTemplate.event_id.is_not(None),
            Event.name,
            EmailTemplate.kind,
            EmailTemplate.language,
            EmailTemplate.name,
            EmailTemplate.id,
        )
    )
    if scope == "global":
        query = query.where(EmailTemplate.event_id.is_(None))
    elif scope == "event":
        query = query.where(EmailTemplate.event_id == event_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(
        rows, columns=["id", "event_id", "event_name", "kind", "language", "name", "subject", "is_html", "updated_at"]
    )
    frame["event_id"] = frame["event_id"].astype("Int64")
    return frame


def template(engine: Engine, template_id: int, *, principal: Actor) -> dict[str, Any] | None:
    """One template as stored, or None (also an event's template outside the scope)."""
    query = select(*EmailTemplate.__table__.c).where(EmailTemplate.id == template_id, _template_in_scope(principal))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def events(engine: Engine, *, principal: Actor) -> pd.DataFrame:
    """The principal's events for the template scope choice, newest first."""
    query = (
        select(Event.id, Event.name, Event.language)
        .where(event_condition(Event.id, principal))
        .order_by(Event.starts_at.desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "name", "language"])


def order_id_by_number(engine: Engine, number: int, *, principal: Actor) -> int | None:
    """The id of the order with this number, or None (also outside the scope)."""
    query = select(Order.id).where(Order.number == number, event_condition(Order.event_id, principal))
    with engine.connect() as conn:
        return conn.scalar(query)


def latest_order_id(engine: Engine, event_id: int | None = None, *, principal: Actor) -> int | None:
    """A real order to preview a template with: the newest of the event (or of any of the
    principal's events)."""
    query = (
        select(Order.id)
        .where(Order.deleted_at.is_(None), event_condition(Order.event_id, principal))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if event_id is not None:
        query = query.where(Order.event_id == event_id)
    with engine.connect() as conn:
        return conn.scalar(query.limit(1))
