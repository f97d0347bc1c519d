"""The worker's reminder job (issue 15): finds the orders a ladder step may be due for, then sends
each one's step in a transaction of its own (`send_due_reminder`, which locks the order and
checks everything again). Safe with several workers: the order's lock serialises them and
UNIQUE(order_id, step) refuses a second sending of a step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select

from orders_core.db import read_only, unit_of_work
from orders_core.i18n import as_utc
from orders_core.models import Event, Order, PaymentReminder, ReminderLadderStep
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.reminders import MIN_OFFSET, OWED_STATES, Ladder, at_civil_hour, due_step, is_paused, local_now
from orders_core.services.reminders import send_due_reminder
from orders_core.status import Status
from orders_core.worker import JobRun


@dataclass(frozen=True)
class Candidate:
    order_id: int
    event_id: int
    timezone: str
    due_date: date
    paused_until: date | None


def _candidates(engine: Engine, now: datetime) -> tuple[list[Candidate], dict[int, Ladder], dict[int, list[str]]]:
    """Open orders with a due date close enough for a step, their events' ladders and the steps
    already sent (read without locks: each is checked again under the order's lock)."""
    horizon = (as_utc(now) + timedelta(days=1 - MIN_OFFSET)).date()  # any zone's "today", earliest step
    with read_only(engine) as session:
        rows = session.execute(
            select(Order.id, Order.event_id, Event.timezone, Order.due_date, Order.reminders_paused_until)
            .join(Event, Event.id == Order.event_id)
            .where(
                Order.due_date.is_not(None),
                Order.due_date <= horizon,
                Order.deleted_at.is_(None),
                Order.status != Status.CANCELLED,
                Order.payment_state.in_(OWED_STATES),
            )
            .order_by(Order.id)
        ).all()
        candidates = [Candidate(r.id, r.event_id, r.timezone, r.due_date, r.reminders_paused_until) for r in rows]
        events = {c.event_id for c in candidates}
        steps: dict[int, list[tuple[str, int, bool]]] = {e: [] for e in events}
        if events:
            for row in session.execute(
                select(
                    ReminderLadderStep.event_id,
                    ReminderLadderStep.step,
                    ReminderLadderStep.offset_days,
                    ReminderLadderStep.enabled,
                ).where(ReminderLadderStep.event_id.in_(events))
            ):
                steps[row.event_id].append((row.step, row.offset_days, row.enabled))
        sent: dict[int, list[str]] = {}
        ids = [c.order_id for c in candidates]
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            for order_id, step in session.execute(
                select(PaymentReminder.order_id, PaymentReminder.step).where(PaymentReminder.order_id.in_(part))
            ):
                sent.setdefault(order_id, []).append(step)
    return candidates, {e: Ladder.from_rows(s) for e, s in steps.items()}, sent


def queue_due_reminders(engine: Engine, *, now: datetime, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Send every ladder step due at `now`; returns how many reminders were queued."""
    candidates, ladders, sent = _candidates(engine, now)
    queued = 0
    for candidate in candidates:
        if should_stop():
            break
        if not at_civil_hour(now, candidate.timezone):
            continue
        today = local_now(now, candidate.timezone).date()
        if is_paused(candidate.paused_until, today):
            continue
        ladder = ladders[candidate.event_id]
        if due_step(ladder, due_date=candidate.due_date, today=today, sent=sent.get(candidate.order_id, [])) is None:
            continue
        with unit_of_work(engine) as session:
            if send_due_reminder(session, actor=SYSTEM_ACTOR, order_id=candidate.order_id, now=now) is not None:
                queued += 1
    return queued


def queue_reminders_job(run: JobRun) -> str | None:
    """The worker's job: queue the reminders due now (the email job sends them)."""
    queued = queue_due_reminders(run.engine, now=run.now, should_stop=run.should_stop)
    return f"{queued} reminders queued" if queued else None
