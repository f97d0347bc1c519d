"""Turning a grid page (queries.grid) into what st.dataframe shows: translated labels, money
and dates formatted for the locale, columns in the seed's order, and each status as a coloured
label (a read-only multiselect column: the grid draws the colour itself, so no pandas Styler and
its second frame of shown texts are built and sent on every rerun, issue 19)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from babel import Locale
from babel.numbers import parse_pattern

from orders_core.i18n import _, babel_locale, format_date, format_datetime
from orders_core.payment_state import PAYMENT_STATE_LABELS, PaymentState
from orders_core.status import Status
from ui.format import STATUS_COLOURS, payment_mode_label, source_label, status_label

# The seed's order first, then the extra columns; UTM last (hideable).
SHOWN = [
    "number",
    "lines",
    "buyer_first_name",
    "buyer_last_name",
    "buyer_email",
    "discount_code",
    "payment_mode",
    "status",
    "paid_at",
    "created_at",
    "terms_accepted",
    "currency",
    "total_ht",
    "total_ttc",
    "event_name",
    "source",
    "company_name",
    "amount_paid",
    "balance_due",
    "payment_state",
    "due_date",
    "follow_up_on",
]
UTM = ["utm_source", "utm_medium", "utm_campaign"]
# Shown as the page holds them (the UTM columns too, when shown).
AS_STORED = (
    "number",
    "lines",
    "buyer_first_name",
    "buyer_last_name",
    "buyer_email",
    "currency",
    "event_name",
    "company_name",
    "terms_accepted",
)
# A click on one of these cells opens the order (the grid selects single cells besides rows).
OPENS_THE_ORDER = ("number", "buyer_first_name", "buyer_last_name")

_COLOUR_CSS = {
    "green": "#d3f2dc",
    "orange": "#ffe7c2",
    "gray": "#e8e8e8",
    "red": "#ffd5d5",
    "violet": "#eadcff",
    "blue": "#d6e8ff",
}


# Babel's `format_decimal(value, format="#,##0.00")` parses its pattern on every call: once here.
_AMOUNT = parse_pattern("#,##0.00")


def amount(value, locale: Locale | None = None) -> str:
    """A Decimal amount with two decimals in the locale's style (the currency has its column)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _AMOUNT.apply(value, locale or babel_locale())


def link(page: str, label: str, query_params: dict[str, str], icon: str | None = None) -> None:
    """A link to another page of the navigation that keeps the signed-in session."""
    st.page_link(page, label=label, icon=icon, query_params=query_params)


def column_config(timezone: str) -> dict:
    """Column headers; the two dates name the zone they are shown in."""
    text = st.column_config.TextColumn
    opens = _("Click to open the order")
    return {
        "number": st.column_config.NumberColumn(_("Order"), format="%d", help=opens),
        "lines": st.column_config.NumberColumn(_("Lines"), format="%d"),
        "buyer_first_name": text(_("First name"), help=opens),
        "buyer_last_name": text(_("Last name"), help=opens),
        "buyer_email": text(_("Email")),
        "discount_code": text(_("Discount code")),
        "payment_mode": text(_("Payment mode")),
        "status": st.column_config.MultiselectColumn(
            _("Status"),
            options=[status_label(s) for s in Status],
            color=[_COLOUR_CSS[STATUS_COLOURS.get(s, "gray")] for s in Status],
        ),
        "paid_at": text(_("Payment date ({zone})").format(zone=timezone)),
        "created_at": text(_("Creation date ({zone})").format(zone=timezone)),
        "terms_accepted": st.column_config.CheckboxColumn(_("Terms accepted")),
        "currency": text(_("Currency")),
        "total_ht": text(_("Total excl. tax")),
        "total_ttc": text(_("Total incl. tax")),
        "event_name": text(_("Event")),
        "source": text(_("Source")),
        "company_name": text(_("Company")),
        "amount_paid": text(_("Amount paid")),
        "balance_due": text(_("Balance due")),
        "payment_state": text(_("Payment state")),
        "due_date": text(_("Due date (event's time zone)")),
        "follow_up_on": text(_("Follow-up ({zone})").format(zone=timezone)),
        "utm_source": text(_("UTM source")),
        "utm_medium": text(_("UTM medium")),
        "utm_campaign": text(_("UTM campaign")),
    }


def clicked_order(cells: list[tuple[int, str]], page: pd.DataFrame) -> int | None:
    """The number of the order whose number or buyer name cell was clicked, if any. Cells are
    (row position, column) of the page as shown."""
    for position, column in cells:
        if column in OPENS_THE_ORDER and 0 <= position < len(page):
            return int(page.iloc[position]["number"])
    return None


def display_frame(page: pd.DataFrame, timezone: str, show_utm: bool) -> pd.DataFrame:
    """The page as strings for display (money never goes through float). Built in one go from
    its columns (a column added to a frame one at a time cost more than the formatting)."""
    columns = SHOWN + (UTM if show_utm else [])
    if page.empty:
        return pd.DataFrame(columns=columns)
    locale = babel_locale()
    shown: dict[str, object] = {key: page[key] for key in AS_STORED}
    shown["discount_code"] = page["discount_code"].fillna("")
    shown["payment_mode"] = page["payment_mode"].map(payment_mode_label)
    shown["payment_state"] = page["payment_state"].map(lambda s: _(PAYMENT_STATE_LABELS[PaymentState(s)]))
    shown["status"] = [[status_label(s)] for s in page["status"]]  # one coloured label per cell
    shown["source"] = page["source"].map(source_label)
    for key in ("paid_at", "created_at"):
        shown[key] = [
            format_datetime(v.to_pydatetime() if hasattr(v, "to_pydatetime") else v, timezone) if pd.notna(v) else ""
            for v in page[key]
        ]
    for key in ("total_ht", "total_ttc", "amount_paid", "balance_due"):
        shown[key] = [amount(v, locale) for v in page[key]]
    # A calendar day in the order's event's timezone (the terms' own), not a moment to convert.
    shown["due_date"] = [format_date(v) if v is not None and pd.notna(v) else "" for v in page["due_date"]]
    shown["follow_up_on"] = [format_date(v) if pd.notna(v) else "" for v in page["follow_up_on"]]
    shown.update((key, page[key]) for key in UTM if show_utm)
    return pd.DataFrame({key: shown[key] for key in columns}, index=page.index)
