"""Invoices (issue 21): every issued invoice and credit note, filtered by number, issue date (days
of the user's time zone), status (paid / unpaid / credited), event and kind, with totals per
currency (never summed across currencies); each linked to its order and its PDF; the PDFs of the
filtered range as a ZIP and the sales journal per VAT rate as CSV for the accountant. The filters
live in the address (`?q=F2026&from=2026-12-01&status=unpaid`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_date, format_number, get_locale, ngettext
from queries.invoices import PAGE_ROWS, STATUSES, InvoiceFilters, invoice_events, invoice_list, invoice_totals
from queries.sales_journal import vat_totals
from ui.data import cached_query
from ui.figures import Figure, figures_row
from ui.format import money, rate
from ui.guard import require_router
from ui.invoice_params import filters_from_params, filters_to_params
from ui.order_invoices import kind_label
from ui.session import current_actor
from ui.timezone import local_time, user_timezone
from web.documents import (
    INVOICES_ZIP,
    MAX_ZIP_DOCUMENTS,
    SALES_JOURNAL_CSV,
    document_url,
    range_url,
    too_many_message,
)
from web.session_routes import base_path

require_router()

STATUS_LABELS = {
    "": _("Any status"),
    "paid": _("Paid"),
    "unpaid": _("Unpaid"),
    "credited": _("Credited"),
    "credit_note": _("Credit note"),
}
KINDS = {"": _("Invoices and credit notes"), "invoice": _("Invoices"), "credit_note": _("Credit notes")}
# HT, VAT and TTC: the three amounts of every table here, with their headers.
MONEY_LABELS = {"total_ht": _("Total excl. tax"), "total_tax": _("VAT"), "total_ttc": _("Total incl. tax")}


def money_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    """HT, VAT and TTC of each row, formatted in the row's currency."""
    return {key: [money(v, c) for v, c in zip(frame[key], frame["currency"], strict=True)] for key in MONEY_LABELS}


st.title(_("Invoices"))
actor = current_actor()
timezone = user_timezone()
asked = filters_from_params(st.query_params.get_all, timezone)

# --- filters -----------------------------------------------------------------------------------
events = dict(cached_query(invoice_events, principal=actor))
first, second, third = st.columns(3)
search = first.text_input(
    _("Document number"),
    value=asked.search,
    placeholder=_("Part of an invoice or credit note number"),
    key="invoices.search",
)
issued_from = second.date_input(
    _("Issued from ({zone})").format(zone=timezone), value=asked.issued_from, key="invoices.from", format="YYYY-MM-DD"
)
issued_to = third.date_input(
    _("Issued until ({zone})").format(zone=timezone), value=asked.issued_to, key="invoices.to", format="YYYY-MM-DD"
)
first, second, third = st.columns(3)
status = first.selectbox(
    _("Status"),
    ["", *STATUSES],
    index=["", *STATUSES].index(asked.status),
    format_func=STATUS_LABELS.get,
    key="invoices.status",
)
event_choices: list[int | None] = [None, *events]
event_id = second.selectbox(
    _("Event"),
    event_choices,
    index=event_choices.index(asked.event_id) if asked.event_id in events else 0,
    format_func=lambda e: _("All events") if e is None else events[e],
    key="invoices.event",
)
kind = third.selectbox(
    _("Kind"), list(KINDS), index=list(KINDS).index(asked.kind), format_func=KINDS.get, key="invoices.kind"
)
filters = InvoiceFilters(
    search=search,
    issued_from=issued_from if not isinstance(issued_from, tuple) else None,
    issued_to=issued_to if not isinstance(issued_to, tuple) else None,
    status=status or "",
    event_id=event_id,
    kind=kind or "",
    timezone=timezone,
).cleaned()
params = filters_to_params(filters)
st.query_params.from_dict(params)  # the address shows what is shown

# --- totals, per currency ------------------------------------------------------------------------
totals = cached_query(invoice_totals, filters, principal=actor)
count = int(totals["documents"].sum()) if not totals.empty else 0
if count == 0:
    st.info(
        _("No invoice or credit note matches these filters.")
        if params
        else _("No invoice has been issued yet: invoices appear here as soon as they are issued.")
    )
    st.stop()

st.caption(
    ngettext("{count} document", "{count} documents", count).format(count=format_number(count))
    + " · "
    + _("credit notes count negative")
)
figures_row(
    Figure(
        _("Total incl. tax in {currency}").format(currency=total.currency),
        money(total.total_ttc, total.currency),
        help=_("Excl. tax {ht} · VAT {tax}").format(
            ht=money(total.total_ht, total.currency), tax=money(total.total_tax, total.currency)
        ),
    )
    for total in totals.itertuples()
)
st.dataframe(
    pd.DataFrame(
        {
            "currency": totals["currency"],
            "documents": totals["documents"],
            **money_columns(totals),
        }
    ),
    hide_index=True,
    key="invoices.totals",
    column_config={
        "currency": _("Currency"),
        "documents": st.column_config.NumberColumn(_("Documents"), format="%d"),
        **MONEY_LABELS,
    },
)

with st.expander(_("VAT per rate")):
    vat = cached_query(vat_totals, filters, principal=actor)
    st.dataframe(
        pd.DataFrame(
            {
                "currency": vat["currency"],
                "tax_rate": [rate(v) for v in vat["tax_rate"]],
                **money_columns(vat),
            }
        ),
        hide_index=True,
        key="invoices.vat",
        column_config={
            "currency": _("Currency"),
            "tax_rate": _("VAT rate"),
            **MONEY_LABELS,
        },
    )
    st.caption(_("Credit notes are netted; each currency apart."))

# --- the documents -------------------------------------------------------------------------------
rows = cached_query(invoice_list, filters, principal=actor)
base = base_path()
shown = pd.DataFrame(
    {
        "number": rows["number"],
        "kind": [kind_label(k) for k in rows["kind"]],
        "status": [STATUS_LABELS[s] for s in rows["status"]],
        "corrects": rows["corrects_number"].fillna(""),
        "order": [f"{base}/order?order={int(n)}" for n in rows["order_number"]],
        "event": rows["event_name"],
        "buyer": rows["buyer"],
        "issued_at": [local_time(v) for v in rows["issued_at"]],
        "due_date": [format_date(v) if v is not None and v == v else "" for v in rows["due_date"]],
        **money_columns(rows),
        "pdf": [document_url(int(i)) for i in rows["id"]],
    }
)
text = st.column_config.TextColumn
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    key="invoices.table",
    column_config={
        "number": text(_("Document number")),
        "kind": text(_("Kind")),
        "status": text(_("Status")),
        "corrects": text(_("Corrects")),
        "order": st.column_config.LinkColumn(_("Order"), display_text=r"order=(\d+)$"),
        "event": text(_("Event")),
        "buyer": text(_("Buyer")),
        "issued_at": text(_("Issued ({zone})").format(zone=timezone)),
        "due_date": text(_("Due date")),
        **{key: text(label) for key, label in MONEY_LABELS.items()},
        "pdf": st.column_config.LinkColumn(_("PDF"), display_text=_("Download")),
    },
)
if count > PAGE_ROWS:
    st.caption(
        _("The newest {shown} of {count} documents are listed; the totals and downloads cover them all.").format(
            shown=format_number(PAGE_ROWS), count=format_number(count)
        )
    )

# --- for the accountant ----------------------------------------------------------------------------
language = get_locale()
left, right = st.columns(2)
if count > MAX_ZIP_DOCUMENTS:
    left.warning(too_many_message(count))
else:
    left.link_button(
        ngettext("PDFs of {count} document (ZIP)", "PDFs of {count} documents (ZIP)", count).format(
            count=format_number(count)
        ),
        range_url(INVOICES_ZIP, params, timezone=timezone, language=language),
        icon=":material/folder_zip:",
    )
    left.caption(_("PDFs not yet rendered are rendered on the way: a large range takes a minute."))
right.link_button(
    _("Sales journal per VAT rate (CSV)"),
    range_url(SALES_JOURNAL_CSV, params, timezone=timezone, language=language),
    icon=":material/table_view:",
)
right.caption(_("One row per document and VAT rate; dates in {zone}; `;` and decimal comma.").format(zone=timezone))
