"""The Invoices tab of the order page (issue 21): the order's invoices and credit notes, each with
a link to its PDF (the audited `/documents/<id>.pdf` route the Invoices page links to as well: it
renders a missing PDF on the way, and a link starts no script run, so the download cannot race
one), and for finance and admins
"Issue invoice" when none stands and "Issue credit note" (whole, or some units per line) after a
summary to confirm. The services check the principal again; a refusal (seller settings
incomplete, nothing left to credit) is shown as their translated message."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from orders_core.documents.issue import issue_credit_note, issue_invoice, remaining_lines, standing_invoice
from orders_core.i18n import N_, _, format_date, format_number
from orders_core.inputs import NOTE_LIMIT
from queries.invoices import order_documents
from ui.data import cached_query
from ui.format import money
from ui.session import can, current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import read, run_service, show_notice
from web.documents import document_url

DONE = "order_invoices.done"
CONFIRM = "order_invoices.confirm"  # {"invoice_id", "quantities" (None: whole), "reason"} under review


KIND_LABELS = {"invoice": N_("Invoice"), "credit_note": N_("Credit note")}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def _document_row(doc: Any) -> None:
    """One document: what it is, its amounts, and its PDF."""
    with st.container(border=True):
        text, button = st.columns([4, 1], vertical_alignment="center")
        title = f"**{kind_label(doc.kind)} {md(doc.number)}**"
        if doc.kind == "credit_note" and isinstance(doc.corrects_number, str):
            title += " · " + _("corrects {number}").format(number=md(doc.corrects_number))
        dates = [_("Issued {date}").format(date=local_time(doc.issued_at))]
        if doc.due_date is not None and doc.due_date == doc.due_date:
            dates.append(_("due {date}").format(date=format_date(doc.due_date)))
        amounts = _("Excl. tax {ht} · VAT {tax} · Incl. tax {ttc}").format(
            ht=money(doc.total_ht, doc.currency),
            tax=money(doc.total_tax, doc.currency),
            ttc=money(doc.total_ttc, doc.currency),
        )
        text.markdown(f"{title}  \n{' · '.join(dates)}  \n{amounts}")
        if doc.kind == "credit_note" and doc.reason:
            text.caption(_("Reason: {reason}").format(reason=md(doc.reason)))
        button.link_button(_("Download PDF"), document_url(int(doc.id)), icon=":material/download:")


def _issue_invoice(order_id: int) -> None:
    if st.button(_("Issue invoice"), key="order_invoices.issue", icon=":material/receipt:", type="primary"):
        run_service(
            lambda session: issue_invoice(session, actor=current_actor(), order_id=order_id),
            success=lambda invoice: _("Invoice {number} issued.").format(number=invoice.number),
            notice=DONE,
        )


def _standing(order_id: int) -> tuple[int | None, list[dict[str, Any]]]:
    """The order's standing invoice (None: none stands) and each of its lines with the units and
    amount it still bills (plain values), in one read (issue 19)."""

    def standing(session) -> tuple[int | None, list[dict[str, Any]]]:
        invoice = standing_invoice(session, order_id)
        if invoice is None:
            return None, []
        return invoice.id, [
            {"id": r.line.id, "description": r.line.description, "units": r.quantity, "total_ttc": r.total_ttc}
            for r in remaining_lines(session, invoice)
        ]

    return read(standing) or (None, [])


def _credit_note_form(invoice_id: int, number: str, lines: list[dict[str, Any]]) -> None:
    """The choice of what to credit; "Review" keeps it under CONFIRM for the summary."""
    st.markdown("##### " + _("Issue credit note for {number}").format(number=md(number)))
    whole = _("The whole invoice")
    scope = st.radio(
        _("What to credit"),
        [whole, _("Some units")],
        horizontal=True,
        key="order_invoices.scope",
    )
    quantities: dict[int, int] | None = None
    if scope != whole:
        quantities = {}
        for line in lines:
            quantities[line["id"]] = int(
                st.number_input(
                    _("“{line}”: units to credit (at most {units})").format(
                        line=md(line["description"]), units=format_number(max(line["units"], 0))
                    ),
                    min_value=0,
                    max_value=max(line["units"], 0),
                    step=1,
                    key=f"order_invoices.units.{line['id']}",
                )
            )
    reason = st.text_input(_("Reason (printed on the credit note)"), max_chars=NOTE_LIMIT, key="order_invoices.reason")
    if st.button(_("Review the credit note"), key="order_invoices.review"):
        st.session_state[CONFIRM] = {"invoice_id": invoice_id, "quantities": quantities, "reason": reason}
        st.rerun()


def _confirmation(invoice_id: int, number: str, currency: str, lines: list[dict[str, Any]]) -> None:
    """The summary of the credit note under review, then Issue or Back."""
    asked = st.session_state[CONFIRM]
    quantities = asked["quantities"]
    with st.container(border=True):
        st.markdown("##### " + _("Confirm the credit note for {number}").format(number=md(number)))
        if quantities is None:
            left = [line for line in lines if line["units"] or line["total_ttc"]]
            st.markdown(
                "\n".join(
                    "- "
                    + _("“{line}”: {units} units, {amount}").format(
                        line=md(line["description"]),
                        units=format_number(line["units"]),
                        amount=money(line["total_ttc"], currency),
                    )
                    for line in left
                )
            )
            st.caption(_("Everything the invoice still bills is credited."))
        else:
            chosen = [line for line in lines if quantities.get(line["id"], 0)]
            st.markdown(
                "\n".join(
                    "- "
                    + _("“{line}”: {units} of {left} units").format(
                        line=md(line["description"]),
                        units=format_number(quantities[line["id"]]),
                        left=format_number(line["units"]),
                    )
                    for line in chosen
                )
                or _("No unit chosen.")
            )
            st.caption(_("Amounts are credited in proportion to the units, to the cent."))
        st.markdown(_("**Reason:** {reason}").format(reason=md(asked["reason"]) or "—"))
        issue, back = st.columns(2)
        if issue.button(_("Issue the credit note"), key="order_invoices.confirm_issue", type="primary"):
            result = run_service(
                lambda session: issue_credit_note(
                    session,
                    actor=current_actor(),
                    invoice_id=invoice_id,
                    reason=asked["reason"],
                    quantities=quantities,
                ),
                success=lambda note: _("Credit note {number} issued.").format(number=note.number),
                notice=DONE,
                then=lambda _note: st.session_state.pop(CONFIRM, None),
            )
            if result is None:  # refused: back to the choice, the message stays on screen
                st.session_state.pop(CONFIRM, None)
        if back.button(_("Back"), key="order_invoices.back"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()


def render_order_invoices(order: dict) -> None:
    """The tab's content for this order (a dict of queries.order_detail)."""
    if not can("invoices.view"):
        st.info(_("Invoices are shown to finance, event managers and administrators."))
        return
    show_notice(DONE)
    documents: pd.DataFrame = cached_query(order_documents, int(order["id"]), principal=current_actor())
    if documents.empty:
        st.info(_("No invoice or credit note for this order yet."))
    for doc in documents.itertuples():
        _document_row(doc)
    if not can("invoices.issue"):
        if documents.empty:
            st.caption(_("Finance issues invoices."))
        return
    standing, lines = _standing(int(order["id"]))
    if standing is None:
        st.session_state.pop(CONFIRM, None)
        if order.get("deleted_at") is None:  # a deleted order bills nothing: no new invoice
            _issue_invoice(int(order["id"]))
        return
    number = str(documents.loc[documents["id"] == standing, "number"].iloc[0])
    if (st.session_state.get(CONFIRM) or {}).get("invoice_id") == standing:
        _confirmation(standing, number, order["currency"], lines)
    else:
        with st.expander(_("Issue credit note"), icon=":material/undo:"):
            _credit_note_form(standing, number, lines)
