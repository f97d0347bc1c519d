"""The order history as sentences in the reader's language (issue 18 item 6).

History rows keep the action code and its details as written (orders_core/history.py); they are
turned into sentences when shown, translated for the viewer and with money formatted by Babel:
"Payment of €171.31 by card recorded by Ana", "Holder 2 renamed from Jean Dupont to Jeanne
Dupont", "Order cancelled by Ana: duplicate order". One builder per action (`BUILDERS`); an
action without one still reads as words (never a code, a dict or "nan").

`describe(...)` returns the headline first, then one sentence per change. The sentences hold user
text (names, reasons): the page escapes them before Markdown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from orders_core.history_values import (
    METHOD_PHRASES,
    SYSTEM_ACTORS,
    Entry,
    change_of,
    change_sentences,
    money_text,
    reason_sentences,
    text,
    value_text,
    with_reason,
    words,
)
from orders_core.i18n import N_, _, ngettext
from orders_core.reminders import step_label

Builder = Callable[[Entry], list[str]]


def describe(
    action: str,
    details: Mapping[str, Any] | None,
    *,
    actor: str,
    reason: Any = None,
    currency: str = "EUR",
    event_zone: str = "",
    viewer_zone: str = "",
) -> list[str]:
    """The entry as sentences in the current language: the headline, then one per change. Dates
    of the details name their zone: due dates the event's, a follow-up the viewer's."""
    entry = Entry(
        action=text(action),
        details=details if isinstance(details, Mapping) else {},
        actor=_(SYSTEM_ACTORS[text(actor)]) if text(actor) in SYSTEM_ACTORS else (text(actor) or _("someone")),
        reason=text(reason),
        currency=text(currency) or "EUR",
        event_zone=text(event_zone),
        viewer_zone=text(viewer_zone),
    )
    builder = BUILDERS.get(entry.action, _unknown)
    return [s for s in builder(entry) if s]


# --- one builder per action --------------------------------------------------------------------


def _created(entry: Entry) -> list[str]:
    lines = value_text("lines", entry.details.get("lines"), "")
    head = (
        _("Order created by {actor}: {lines}.").format(actor=entry.actor, lines=lines)
        if lines
        else _("Order created by {actor}.").format(actor=entry.actor)
    )
    return [head, *change_sentences(entry, skip={"lines", "currency"}), *reason_sentences(entry)]


def _modified(entry: Entry) -> list[str]:
    rest = [s for s in change_sentences(entry, skip={"payment_details_email"}) if s]
    if "payment_details_email" in entry.details:
        rest.append(_("Payment details sent to the buyer by email."))
    return [_("Order modified by {actor}.").format(actor=entry.actor), *rest, *reason_sentences(entry)]


def _tickets_added(entry: Entry) -> list[str]:
    count = int(text(entry.details.get("items_added")) or 0)
    lines = change_of(entry.details.get("lines"))
    head = ngettext("{count} ticket added by {actor}", "{count} tickets added by {actor}", count).format(
        count=count, actor=entry.actor
    )
    if lines and text(lines[1]):
        head = _("{headline}: {reason}").format(headline=head, reason=text(lines[1]))
    head += "."
    return [head, *change_sentences(entry, skip={"lines"}), *reason_sentences(entry)]


def _payment_phrase(entry: Entry, key: str) -> tuple[str, str, str]:
    """(amount, method phrase, reference) of the payment or refund in the details."""
    money = entry.details.get(key)
    if not isinstance(money, Mapping):
        return "", "", ""
    currency = text(money.get("currency")) or entry.currency
    method = text(money.get("method"))
    return (
        money_text(money.get("amount"), currency),
        _(METHOD_PHRASES[method]) if method in METHOD_PHRASES else method,
        text(money.get("reference")),
    )


def _payment_builder(with_payment: str, without: str) -> Builder:
    """A payment recorded (validation, approval, online confirmation, balance payment)."""

    def build(entry: Entry) -> list[str]:
        amount, method, reference = _payment_phrase(entry, "payment")
        if amount:
            head = _(with_payment).format(amount=amount, method=method, actor=entry.actor)
        else:
            head = _(without).format(actor=entry.actor)
        out = [head + (" " + _("(reference {reference})").format(reference=reference) if reference else "") + "."]
        out += change_sentences(entry, skip={"amount_paid", "payment_state"})
        attendees = int(text(entry.details.get("attendees_created")) or 0)
        if attendees:
            out.append(
                ngettext("{count} attendee record created.", "{count} attendee records created.", attendees).format(
                    count=attendees
                )
            )
        return out + reason_sentences(entry)

    return build


def _refunded(entry: Entry) -> list[str]:
    amount, method, reference = _payment_phrase(entry, "refund")
    head = _("Refund of {amount} {method} recorded by {actor}").format(amount=amount, method=method, actor=entry.actor)
    if reference:
        head += " " + _("(reference {reference})").format(reference=reference)
    out = [with_reason(head, entry) + "."]
    # a refund never makes a balance due (payment_state.balance_due): its stored figure is not shown
    out += change_sentences(entry, skip={"amount_paid", "payment_state", "refund_email", "balance_due"})
    if "refund_email" in entry.details:
        out.append(_("Refund email sent to the buyer."))
    return out


def _status_builder(message: str) -> Builder:
    """A status change whose reason, if any, ends the headline ("Order cancelled by Ana: ...")."""

    def build(entry: Entry) -> list[str]:
        return [with_reason(_(message).format(actor=entry.actor), entry) + "."]

    return build


def _tickets_cancelled(entry: Entry) -> list[str]:
    holders = text(entry.details.get("tickets_cancelled"))
    head = (
        _("Tickets of {holders} cancelled by {actor}").format(holders=holders, actor=entry.actor)
        if holders
        else _("Tickets cancelled by {actor}").format(actor=entry.actor)
    )
    return [
        with_reason(head, entry) + ".",
        *change_sentences(entry, skip={"tickets_cancelled", "payment_state"}),
    ]


def _email_resent(entry: Entry) -> list[str]:
    return [
        _("Email “{kind}” sent again to {recipient} by {actor}.").format(
            kind=value_text("kind", entry.details.get("kind"), ""),
            recipient=text(entry.details.get("recipient")),
            actor=entry.actor,
        )
    ]


def _reminder_sent(entry: Entry) -> list[str]:
    step = step_label(text(entry.details.get("step")))
    recipient = text(entry.details.get("recipient"))
    if entry.details.get("manual"):
        return [
            _("Reminder “{step}” sent to {recipient} by {actor}.").format(
                step=step, recipient=recipient, actor=entry.actor
            )
        ]
    return [_("Reminder “{step}” sent to {recipient} automatically.").format(step=step, recipient=recipient)]


def _follow_up_set(entry: Entry) -> list[str]:
    day = change_of(entry.details.get("follow_up_on"))
    note = change_of(entry.details.get("follow_up_note"))
    head = _("Follow-up set by {actor}").format(actor=entry.actor)
    if day and text(day[1]):
        head = _("Follow-up set for {date} by {actor}").format(
            date=entry.day("follow_up_on", day[1]), actor=entry.actor
        )
    if note and text(note[1]):
        head = _("{headline}: {reason}").format(headline=head, reason=text(note[1]))
    return [head + "."]


def _reminders_paused(entry: Entry) -> list[str]:
    until = change_of(entry.details.get("reminders_paused_until"))
    day = entry.day("reminders_paused_until", until[1]) if until else ""
    head = _("Reminders paused until {date} by {actor}").format(date=day, actor=entry.actor)
    return [with_reason(head, entry) + "."]


def _note_added(entry: Entry) -> list[str]:
    return [_("Note added by {actor}: {note}").format(actor=entry.actor, note=text(entry.details.get("note")))]


def _personal_data_erased(entry: Entry) -> list[str]:
    """Issue 17: the buyer's and holders' personal data replaced by a pseudonym."""
    head = _("Personal data erased by {actor}: the buyer is now {pseudonym}").format(
        actor=entry.actor, pseudonym=text(entry.details.get("pseudonym"))
    )
    return [head + ".", *reason_sentences(entry)]


def _invoice_issued(entry: Entry) -> list[str]:
    return [
        _("Invoice {number} issued by {actor}.").format(number=text(entry.details.get("number")), actor=entry.actor)
    ]


def _credit_note_issued(entry: Entry) -> list[str]:
    head = _("Credit note {number} of invoice {invoice} issued by {actor}.").format(
        number=text(entry.details.get("number")), invoice=text(entry.details.get("corrects")), actor=entry.actor
    )
    return [head, *reason_sentences(entry)]


def _holder_changed(entry: Entry) -> list[str]:
    """Issue 21: a ticket given to another person; its old e-ticket no longer admits."""
    names = change_of(entry.details.get("holder")) or ("", "")
    head = _("Ticket of {old} given to {new} by {actor}: a new e-ticket was issued, the old one is void.").format(
        old=text(names[0]) or _("(no name)"), new=text(names[1]), actor=entry.actor
    )
    return [head, *change_sentences(entry, skip={"holder", "attendee_id"}), *reason_sentences(entry)]


def _unknown(entry: Entry) -> list[str]:
    """An action without its own builder: its code as words, then its details as sentences."""
    head = _("{action} by {actor}").format(action=words(entry.action) or _("Change"), actor=entry.actor)
    return [head + ".", *change_sentences(entry), *reason_sentences(entry)]


BUILDERS: dict[str, Builder] = {
    "created": _created,
    "modified": _modified,
    "tickets_added": _tickets_added,
    "payment_recorded": _payment_builder(
        N_("Payment of {amount} {method} recorded by {actor}"), N_("Payment recorded by {actor}")
    ),
    "validated": _payment_builder(
        N_("Order validated by {actor}: payment of {amount} {method}"), N_("Order validated by {actor}")
    ),
    "approved": _payment_builder(
        N_("Order approved by {actor}: payment of {amount} {method}"), N_("Order approved by {actor}")
    ),
    "payment_confirmed": _payment_builder(
        N_("Payment of {amount} {method} confirmed by {actor}"), N_("Payment confirmed by {actor}")
    ),
    "refunded": _refunded,
    "cancelled": _status_builder(N_("Order cancelled by {actor}")),
    "rejected": _status_builder(N_("Order rejected by {actor}")),
    "payment_failed": _status_builder(N_("Payment failed, reported by {actor}")),
    "deleted": _status_builder(N_("Order deleted by {actor}")),
    "restored": _status_builder(N_("Order restored by {actor}")),
    "tickets_cancelled": _tickets_cancelled,
    "holder_changed": _holder_changed,
    "email_resent": _email_resent,
    "reminder_sent": _reminder_sent,
    "reminders_paused": _reminders_paused,
    "reminders_resumed": _status_builder(N_("Reminders resumed by {actor}")),
    "follow_up_set": _follow_up_set,
    "note_added": _note_added,
    "invoice_issued": _invoice_issued,
    "credit_note_issued": _credit_note_issued,
    "follow_up_cleared": _status_builder(N_("Follow-up cleared by {actor}")),
    "personal_data_erased": _personal_data_erased,
}
