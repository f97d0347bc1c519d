"""Read side of the reminder ladder (issue 15): an event's ladder, and one order's reminders
(sent steps, pause, what comes next). SQLAlchemy Core -> plain values; no Streamlit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from orders_core.i18n import as_utc
from orders_core.models import Event, Order, OutboxEmail, PaymentReminder, ReminderLadderStep
from orders_core.permissions import Actor
from orders_core.reminders import Ladder, ReminderStep, is_paused, local_now, next_step, owed
from orders_core.scope import event_condition


def reminder_ladder(engine: Engine, event_id: int, *, principal: Actor) -> Ladder:
    """The event's ladder (the default one until it is edited; the default one too for an event
    outside the principal's scope, as for an event that does not exist)."""
    with engine.connect() as conn:
        return _ladder(conn, event_id, principal)


def _ladder(conn: Connection, event_id: int, principal: Actor) -> Ladder:
    query = select(ReminderLadderStep.step, ReminderLadderStep.offset_days, ReminderLadderStep.enabled).where(
        ReminderLadderStep.event_id == event_id, event_condition(ReminderLadderStep.event_id, principal)
    )
    return Ladder.from_rows((r.step, r.offset_days, r.enabled) for r in conn.execute(query))


@dataclass(frozen=True)
class OrderReminders:
    """What the order page shows about reminders."""

    order_id: int
    number: int
    due_date: date | None
    timezone: str
    paused_until: date | None
    pause_note: str
    paused: bool  # the pause holds today (event time)
    owed: bool  # money is still owed: reminders may go
    ladder: Ladder
    sent: list[dict[str, Any]]  # step, sent_at, actor, email status, in the order they were sent
    next_step: ReminderStep | None


def order_reminders(
    engine: Engine, order_id: int, now: datetime | None = None, *, principal: Actor
) -> OrderReminders | None:
    """The order's reminders; None when there is no such order (or it is of an event outside the
    principal's scope)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                Order.id,
                Order.number,
                Order.event_id,
                Order.status,
                Order.payment_state,
                Order.deleted_at,
                Order.due_date,
                Order.reminders_paused_until,
                Order.reminders_pause_note,
                Event.timezone,
            )
            .join(Event, Event.id == Order.event_id)
            .where(Order.id == order_id, event_condition(Order.event_id, principal))
        ).one_or_none()
        if row is None:
            return None
        sent = [
            {"step": r.step, "sent_at": as_utc(r.sent_at), "actor": r.actor, "email_status": r.status}
            for r in conn.execute(
                select(PaymentReminder.step, PaymentReminder.sent_at, PaymentReminder.actor, OutboxEmail.status)
                .outerjoin(OutboxEmail, OutboxEmail.id == PaymentReminder.outbox_email_id)
                .where(PaymentReminder.order_id == order_id)
                .order_by(PaymentReminder.sent_at, PaymentReminder.id)
            )
        ]
        ladder = _ladder(conn, row.event_id, principal)  # the same connection (issue 19)
    today = local_now(now or datetime.now(UTC), row.timezone).date()
    return OrderReminders(
        order_id=row.id,
        number=row.number,
        due_date=row.due_date,
        timezone=row.timezone,
        paused_until=row.reminders_paused_until,
        pause_note=row.reminders_pause_note or "",
        paused=is_paused(row.reminders_paused_until, today),
        owed=owed(status=row.status, payment_state=row.payment_state, deleted=row.deleted_at is not None),
        ladder=ladder,
        sent=sent,
        next_step=next_step(ladder, sent=[s["step"] for s in sent], due_date=row.due_date, today=today),
    )
