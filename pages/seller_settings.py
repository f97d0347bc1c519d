"""Seller settings (administrators, issue 21): the organiser's legal identity printed on every
invoice and credit note, grouped as the law asks for it; which mandatory settings are missing
(no document is issued until none is); the number the next invoice would take."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from orders_core.documents.seller import FIELD_LABELS
from orders_core.documents.seller_service import save_seller_settings
from orders_core.errors import OrderError
from orders_core.i18n import _, get_locale
from orders_core.models.documents import INVOICE_PAID_ORDERS
from queries.seller import next_document_number, seller_form, seller_history
from ui.data import cached_query, engine
from ui.guard import require_router
from ui.session import current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import run_service, show_notice

require_router()

KEY = "seller.{}"  # one widget per setting
ERRORS = "seller.errors"  # {field: message} of the last refused save ("": the whole save)
DONE = "seller.done"
GROUPS = {
    "identity": (
        _("Identity"),
        ("legal_name", "legal_form", "share_capital", "siren", "siret", "rcs_city", "vat_number"),
    ),
    "address": (_("Address and contact"), ("address", "postcode", "city", "country", "email", "phone")),
    "bank": (_("Bank details"), ("iban", "bic")),
    "terms": (_("Payment terms"), ("payment_terms", "late_penalty_rate", "invoice_paid_orders")),
    "numbering": (_("Numbering"), ("invoice_pattern", "credit_note_pattern")),
}
HELP = {
    "siren": _("9 digits; spaces are removed."),
    "siret": _("14 digits, starting with the SIREN."),
    "vat_number": _("Intra-community VAT number, e.g. FR44732829320."),
    "iban": _("Spaces are removed; the check digits are verified."),
    "late_penalty_rate": _("Percent a year, between 0 and 100 (at least three times the legal interest rate)."),
    "invoice_pattern": _("{YYYY}, {YY} and {MM} for the date, then {counter:05} for a counter of 5 digits."),
}
PAID_ORDERS = {"on_payment": _("When the order is paid"), "on_request": _("When someone asks for it")}

form = cached_query(seller_form, language=get_locale())


def remember_errors(error: OrderError) -> None:
    st.session_state[ERRORS] = getattr(error, "errors", None) or {"": error.message}


def save() -> None:
    """The Save button's callback: runs before the page draws, so its errors and its normalised
    values (compact IBAN, upper-case BIC...) show in the widgets of the same run."""
    st.session_state.pop(ERRORS, None)
    values = {field: st.session_state[KEY.format(field)] for field in FIELD_LABELS}
    saved = run_service(
        lambda session: {
            field: getattr(save_seller_settings(session, actor=current_actor(), values=values), field)
            for field in FIELD_LABELS
        },
        success=_("Seller settings saved."),
        notice=DONE,
        rerun=False,
        on_error=remember_errors,
    )
    if saved is not None:
        for field, value in saved.items():
            st.session_state[KEY.format(field)] = "" if value is None else str(value)


st.title(_("Seller settings"))
st.caption(_("The organiser's legal identity, printed on every invoice and credit note."))
show_notice(DONE)
errors: dict[str, str] = st.session_state.get(ERRORS) or {}
if form.missing:
    st.warning(
        _("No invoice can be issued until these settings are filled in: {fields}.").format(
            fields=", ".join(form.missing)
        ),
        icon=":material/warning:",
    )
else:
    st.success(_("Every mandatory setting is filled in: invoices can be issued."), icon=":material/task_alt:")
if form.updated_at is not None:
    st.caption(_("Last saved by {who} on {when}.").format(who=md(form.updated_by), when=local_time(form.updated_at)))


def field_widget(field: str) -> None:
    """The stored value is the widget's default, not a value seeded into the session: a run
    interrupted before a field is drawn (a click right after typing) leaves the browser with the
    widget's default, which then comes back as the field's value (Streamlit #4247)."""
    key, label, stored = KEY.format(field), _(FIELD_LABELS[field]), form.values[field]
    if field == "payment_terms":
        st.text_area(label, stored, key=key, height=80)
    elif field == "invoice_paid_orders":
        st.radio(
            label,
            INVOICE_PAID_ORDERS,
            index=INVOICE_PAID_ORDERS.index(stored),
            key=key,
            format_func=lambda value: PAID_ORDERS[value],
            horizontal=True,
            help=_("Invoice orders always get theirs when they are created."),
        )
    else:
        st.text_input(label, stored, key=key, help=HELP.get(field))
    if field in errors:
        st.error(md(errors[field]))


for name, (title, fields) in GROUPS.items():
    with st.container(border=True, key=f"seller.group.{name}"):
        st.subheader(title)
        columns = st.columns(2)
        for position, field in enumerate(fields):
            with columns[position % 2]:
                field_widget(field)
        if name == "numbering":
            today = datetime.now(UTC).date()
            for field, text in (
                ("invoice_pattern", _("Next invoice number: {number}")),
                ("credit_note_pattern", _("Next credit-note number: {number}")),
            ):
                preview = next_document_number(engine(), st.session_state[KEY.format(field)], today)
                if preview.number is not None:
                    st.markdown(text.format(number=f"`{preview.number}`"))
                else:
                    st.caption(md(preview.error or ""))

if "" in errors:  # a refusal of the whole save (the role), not of a field
    st.error(md(errors[""]))
elif errors:  # near the button: each field's message stands under the field
    st.error(
        _("The seller settings were not saved: correct {fields}.").format(
            fields=", ".join(_(FIELD_LABELS[field]) for field in errors)
        )
    )
st.button(_("Save"), type="primary", key="seller.save", on_click=save, icon=":material/save:")


def changes(details: dict) -> str:
    """'IBAN: old → new; BIC: old → new' (∅ for an empty value)."""
    return "; ".join(
        f"{_(FIELD_LABELS.get(field, field))}: {value.get('old') or '∅'} → {value.get('new') or '∅'}"
        for field, value in (details or {}).items()
        if isinstance(value, dict)
    )


log = cached_query(seller_history)
with st.expander(_("History of changes ({count})").format(count=len(log))):
    if log.empty:
        st.caption(_("No change recorded yet."))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    _("When"): [local_time(at) for at in log["at"]],
                    _("Who"): log["actor"],
                    _("Changes (old → new)"): [changes(d) for d in log["details"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
