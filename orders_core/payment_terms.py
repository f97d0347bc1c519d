"""Payment terms (issue 15): when an invoice order's money is due, when it is overdue, and when
an unpaid one expires. Pure functions of the domain (no session, no Streamlit): the services,
the demo, the worker's expiry job and `queries/` all ask here, so they never disagree.

The rules, per event (each `None` = that rule is off):
- `payment_terms_days`: due N days after the order (the order's day in the event's timezone);
- `payment_due_days_before_event`: due at the latest N days before the event's first day;
- the earlier of the two wins; with both off an invoice order has no due date;
- `expire_after_days`: an unpaid invoice order is cancelled once more than N days have passed
  since its due date (off by default).

Days are calendar days in the event's timezone: an order is overdue from the day after its due
date *there* (a Montréal event's order due on the 10th is overdue from midnight on the 11th in
Montréal). Tickets added to a paid order make their balance due on the terms counted from that
day. A due date stays on the order once it is paid or cancelled, as history; only unpaid
or partially paid orders that are neither cancelled nor deleted count as overdue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from orders_core.errors import InvalidInput
from orders_core.i18n import N_, _, ngettext
from orders_core.inputs import clean_int
from orders_core.payment_state import PaymentState
from orders_core.status import PaymentMode, Status

# The database's CHECK on the three event columns (migration 0018_due_dates): 0 to ten years.
MAX_DAYS = 3650
TERM_FIELDS = ("payment_terms_days", "payment_due_days_before_event", "expire_after_days")
TERM_LABELS = {
    "payment_terms_days": N_("Days after the order"),
    "payment_due_days_before_event": N_("Days before the event"),
    "expire_after_days": N_("Days past due before an unpaid order is cancelled"),
}
# What still owes money: the ledger's states an overdue order may be in.
OWING_STATES = (PaymentState.UNPAID.value, PaymentState.PARTIALLY_PAID.value)
# What is no longer chased, whatever it owes.
NOT_CHASED_STATUSES = (Status.CANCELLED.value,)


@dataclass(frozen=True)
class Terms:
    """An event's payment terms (None: that rule is off)."""

    days_after_order: int | None = None
    days_before_event: int | None = None
    expire_after_days: int | None = None

    @classmethod
    def of(cls, event: Any) -> Terms:
        """The terms of an `Event` (or any object with its three columns)."""
        return cls(event.payment_terms_days, event.payment_due_days_before_event, event.expire_after_days)


def local_day(instant: datetime, timezone: str) -> date:
    """The calendar day an instant falls on in a timezone (a naive instant is UTC)."""
    aware = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant
    return aware.astimezone(ZoneInfo(timezone)).date()


def due_date_for(terms: Terms, *, ordered_at: datetime, event_starts_at: datetime, timezone: str) -> date | None:
    """The day an invoice order placed at `ordered_at` must be paid by, in the event's timezone:
    N days after the order or N days before the event, whichever comes first; None when the
    event has no terms. A last day already past when the order is placed gives the order's day
    (due at once), never a day before it."""
    ordered_on = local_day(ordered_at, timezone)
    candidates = []
    if terms.days_after_order is not None:
        candidates.append(ordered_on + timedelta(days=terms.days_after_order))
    if terms.days_before_event is not None:
        candidates.append(
            max(local_day(event_starts_at, timezone) - timedelta(days=terms.days_before_event), ordered_on)
        )
    return min(candidates) if candidates else None


def awaits_invoice_payment(status: str, payment_mode: str) -> bool:
    """True for an order whose money is expected on invoice: the orders that carry a due date."""
    return status == Status.AWAITING_PAYMENT.value and payment_mode == PaymentMode.INVOICE.value


def choice_gets_due_date(payment_choice: str) -> bool:
    """True for the wizard's payment choice that makes an invoice order awaiting payment, the
    orders that carry a due date (the others are paid, free or undecided)."""
    return payment_choice == PaymentMode.INVOICE.value


def still_owed(*, status: str, payment_state: str, deleted: bool = False) -> bool:
    """Whether an order's buyer still owes money worth chasing: unpaid or partially paid, and
    neither cancelled nor deleted (reminders, overdue and expiry all ask this)."""
    return not deleted and status not in NOT_CHASED_STATUSES and payment_state in OWING_STATES


def days_overdue(due_date: date | None, *, today: date, payment_state: str, status: str, deleted: bool = False) -> int:
    """How many days past its due date an order is (0: not overdue, or nothing to chase)."""
    if due_date is None or not still_owed(status=status, payment_state=payment_state, deleted=deleted):
        return 0
    return max((today - due_date).days, 0)


def expires_on(due_date: date, expire_after_days: int) -> date:
    """The first day (event's timezone) an unpaid order due on `due_date` is cancelled."""
    return due_date + timedelta(days=expire_after_days + 1)


def clean_terms(values: Mapping[str, Any]) -> dict[str, int | None]:
    """The terms a user typed: each empty (None or "") for off, else a whole number of days
    between 0 and MAX_DAYS; refused with a readable message naming the field."""
    clean: dict[str, int | None] = {}
    for name in TERM_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            clean[name] = None
            continue
        clean[name] = clean_int(value, label=_(TERM_LABELS[name]), minimum=0, maximum=MAX_DAYS)
    return clean


def check_terms(terms: Terms) -> None:
    """Refuse expiry without a due date: it could never apply and would mislead."""
    if terms.expire_after_days is not None and terms.days_after_order is None and terms.days_before_event is None:
        raise InvalidInput(
            _(
                "Cancelling unpaid orders past due needs a due date: set the days after the order "
                "or the days before the event."
            )
        )


def describe_terms(terms: Terms) -> str:
    """The terms in a few words, for lists ("" when the event has none)."""
    parts = []
    if terms.days_after_order is not None:
        parts.append(
            ngettext("{n} day after the order", "{n} days after the order", terms.days_after_order).format(
                n=terms.days_after_order
            )
        )
    if terms.days_before_event is not None:
        parts.append(
            ngettext("{n} day before the event", "{n} days before the event", terms.days_before_event).format(
                n=terms.days_before_event
            )
        )
    text = (
        _("{first} or {second}, whichever comes first").format(first=parts[0], second=parts[1])
        if len(parts) == 2
        else "".join(parts)
    )
    if text and terms.expire_after_days is not None:
        text += ngettext(
            "; unpaid orders cancelled {n} day past due",
            "; unpaid orders cancelled {n} days past due",
            terms.expire_after_days,
        ).format(n=terms.expire_after_days)
    return text


def due_date_after(
    current: date | None,
    *,
    before: tuple[str, str] | None,
    after: tuple[str, str],
    terms: Terms,
    at: datetime,
    event_starts_at: datetime,
    timezone: str,
) -> date | None:
    """The due date an order carries after a change made at `at` that takes its (status,
    payment mode) from `before` (None: the order is being created) to `after`. Becoming an
    invoice order awaiting payment sets it from the event's terms, counted from that moment;
    staying one keeps the date the buyer was given (one set when the event had no terms yet is
    filled in); becoming paid or cancelled keeps it as history; going back to another unpaid
    state (an undecided cart) clears it: nothing is due on invoice any more."""
    was = before is not None and awaits_invoice_payment(*before)
    if awaits_invoice_payment(*after):
        if was and current is not None:
            return current
        return due_date_for(terms, ordered_at=at, event_starts_at=event_starts_at, timezone=timezone)
    if after[0] in (Status.PAID.value, Status.CANCELLED.value):
        return current
    return None if was else current


def expiry_cutoff(today: date, expire_after_days: int) -> date:
    """Orders due before this day have expired on `today` (`expires_on(due, n) <= today`)."""
    return today - timedelta(days=expire_after_days)


def has_expired(
    due_date: date | None,
    expire_after_days: int | None,
    *,
    today: date,
    status: str,
    payment_mode: str,
    deleted: bool,
    money_received: bool,
) -> bool:
    """Whether the worker cancels this order today: expiry on for its event, an invoice order
    still awaiting payment, past its grace period, and never one that has received any money."""
    return (
        expire_after_days is not None
        and due_date is not None
        and awaits_invoice_payment(status, payment_mode)
        and not deleted
        and not money_received
        and due_date < expiry_cutoff(today, expire_after_days)
    )
