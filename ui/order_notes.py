"""The Notes tab of the order page (issue 18 item 10: it could not take a note): the order's
dated notes, one per line, and a form to add one for the roles that may (`orders.notes`:
finance, event managers, admins; marketers read)."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _
from orders_core.inputs import NOTE_LIMIT
from orders_core.services.notes import add_note
from ui.session import can, current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

DONE = "order_notes.done"  # success message carried over the rerun


def render_order_notes(order: dict) -> None:
    """The notes, oldest first, then the form to add one (not on a deleted order)."""
    show_notice(DONE)
    lines = [line for line in (order.get("notes") or "").splitlines() if line.strip()]
    if lines:
        st.markdown("\n".join(f"- {md(line)}" for line in lines))
    else:
        st.caption(_("No note."))
    if order.get("deleted_reason"):
        st.caption(_("Deletion reason: {reason}").format(reason=md(order["deleted_reason"])))
    if not can("orders.notes") or order.get("deleted_at") is not None:
        return
    with st.form("order_notes.form", clear_on_submit=True):
        text = st.text_area(
            _("New note"),
            max_chars=NOTE_LIMIT,
            key="order_notes.text",
            placeholder=_("Called the buyer: pays on Friday"),
        )
        added = st.form_submit_button(_("Add the note"), key="order_notes.add")
    if added:
        run_service(
            lambda s: add_note(s, actor=current_actor(), order_id=order["id"], text=text),
            success=_("Note added."),
            notice=DONE,
        )
