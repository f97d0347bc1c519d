"""Saving the order wizard (rule 5): one service call that creates the order, or saves the
changes over the modified one, and deletes the wizard's draft (issue 18) in the same transaction;
then the order's page opens with what was done. A modification refused because someone else
changed the order meanwhile (the version check) is kept on the state, for the page to show."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import streamlit as st

from orders_core.errors import ConflictError, OrderError
from orders_core.i18n import _
from orders_core.services.order_changes import modify_order
from orders_core.services.order_creation import create_order
from orders_core.services.wizard_drafts import discard_draft
from ui.data import clear_after_write
from ui.session import current_actor
from ui.text import md
from ui.transactions import run_service
from ui.wizard_drafts import draft_token, forget
from ui.wizard_state import WizardState, reset

DETAIL_PAGE = "pages/order_detail.py"
DETAIL_FLASH = "order_detail.flash"  # a one-time message for the order page, after a save


def save(w: WizardState, current) -> None:
    """One service call: create the order, or save the changes over the modified one; then the
    order's page opens with what was done."""
    received = w.payment.get("received_on")
    payment = {
        "mode": w.payment.get("mode"),
        "method": w.payment.get("method"),
        "reference": w.payment.get("reference", ""),
        "received_at": datetime.combine(date.fromisoformat(received), time(12), tzinfo=UTC)
        if received and date.fromisoformat(received) < date.today()
        else None,
    }
    common = dict(
        quantities={int(k): v for k, v in w.quantities.items()},
        codes=list(w.codes),
        buyer=dict(w.buyer),
        holders=w.holder_list([line.tariff_id for line in current.units]),
        custom_values=dict(w.custom),
        payment=payment,
        send_payment_details=w.send,
        template_id=(w.template_id or None) if w.send else None,
    )

    draft = draft_token()

    def write(session) -> int:
        if w.mode == "modify":
            order = modify_order(
                session,
                actor=current_actor(),
                order_id=w.order_id,
                expected_version=w.version,
                notify_buyer=w.notify,
                **common,
            )
        else:
            order = create_order(session, actor=current_actor(), event_id=w.event_id, **common)
        if draft is not None:  # the draft goes with the order it became (or the changes), in one transaction
            discard_draft(session, actor=current_actor(), token=draft, order_id=w.order_id)
        return order.number

    def refused(error: OrderError) -> None:
        if isinstance(error, ConflictError):  # shown with the order's new state at the next run
            clear_after_write()  # someone else wrote: what was read and cached is stale
            w.conflict = error.message
            st.rerun()
        st.error(md(error.message))

    saved = _("Order {number} saved.") if w.mode == "modify" else _("Order {number} created.")

    def open_order(number: int) -> None:
        reset()
        forget()
        st.session_state[DETAIL_FLASH] = saved.format(number=number)  # shown once by the order's page
        st.query_params.clear()
        st.switch_page(DETAIL_PAGE, query_params={"order": str(number)})

    run_service(write, then=open_order, on_error=refused)
