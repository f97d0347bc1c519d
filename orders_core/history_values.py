"""The values of the order history's details as the reader reads them: field names as words,
statuses, modes and methods by their labels, money by Babel, calendar dates naming their zone,
one sentence per change (the builders of orders_core/history_text.py use them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orders_core.emails.labels import KIND_LABELS
from orders_core.i18n import LANGUAGES, N_, _, format_date, format_money
from orders_core.payment_state import PAYMENT_STATE_LABELS, PaymentState
from orders_core.status import PAYMENT_MODE_LABELS, STATUS_LABELS, PaymentMode, Status

# How a payment or refund was made, as the end of "Payment of €10.00 ...".
METHOD_PHRASES = {
    "online": N_("online"),
    "bank_transfer": N_("by bank transfer"),
    "cheque": N_("by cheque"),
    "cash": N_("in cash"),
    "card": N_("by card"),
    "other": N_("by another method"),
}

# Field names of the details, as words.
FIELD_LABELS = {
    "buyer_first_name": N_("Buyer's first name"),
    "buyer_last_name": N_("Buyer's last name"),
    "buyer_email": N_("Buyer's email"),
    "buyer_phone": N_("Buyer's phone"),
    "company_name": N_("Company"),
    "billing_address": N_("Billing address"),
    "billing_postcode": N_("Billing postcode"),
    "billing_city": N_("Billing city"),
    "billing_country": N_("Billing country"),
    "vat_number": N_("VAT number"),
    "language": N_("Language"),
    "discount_code": N_("Discount code"),
    "payment_mode": N_("Payment mode"),
    "status": N_("Status"),
    "currency": N_("Currency"),
    "total_ht": N_("Total excl. tax"),
    "tax": N_("Tax"),
    "total_ttc": N_("Total incl. tax"),
    "amount_paid": N_("Amount paid"),
    "balance_due": N_("Balance due"),
    "refund_due": N_("Refund due"),
    "payment_state": N_("Payment state"),
    "due_date": N_("Due date"),
    "lines": N_("Lines"),
    "delivery_mode": N_("Delivery mode"),
    "seats": N_("Seats"),
    "follow_up_on": N_("Follow-up date"),
    "follow_up_note": N_("Follow-up note"),
    "reminders_paused_until": N_("Reminders paused until"),
    "recipient": N_("Recipient"),
    "kind": N_("Email"),
    "deleted_at": N_("Deleted on"),
}
MONEY_FIELDS = {"total_ht", "tax", "total_ttc", "amount_paid", "balance_due", "refund_due"}
# Calendar dates, kept as dates and named with the zone they are days of (issue 18 item 5): due
# dates and reminder pauses are days of the event's zone, a follow-up a day of the viewer's.
EVENT_DAYS = {"due_date", "reminders_paused_until"}
VIEWER_DAYS = {"follow_up_on"}
DATE_FIELDS = EVENT_DAYS | VIEWER_DAYS
DELIVERY_LABELS = {"e_ticket": N_("E-ticket"), "will_call": N_("Will call (box office)"), "mail": N_("By post")}
# Actors that are not people (orders_core.permissions.SYSTEM_ACTOR, the provider's callback, the
# online shop of the demo data), named in the reader's language.
SYSTEM_ACTORS = {
    "system": N_("the system"),
    "payment provider": N_("the payment provider"),
    "online checkout": N_("the online checkout"),
}
# Details that only serve the services (idempotence keys, ids): never shown.
HIDDEN = {"asked", "email_id", "attendees_created", "items_added", "payment", "refund", "manual", "step"}


@dataclass(frozen=True)
class Entry:
    """One history row as the builders read it."""

    action: str
    details: Mapping[str, Any]
    actor: str
    reason: str
    currency: str
    event_zone: str = ""
    viewer_zone: str = ""

    def day(self, field: str, value: Any) -> str:
        """A calendar date of the details, naming the zone it is a day of."""
        shown = date_text(value)
        zone = self.event_zone if field in EVENT_DAYS else self.viewer_zone
        return _("{date} ({zone})").format(date=shown, zone=zone) if shown and zone else shown


def text(value: Any) -> str:
    """A stored value as text: '' for None, NaN and NaT (never "nan")."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value.__class__.__name__ in ("NaTType", "NAType"):
        return ""
    return str(value).strip()


# --- values ------------------------------------------------------------------------------------


def change_of(value: Any) -> tuple[Any, Any] | None:
    if isinstance(value, Mapping) and set(value) <= {"old", "new"} and value:
        return value.get("old"), value.get("new")
    return None


def money_text(value: Any, currency: str) -> str:
    try:
        return format_money(Decimal(text(value)), currency)
    except (InvalidOperation, ValueError):
        return text(value)


def date_text(value: Any) -> str:
    raw = text(value)
    if not raw:
        return ""
    try:
        parsed: date = datetime.fromisoformat(raw) if "T" in raw or " " in raw else date.fromisoformat(raw)
    except ValueError:
        return raw
    return format_date(parsed.date() if isinstance(parsed, datetime) else parsed)


def _label(mapping: Mapping[Any, str], enum: Any, value: Any) -> str:
    raw = text(value)
    try:
        return _(mapping[enum(raw)])
    except (KeyError, ValueError):
        return raw


def value_text(field: str, value: Any, currency: str) -> str:
    """One detail value as the reader reads it (labels translated, money and dates formatted)."""
    if field in MONEY_FIELDS:
        return money_text(value, currency)
    if field in DATE_FIELDS:
        return date_text(value)
    if field == "status":
        return _label(STATUS_LABELS, Status, value)
    if field == "payment_mode":
        return _label(PAYMENT_MODE_LABELS, PaymentMode, value)
    if field == "payment_state":
        return _label(PAYMENT_STATE_LABELS, PaymentState, value)
    if field == "delivery_mode":
        return _(DELIVERY_LABELS[text(value)]) if text(value) in DELIVERY_LABELS else text(value)
    if field == "language":
        return LANGUAGES.get(text(value), text(value))
    if field == "kind":
        return _(KIND_LABELS[text(value)]) if text(value) in KIND_LABELS else text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{words(k)}: {value_text(str(k), v, currency)}" for k, v in value.items())
    return text(value)


def words(code: Any) -> str:
    """A code without a label, as words: `follow_up_set` -> "Follow up set"."""
    raw = text(code).replace("_", " ").replace(".", " ").strip()
    return raw[:1].upper() + raw[1:]


def field_label(field: str) -> str:
    if field in FIELD_LABELS:
        return _(FIELD_LABELS[field])
    for form in ("buyer", "order", "product"):  # custom fields of the order: "<form> <key>"
        if field.startswith(form + " "):
            return _("Field “{name}”").format(name=field[len(form) + 1 :])
    return words(field)


def change_sentence(field: str, old: Any, new: Any, currency: str, entry: Entry | None = None) -> str:
    label = field_label(field)
    if entry is not None and field in DATE_FIELDS:
        before, after = entry.day(field, old), entry.day(field, new)
    else:
        before, after = value_text(field, old, currency), value_text(field, new, currency)
    if before == after:  # a figure recomputed to the same value is no change to tell
        return ""
    if before and after:
        return _("{field} changed from {old} to {new}.").format(field=label, old=before, new=after)
    if after:
        return _("{field} set to {new}.").format(field=label, new=after)
    if before:
        return _("{field} cleared (was {old}).").format(field=label, old=before)
    return ""


def change_sentences(entry: Entry, *, skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """A sentence per detail (changes and plain values), in the order they were written."""
    out: list[str] = []
    for field, value in entry.details.items():
        if field in HIDDEN or field in skip:
            continue
        if field == "holders" and isinstance(value, list):
            out.extend(holder_sentence(h) for h in value if isinstance(h, Mapping))
        elif (pair := change_of(value)) is not None:
            out.append(change_sentence(field, pair[0], pair[1], entry.currency, entry))
        elif field.startswith("holder "):  # entries written before the holders were matched by identity
            out.append(_("{field}: {value}.").format(field=words(field), value=value_text(field, value, "")))
        elif text(value) or isinstance(value, (list, Mapping)):
            shown = value_text(field, value, entry.currency)
            if shown:
                out.append(_("{field}: {value}.").format(field=field_label(field), value=shown))
    return out


def holder_sentence(change: Mapping[str, Any]) -> str:
    """One holder's change in a modification (`details["holders"]`, matched by order item)."""
    number = text(change.get("n"))
    if "added" in change:
        return _("Holder {n} added: {holder}.").format(n=number, holder=text(change["added"]))
    if "removed" in change:
        return _("Holder {holder} removed.").format(holder=text(change["removed"]))
    sentences = []
    if (name := change_of(change.get("name"))) is not None:
        sentences.append(
            _("Holder {n} renamed from {old} to {new}.").format(n=number, old=text(name[0]), new=text(name[1]))
        )
    for key, label in (("email", N_("email")), ("seat", N_("seat"))):
        if (pair := change_of(change.get(key))) is not None:
            sentences.append(
                _("Holder {n}: {field} changed from {old} to {new}.").format(
                    n=number, field=_(label), old=text(pair[0]) or "—", new=text(pair[1]) or "—"
                )
            )
    for key, value in (change.get("fields") or {}).items():
        if (pair := change_of(value)) is not None:
            sentences.append(
                _("Holder {n}: field “{field}” changed from {old} to {new}.").format(
                    n=number, field=key, old=text(pair[0]) or "—", new=text(pair[1]) or "—"
                )
            )
    return " ".join(sentences)


def with_reason(headline: str, entry: Entry) -> str:
    return _("{headline}: {reason}").format(headline=headline, reason=entry.reason) if entry.reason else headline


def reason_sentences(entry: Entry) -> list[str]:
    return [_("Reason: {reason}").format(reason=entry.reason)] if entry.reason else []
