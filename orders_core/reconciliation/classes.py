"""The classifications of statement lines (issue 16) as the page shows them: labels, badge
colours, what each allows, and the stored reason turned into a sentence in the user's language.
Pure: no I/O. The page asks these functions; it never compares classification strings.

A stored reason (`bank_line_classes.reason`) is JSON:

    {"key": "Order {number} is already paid (on {paid_on}); ...",   # a message marked N_
     "params": {"number": 1000042, "paid_on": {"date": "2026-11-03"}},
     "signals": [[key, params], ...],          # the matcher's own reasons, shown after it
     "allocations": [[order_id, number, "120.00"], ...]}   # what confirming would pay

A parameter is a plain value, or typed so that it is formatted for the reader's language when
shown: {"money": "12.50", "currency": "EUR"}, {"date": "2026-11-03"}, {"label": msgid}."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from orders_core.i18n import N_, _, format_date, format_money
from orders_core.reconciliation.states import is_open
from orders_core.status import BankDirection, BankLineClass

CLASS_LABELS: dict[BankLineClass, str] = {
    BankLineClass.MATCHED: N_("Matched"),
    BankLineClass.PARTIAL: N_("Partial payment"),
    BankLineClass.OVERPAID: N_("Overpaid"),
    BankLineClass.ALREADY_PAID: N_("Already paid"),
    BankLineClass.CANCELLED_ORDER: N_("Cancelled order"),
    BankLineClass.CURRENCY_MISMATCH: N_("Currency mismatch"),
    BankLineClass.REFUND: N_("Refund"),
    BankLineClass.DUPLICATE: N_("Duplicate"),
    BankLineClass.IGNORED: N_("Ignored (zero amount)"),
    BankLineClass.NO_MATCH: N_("No match"),
}
# st.badge colours: green pays an order as is, orange pays it with a difference, red must not
# pay the order it names, blue is money going out, grey needs nothing or a person.
CLASS_COLOURS: dict[BankLineClass, str] = {
    BankLineClass.MATCHED: "green",
    BankLineClass.PARTIAL: "orange",
    BankLineClass.OVERPAID: "orange",
    BankLineClass.ALREADY_PAID: "red",
    BankLineClass.CANCELLED_ORDER: "red",
    BankLineClass.CURRENCY_MISMATCH: "red",
    BankLineClass.REFUND: "blue",
    BankLineClass.DUPLICATE: "violet",
    BankLineClass.IGNORED: "gray",
    BankLineClass.NO_MATCH: "gray",
}
# Lines that may be confirmed as a payment of the order(s) they were matched to.
PAYING = frozenset({BankLineClass.MATCHED, BankLineClass.PARTIAL, BankLineClass.OVERPAID})
NOT_CLASSIFIED = N_("Not classified yet: click “Re-classify”.")


def class_label(classification: str) -> str:
    """The translated name of a classification."""
    return _(CLASS_LABELS[BankLineClass(classification)])


def class_colour(classification: str) -> str:
    return CLASS_COLOURS[BankLineClass(classification)]


def proposes_payment(classification: str | None, status: str) -> bool:
    """The line carries a payment proposal a person may confirm (an open incoming line whose
    classification pays an order). Already paid, cancelled and currency-mismatch lines never do."""
    return classification is not None and BankLineClass(classification) in PAYING and is_open(status)


def proposes_refund(classification: str | None, status: str, order_id: int | None) -> bool:
    """An outgoing line still to match: to a recorded refund, or as a refund to record on the
    order it names."""
    return classification == BankLineClass.REFUND and is_open(status) and order_id is not None


def is_outgoing(direction: str) -> bool:
    """Money out of the account (a refund paid), as opposed to a transfer received."""
    return direction == BankDirection.DEBIT


def may_pay_an_order(direction: str, amount: Decimal, allocated: Decimal = Decimal("0.00")) -> bool:
    """The line has money received and not yet allocated: it may pay an order (by a proposal or
    by hand). Outgoing lines (refunds paid) and zero-amount lines never do."""
    return direction != BankDirection.DEBIT and amount > 0 and amount - allocated > 0


def reason(key: str, signals: list[Any] | None = None, **params: Any) -> dict[str, Any]:
    """A reason to store: the message key and its parameters (see the module doc)."""
    stored: dict[str, Any] = {"key": key, "params": params}
    if signals:
        stored["signals"] = [[k, _plain(p)] for k, p in signals]
    return stored


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"money": str(amount), "currency": currency}


def day(value: date | None) -> dict[str, str] | str:
    return {"date": value.isoformat()} if value is not None else "—"


def label(msgid: str) -> dict[str, str]:
    return {"label": msgid}


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (dict, int)) else str(v) for k, v in params.items()}


def _shown(value: Any, escape: Callable[[str], str]) -> str:
    if isinstance(value, dict):
        if "money" in value:
            return format_money(Decimal(value["money"]), value.get("currency", ""))
        if "date" in value:
            return format_date(date.fromisoformat(value["date"]))
        if "label" in value:
            msgid = value["label"]
            return _(msgid)
    if isinstance(value, int):
        return str(value)
    return escape(str(value))


def _sentence(key: str, params: Mapping[str, Any], escape: Callable[[str], str]) -> str:
    return _(key).format(**{name: _shown(value, escape) for name, value in params.items()})


def summary(stored: Mapping[str, Any] | None, escape: Callable[[str], str] = str) -> str:
    """The reason's main sentence in the user's language, without the matcher's signals."""
    if not stored or "key" not in stored:
        return _(NOT_CLASSIFIED)
    return _sentence(stored["key"], stored.get("params", {}), escape)


def describe(stored: Mapping[str, Any] | None, escape: Callable[[str], str] = str) -> str:
    """The reason in the user's language, with the matcher's signals after it. `escape` is
    applied to free text (a payer's name, a bank id), never to the numbers."""
    text = summary(stored, escape)
    signals = [_sentence(k, p, escape) for k, p in (stored or {}).get("signals", [])]
    return f"{text} ({'; '.join(signals)})" if signals else text


def allocations(stored: Mapping[str, Any] | None) -> list[tuple[int, Decimal]]:
    """(order id, amount) pairs the line proposes to pay (empty: it proposes no payment)."""
    return [(int(order_id), Decimal(amount)) for order_id, _number, amount in (stored or {}).get("allocations", [])]
