"""Read side of the emails: the outbox with its filters, one email, an order's emails, the
templates. SQLAlchemy Core -> DataFrames / plain dicts; no Streamlit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.models import EmailTemplate, Event, Order, OutboxEmail

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


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def outbox(
    engine: Engine,
    *,
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
            OutboxEmail.subject,
            OutboxEmail.attempts,
            OutboxEmail.next_attempt_at,
            OutboxEmail.sent_at,
            OutboxEmail.last_error,
            OutboxEmail.order_id,
            Order.number.label("order_number"),
        )
        .outerjoin(Order, Order.id == OutboxEmail.order_id)
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


def outbox_counts(engine: Engine) -> dict[str, int]:
    """How many emails in each status (every status present, zero when none)."""
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all()
    counts = {"queued": 0, "sending": 0, "sent": 0, "failed": 0}
    counts.update(dict(rows))
    return counts


def email_message(engine: Engine, email_id: int) -> dict[str, Any] | None:
    """One email as stored, with its order number and event timezone, or None."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(*OutboxEmail.__table__.c, Order.number.label("order_number"), Event.timezone.label("timezone"))
                .select_from(OutboxEmail.__table__)
                .outerjoin(Order, Order.id == OutboxEmail.order_id)
                .outerjoin(Event, Event.id == Order.event_id)
                .where(OutboxEmail.id == email_id)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def order_emails(engine: Engine, order_id: int) -> pd.DataFrame:
    """The emails of one order, newest first."""
    query = (
        select(
            OutboxEmail.id,
            OutboxEmail.created_at,
            OutboxEmail.kind,
            OutboxEmail.status,
            OutboxEmail.recipient,
            OutboxEmail.subject,
            OutboxEmail.attempts,
            OutboxEmail.sent_at,
            OutboxEmail.last_error,
        )
        .where(OutboxEmail.order_id == order_id)
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(
        rows,
        columns=["id", "created_at", "kind", "status", "recipient", "subject", "attempts", "sent_at", "last_error"],
    )


def order_summary(engine: Engine, order_id: int) -> dict[str, Any] | None:
    """What the order's email panel needs to decide which buttons to offer."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(Order.id, Order.number, Order.status, Order.deleted_at, Order.buyer_email, Event.timezone)
                .join(Event, Event.id == Order.event_id)
                .where(Order.id == order_id)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def templates(engine: Engine, *, scope: str = "all", event_id: int | None = None) -> pd.DataFrame:
    """Templates: `scope` all / global / event (then of `event_id`), by event, kind, language, name."""
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


def template(engine: Engine, template_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(*EmailTemplate.__table__.c).where(EmailTemplate.id == template_id)).mappings().first()
    return dict(row) if row else None


def events(engine: Engine) -> pd.DataFrame:
    """Events for the template scope choice, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(Event.id, Event.name, Event.language).order_by(Event.starts_at.desc())).all()
    return pd.DataFrame(rows, columns=["id", "name", "language"])


def order_id_by_number(engine: Engine, number: int) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(select(Order.id).where(Order.number == number))


def latest_order_id(engine: Engine, event_id: int | None = None) -> int | None:
    """A real order to preview a template with: the newest of the event (or of any event)."""
    query = select(Order.id).where(Order.deleted_at.is_(None)).order_by(Order.created_at.desc(), Order.id.desc())
    if event_id is not None:
        query = query.where(Order.event_id == event_id)
    with engine.connect() as conn:
        return conn.scalar(query.limit(1))
