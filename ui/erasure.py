"""The Audit page's "Erase a buyer" section (issue 17, `personal.erase`): the administrator types
the buyer's email, reads what would be erased (orders, events, holders, emails) or why it is
refused, then confirms with a reason; the result stays shown after the rerun."""

from __future__ import annotations

import streamlit as st

from orders_core.errors import OrderError
from orders_core.i18n import _, format_list, format_number, ngettext
from orders_core.services.erasure import ErasureResult, erase_buyer
from queries.audit import erasure_preview
from ui.data import cached_query
from ui.session import current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

KEY = "audit.erasure"
EMAIL, REASON, CONFIRM, DONE = f"{KEY}.email", f"{KEY}.reason", f"{KEY}.confirm", f"{KEY}.done"


def _done(result: ErasureResult) -> str:
    return ngettext(
        "Erased: order {numbers} now names {pseudonym}.",
        "Erased: orders {numbers} now name {pseudonym}.",
        len(result.order_numbers),
    ).format(numbers=", ".join(str(n) for n in result.order_numbers), pseudonym=result.pseudonym)


def _forget_form(result: ErasureResult) -> None:
    for key in (EMAIL, REASON, CONFIRM):
        st.session_state.pop(key, None)


def render_erasure() -> None:
    st.subheader(_("Erase a buyer's personal data"))
    st.caption(
        _(
            "On the buyer's request: names, email, phone, company and address of their orders and of "
            "their tickets' holders are replaced by a pseudonym. Amounts, payments, refunds, invoices "
            "and the history stay (legal retention). Refused while one of their orders awaits payment."
        )
    )
    show_notice(DONE)
    email = st.text_input(_("Buyer's email address"), key=EMAIL, max_chars=254).strip()
    if not email:
        return
    try:
        preview = cached_query(erasure_preview, email)
    except OrderError as refusal:
        st.error(refusal.message)
        return
    if not preview.orders:
        st.info(_("No order has this buyer email address."), icon=":material/info:")
        return
    st.markdown(
        "\n".join(
            [
                "- "
                + ngettext("{n} order: {numbers}", "{n} orders: {numbers}", len(preview.orders)).format(
                    n=format_number(len(preview.orders)), numbers=", ".join(str(n) for n in preview.orders)
                ),
                "- " + _("Events: {events}").format(events=md(format_list(list(preview.events)))),
                "- "
                + ngettext("{n} ticket holder", "{n} ticket holders", preview.holders).format(
                    n=format_number(preview.holders)
                ),
                "- "
                + ngettext("{n} attendee", "{n} attendees", preview.attendees).format(
                    n=format_number(preview.attendees)
                ),
                "- " + ngettext("{n} email", "{n} emails", preview.emails).format(n=format_number(preview.emails)),
                "- "
                + ngettext(
                    "{n} history entry (kept, shown with the pseudonym)",
                    "{n} history entries (kept, shown with the pseudonym)",
                    preview.history_entries,
                ).format(n=format_number(preview.history_entries)),
            ]
        )
    )
    if preview.refused:
        st.error(
            ngettext(
                "Refused: order {numbers} still awaits payment. Erase once it is paid or cancelled.",
                "Refused: orders {numbers} still await payment. Erase once they are paid or cancelled.",
                len(preview.owing),
            ).format(numbers=", ".join(str(n) for n in preview.owing))
        )
        return
    reason = st.text_area(_("Reason (e.g. the request's date and channel)"), key=REASON, max_chars=500)
    confirmed = st.checkbox(_("I understand this cannot be undone."), key=CONFIRM)
    if st.button(_("Erase"), key=f"{KEY}.erase", type="primary", disabled=not (confirmed and reason.strip())):
        actor = current_actor()
        run_service(
            lambda session: erase_buyer(session, actor=actor, email=email, reason=reason),
            success=_done,
            notice=DONE,
            then=_forget_form,
        )
