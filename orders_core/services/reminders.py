"""The reminder ladder's writes (issue 15): an event's ladder (admin, event manager), finance's
"send the next reminder now" and "pause reminders until", and the worker's sending of a due step.

Every sending locks the order, re-checks that money is still owed, inserts the step into
`payment_reminders` (UNIQUE(order_id, step): a step is sent once, whoever sends it), queues the
`payment_reminder` email and writes the order's history, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.emails.outbox import queue_email
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import change, record
from orders_core.i18n import _
from orders_core.inputs import clean_id, clean_text
from orders_core.models import Event, Order, PaymentReminder, ReminderLadderStep
from orders_core.permissions import Actor, require
from orders_core.reminders import (
    MAX_PAUSE_NOTE,
    Ladder,
    at_civil_hour,
    clean_ladder,
    due_step,
    is_paused,
    local_now,
    next_step,
    owed,
    step_label,
)
from orders_core.services.catalogue_rules import log
from orders_core.services.guards import lock_by_id, status_label

MAX_PAUSE_DAYS = 366


def event_ladder(session: Session, event_id: int) -> Ladder:
    """The event's ladder (the default one until it is edited)."""
    rows = session.execute(
        select(ReminderLadderStep.step, ReminderLadderStep.offset_days, ReminderLadderStep.enabled).where(
            ReminderLadderStep.event_id == event_id
        )
    ).all()
    return Ladder.from_rows((r.step, r.offset_days, r.enabled) for r in rows)


def sent_steps(session: Session, order_id: int) -> list[str]:
    return list(session.scalars(select(PaymentReminder.step).where(PaymentReminder.order_id == order_id)))


def set_reminder_ladder(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    steps: Mapping[str, tuple[bool, object]],
    now: datetime | None = None,
) -> Ladder:
    """Replace the event's ladder with `steps` {step: (enabled, offset in days)}; written to the
    catalogue log. Steps already sent to an order are not sent again."""
    require(actor, "catalogue.manage")
    event = lock_by_id(session, Event, event_id, _("This event does not exist."), actor=actor)
    ladder = clean_ladder(steps)
    before = event_ladder(session, event.id)
    now = now or datetime.now(UTC)
    session.execute(delete(ReminderLadderStep).where(ReminderLadderStep.event_id == event.id))
    for step in ladder.steps:
        session.add(
            ReminderLadderStep(
                event_id=event.id, step=step.step, offset_days=step.offset_days, enabled=step.enabled, updated_at=now
            )
        )
    changes = {
        str(new.step): change(_describe(old), _describe(new))
        for old, new in zip(before.steps, ladder.steps)
        if old != new
    }
    if changes:
        log(
            session,
            actor=actor,
            entity="event",
            entity_id=event.id,
            event_id=event.id,
            action="reminder_ladder_changed",
            details=changes,
        )
    session.flush()
    return ladder


def _describe(step: object) -> str:
    offset = getattr(step, "offset_days", 0)
    return f"{offset:+d} d" + ("" if getattr(step, "enabled", False) else " (off)")


def _locked_order(session: Session, order_id: object, actor: Actor) -> Order:
    order_id = clean_id(order_id, missing=_("This order does not exist."))
    order = session.scalars(select(Order).where(Order.id == order_id).with_for_update()).one_or_none()
    if order is None or not scope.sees_row(actor, order.event_id):
        raise InvalidInput(_("This order does not exist."))
    return order


def _refusal(order: Order) -> str | None:
    """Why no reminder may go to this order now (None: one may)."""
    if order.deleted_at is not None:
        return _("Order {number} is deleted: no reminder is sent.").format(number=order.number)
    if not owed(status=order.status, payment_state=order.payment_state, deleted=False):
        if order.status == "cancelled":
            return _("Order {number} is “{status}”: no reminder is sent.").format(
                number=order.number, status=status_label(order.status)
            )
        return _("Order {number} owes nothing: no reminder is sent.").format(number=order.number)
    if order.due_date is None:
        return _("Order {number} has no due date: reminders follow the due date.").format(number=order.number)
    return None


def _send(session: Session, *, actor: Actor, order: Order, step: str, now: datetime, manual: bool) -> PaymentReminder:
    assert order.due_date is not None
    reminder = PaymentReminder(order_id=order.id, step=step, due_date=order.due_date, sent_at=now, actor=actor.email)
    with session.begin_nested():  # the unique (order, step): another sender got there first
        session.add(reminder)
        session.flush()
    email = queue_email(session, order=order, kind="payment_reminder", now=now, reminder_step=step)
    reminder.outbox_email_id = email.id
    record(
        session,
        order_id=order.id,
        actor=actor,
        action="reminder_sent",
        details={
            "step": str(step),
            "email_id": email.id,
            "recipient": email.recipient,
            "due_date": order.due_date.isoformat(),
            "manual": manual,
        },
        at=now,
    )
    session.flush()
    return reminder


def send_next_reminder(
    session: Session, *, actor: Actor, order_id: int, now: datetime | None = None
) -> PaymentReminder:
    """Finance's "send the next reminder now": the first step of the event's ladder past the last
    one sent, whatever its day and even during a pause (a person chose to)."""
    require(actor, "orders.reminders")
    order = _locked_order(session, order_id, actor)
    if reason := _refusal(order):
        raise TransitionRefused(reason)
    now = now or datetime.now(UTC)
    event = session.get_one(Event, order.event_id)
    today = local_now(now, event.timezone).date()
    step = next_step(
        event_ladder(session, order.event_id), sent=sent_steps(session, order.id), due_date=order.due_date, today=today
    )
    if step is None:
        raise TransitionRefused(
            _("Every step of the reminder ladder was already sent to order {number}.").format(number=order.number)
        )
    try:
        return _send(session, actor=actor, order=order, step=step, now=now, manual=True)
    except IntegrityError:
        raise TransitionRefused(
            _("“{step}” was just sent to order {number}.").format(step=step_label(step), number=order.number)
        ) from None


def send_due_reminder(
    session: Session, *, actor: Actor, order_id: int, now: datetime | None = None
) -> PaymentReminder | None:
    """The worker's step for one order: send the latest step of the ladder that is due today, at a
    civil hour in the event's timezone, unless the order owes nothing, is paused, or that step
    (or a later one) was already sent. None when nothing is due (checked again under the lock)."""
    require(actor, "reminders.schedule")
    now = now or datetime.now(UTC)
    order = _locked_order(session, order_id, actor)
    if _refusal(order) or order.due_date is None:
        return None
    event = session.get_one(Event, order.event_id)
    today = local_now(now, event.timezone).date()
    if not at_civil_hour(now, event.timezone) or is_paused(order.reminders_paused_until, today):
        return None
    step = due_step(
        event_ladder(session, order.event_id), due_date=order.due_date, today=today, sent=sent_steps(session, order.id)
    )
    if step is None:
        return None
    try:
        return _send(session, actor=actor, order=order, step=step, now=now, manual=False)
    except IntegrityError:
        return None


def pause_reminders(
    session: Session, *, actor: Actor, order_id: int, until: date | None, note: str, now: datetime | None = None
) -> Order:
    """No reminder goes to this order up to and including `until`; the note (why) is required."""
    require(actor, "orders.reminders")
    if not isinstance(until, date) or isinstance(until, datetime):
        raise InvalidInput(_("Give the date reminders are paused until."))
    text = clean_text(note, label=_("The note"), limit=MAX_PAUSE_NOTE, required=True)
    order = _locked_order(session, order_id, actor)
    if reason := _refusal(order):
        raise TransitionRefused(reason)
    event = session.get_one(Event, order.event_id)
    today = local_now(now or datetime.now(UTC), event.timezone).date()
    if until < today:
        raise InvalidInput(_("The pause must end today or later."))
    if until > today + timedelta(days=MAX_PAUSE_DAYS):
        raise InvalidInput(_("A pause lasts at most one year."))
    record(
        session,
        order_id=order.id,
        actor=actor,
        action="reminders_paused",
        details={"reminders_paused_until": change(order.reminders_paused_until, until)},
        reason=text,
    )
    order.reminders_paused_until = until
    order.reminders_pause_note = text
    session.flush()
    return order


def resume_reminders(session: Session, *, actor: Actor, order_id: int) -> Order:
    """End a pause now: the ladder's due step leaves with the worker's next run."""
    require(actor, "orders.reminders")
    order = _locked_order(session, order_id, actor)
    if order.reminders_paused_until is None:
        raise TransitionRefused(_("Reminders are not paused on order {number}.").format(number=order.number))
    record(
        session,
        order_id=order.id,
        actor=actor,
        action="reminders_resumed",
        details={"reminders_paused_until": change(order.reminders_paused_until, None)},
        reason=order.reminders_pause_note or None,
    )
    order.reminders_paused_until = None
    order.reminders_pause_note = ""
    session.flush()
    return order
