"""New order (and "Modify order" with ?modify=NUMBER): the four-step wizard of rule 5.

Its progress is one `WizardState` (ui/wizard_state.py) under one session-state key; each step is
one function of ui/wizard_steps.py. This page opens the wizard on the right order and draws the
side menu of steps. The progress is also kept on the server as a draft named in the address
(`?draft=`, after `?modify=N` for a modification; ui/wizard_drafts.py), so a reload keeps what was
typed."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _
from queries.order_detail import order_facts
from queries.wizard import order_for_edit
from ui.data import cached_query
from ui.format import payment_mode_label, status_label
from ui.guard import require_router
from ui.params import number_param
from ui.session import order_actions
from ui.text import md
from ui.wizard_drafts import abandon, open_draft, persist, resume, show_stale
from ui.wizard_state import WizardState, reset
from ui.wizard_steps import STEP_TITLES, STEPS

require_router()


def modify_number() -> int | None:
    return number_param("modify", _("“{value}” in the address is not an order number."))


def open_wizard() -> WizardState:
    """The wizard for this address: the order of `?modify=`, else a new order (kept across reruns,
    reopened from its draft after a reload)."""
    wanted = modify_number()
    current = resume(wanted)
    if current is not None:
        return current
    if wanted is None:
        return open_draft(WizardState())
    actions = order_actions(number=wanted)
    loaded = cached_query(order_for_edit, wanted)
    if actions is None or loaded is None:
        st.error(_("Order {number} does not exist or has been deleted.").format(number=wanted))
        st.stop()
    if not actions.editable:
        st.title(_("Modify order {number}").format(number=wanted))
        st.error(
            _("Order {number} is {status}: paid and cancelled orders cannot be modified.").format(
                number=wanted, status=actions.facts.status_label
            )
        )
        st.stop()
    return open_draft(WizardState.for_order(loaded), version=loaded["version"])


def show_conflict(w: WizardState) -> None:
    """The save was refused because someone else changed the order: say how it is now."""
    st.error(md(w.conflict))
    fresh = cached_query(order_facts, number=w.number)
    version = cached_query(order_for_edit, w.number)
    if fresh is None or fresh.deleted or version is None:
        st.warning(_("The order has been deleted meanwhile."))
    else:
        st.info(
            _("Its state now: {status}, {mode}, version {version}.").format(
                status=status_label(fresh.status),
                mode=payment_mode_label(fresh.payment_mode),
                version=version["version"],
            )
        )
    if st.button(_("Reload the order and start again"), key="wizard.reload"):
        number = w.number
        abandon()  # its draft cannot be saved over the newer order
        reset()
        st.query_params["modify"] = str(number)
        st.rerun()


def side_menu(w: WizardState) -> int | None:
    """The steps already validated can be revisited; "Start over" forgets what was typed. Returns
    the step asked for: the page moves there after the shown step copied its widgets back (a value
    typed then the menu clicked at once comes with that click; moving first would lose it)."""
    chosen = None
    for number, label in STEP_TITLES.items():
        if st.button(
            f"{number}. {_(label)}",
            key=f"wizard.goto.{number}",
            disabled=not w.reachable(number),
            type="primary" if number == w.step else "secondary",
            width="stretch",
        ):
            chosen = number
    if st.button(
        _("Start over"), key="wizard.reset", width="stretch", help=_("Forget what was typed; nothing has been saved.")
    ):
        number = w.number
        abandon()  # the draft is deleted: the next run starts a new one
        reset()
        if number is not None:  # a modification starts again from the order as it is now
            st.query_params["modify"] = str(number)
        st.rerun()
    return chosen


wizard = open_wizard()
st.title(_("Modify order {number}").format(number=wizard.number) if wizard.mode == "modify" else _("New order"))
if wizard.conflict:
    show_conflict(wizard)
    st.stop()
show_stale()

menu, body = st.columns([1, 4])
with menu:
    goto = side_menu(wizard)
with body:
    if wizard.step > 1 and not wizard.event_id:
        wizard.step = 1
    st.subheader(f"{wizard.step}. {_(STEP_TITLES[wizard.step])}")
    STEPS[wizard.step](wizard)
persist(wizard)  # after the step copied its widgets back: a reload finds it all
if goto is not None and goto != wizard.step:
    wizard.step = goto
    st.rerun()
