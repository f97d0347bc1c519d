"""The reminder ladder (issue 15): pure rules, no I/O.

An event's ladder has four steps, each on or off with an offset in days from the order's due
date: "due soon" (before or on the due date), then three reminders after it, the last one a
final notice. A step is sent once per order, at a civil hour in the event's timezone, only
while the order is owed (payment state unpaid or partially paid, not cancelled nor deleted) and
not paused. When the worker was away and several steps came due, only the latest is sent: a
buyer never receives three reminders at once, and a skipped step is never sent later."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from orders_core.errors import InvalidInput
from orders_core.i18n import N_, _, as_utc, format_date
from orders_core.payment_terms import OWING_STATES, still_owed


class ReminderStep(StrEnum):
    DUE_SOON = "due_soon"
    FIRST = "first"
    SECOND = "second"
    FINAL = "final"


STEPS: tuple[ReminderStep, ...] = tuple(ReminderStep)
STEP_LABELS: dict[str, str] = {
    ReminderStep.DUE_SOON: N_("Due soon"),
    ReminderStep.FIRST: N_("First reminder"),
    ReminderStep.SECOND: N_("Second reminder"),
    ReminderStep.FINAL: N_("Final notice"),
}
DEFAULT_OFFSETS: dict[ReminderStep, int] = {
    ReminderStep.DUE_SOON: -3,
    ReminderStep.FIRST: 1,
    ReminderStep.SECOND: 7,
    ReminderStep.FINAL: 21,
}
MIN_OFFSET, MAX_OFFSET = -60, 365
# Civil hours, in the event's timezone: no reminder leaves at night.
CIVIL_START, CIVIL_END = time(9, 0), time(19, 0)
MAX_PAUSE_NOTE = 1000
# States in which money is still owed: reminders stop at any other (payment_terms' one list).
OWED_STATES = OWING_STATES

# The wording French law asks on a business buyer's reminder (Code de commerce L441-10, D441-5).
LATE_PAYMENT_TERMS = {
    "fr": (
        "En cas de retard de paiement, des pénalités de retard sont exigibles au taux de trois fois "
        "le taux d'intérêt légal, ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 € "
        "(articles L441-10 et D441-5 du Code de commerce)."
    ),
    "en": (
        "Late payment incurs late-payment penalties at three times the French legal interest rate, "
        "and a fixed recovery indemnity of EUR 40 (indemnité forfaitaire pour frais de recouvrement "
        "de 40 €, French Commercial Code articles L441-10 and D441-5)."
    ),
}


def step_label(step: str) -> str:
    return _(STEP_LABELS.get(step, step))


@dataclass(frozen=True)
class LadderStep:
    step: ReminderStep
    offset_days: int
    enabled: bool = True


@dataclass(frozen=True)
class Ladder:
    """An event's steps, always the four of them in ladder order."""

    steps: tuple[LadderStep, ...]

    @classmethod
    def default(cls) -> Ladder:
        return cls(tuple(LadderStep(step, DEFAULT_OFFSETS[step]) for step in STEPS))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, int, bool]]) -> Ladder:
        """The ladder from stored (step, offset, enabled) rows; a missing step keeps its default."""
        stored = {
            ReminderStep(step): LadderStep(ReminderStep(step), int(offset), bool(on)) for step, offset, on in rows
        }
        return cls(tuple(stored.get(step, LadderStep(step, DEFAULT_OFFSETS[step])) for step in STEPS))

    @property
    def enabled(self) -> tuple[LadderStep, ...]:
        return tuple(s for s in self.steps if s.enabled)

    def offset(self, step: str) -> int:
        return next(s.offset_days for s in self.steps if s.step == step)


def clean_ladder(values: Mapping[str, tuple[bool, object]]) -> Ladder:
    """A ladder from the form's {step: (enabled, offset)}; refused with the reason when an offset is
    not a whole number in range, "due soon" is after the due date, a reminder is not after it, or
    the enabled steps are not in increasing order."""
    if not isinstance(values, Mapping):
        raise InvalidInput(_("The reminder ladder is not a list of steps."))
    steps = []
    for step in STEPS:
        value = values.get(step, (False, DEFAULT_OFFSETS[step]))
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise InvalidInput(_("The reminder ladder is not a list of steps."))
        enabled, raw = value
        try:
            offset = int(str(raw).strip())
        except ValueError:
            raise InvalidInput(
                _("The offset of “{step}” must be a whole number of days.").format(step=step_label(step))
            ) from None
        if not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise InvalidInput(
                _("The offset of “{step}” must be between {low} and {high} days.").format(
                    step=step_label(step), low=MIN_OFFSET, high=MAX_OFFSET
                )
            )
        if step == ReminderStep.DUE_SOON and offset > 0:
            raise InvalidInput(_("“Due soon” is sent on or before the due date: its offset must be 0 or less."))
        if step != ReminderStep.DUE_SOON and offset < 1:
            raise InvalidInput(
                _("“{step}” is sent after the due date: its offset must be 1 day or more.").format(
                    step=step_label(step)
                )
            )
        steps.append(LadderStep(step, offset, bool(enabled)))
    on = [s for s in steps if s.enabled]
    for before, after in zip(on, on[1:]):
        if after.offset_days <= before.offset_days:
            raise InvalidInput(
                _("“{later}” must come after “{earlier}” (more days after the due date).").format(
                    later=step_label(after.step), earlier=step_label(before.step)
                )
            )
    return Ladder(tuple(steps))


def local_now(now: datetime, timezone: str) -> datetime:
    return as_utc(now).astimezone(ZoneInfo(timezone))


def at_civil_hour(now: datetime, timezone: str) -> bool:
    """Whether `now` is between 09:00 and 19:00 in the event's timezone."""
    return CIVIL_START <= local_now(now, timezone).time() < CIVIL_END


def owed(*, status: str, payment_state: str, deleted: bool) -> bool:
    """Whether reminders may still go to this order's buyer."""
    return still_owed(status=status, payment_state=payment_state, deleted=deleted)


def is_paused(paused_until: date | None, today: date) -> bool:
    """A pause holds up to and including its date."""
    return paused_until is not None and today <= paused_until


def _position(step: str | None) -> int:
    return -1 if step is None else STEPS.index(ReminderStep(step))


def last_sent(sent: Iterable[str]) -> str | None:
    """The furthest step already sent (a skipped earlier one does not count)."""
    return max(sent, key=_position, default=None)


def due_step(ladder: Ladder, *, due_date: date, today: date, sent: Iterable[str]) -> ReminderStep | None:
    """The step the scheduler sends today: the latest enabled step whose day has come, past the
    furthest one already sent; None when there is none."""
    after = _position(last_sent(sent))
    days = (today - due_date).days
    due = [s.step for s in ladder.enabled if s.offset_days <= days and _position(s.step) > after]
    return due[-1] if due else None


def next_step(
    ladder: Ladder, *, sent: Iterable[str], due_date: date | None = None, today: date | None = None
) -> ReminderStep | None:
    """The step "send the next reminder now" sends: the one the scheduler would send today when
    one has come (an order three days overdue gets the first reminder, not "due soon"), else the
    first enabled step past the furthest sent (sending ahead of the ladder)."""
    if due_date is not None and today is not None:
        due = due_step(ladder, due_date=due_date, today=today, sent=sent)
        if due is not None:
            return due
    after = _position(last_sent(sent))
    return next((s.step for s in ladder.enabled if _position(s.step) > after), None)


def is_business(company_name: str | None, vat_number: str | None) -> bool:
    return bool((company_name or "").strip() or (vat_number or "").strip())


def reminder_values(
    *, step: str, due_date: date | None, today: date, business: bool, language: str
) -> dict[str, object]:
    """The `reminder` variables of a template (see orders_core/emails/outbox.VARIABLES)."""
    return {
        "step": str(step),
        "before_due": step == ReminderStep.DUE_SOON,
        "final": step == ReminderStep.FINAL,
        "due_date_formatted": format_date(due_date, language) if due_date else "",
        "days_overdue": max(0, (today - due_date).days) if due_date else 0,
        "business": business,
        "late_payment_terms": LATE_PAYMENT_TERMS.get(language, LATE_PAYMENT_TERMS["en"]) if business else "",
    }
