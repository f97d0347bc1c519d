"""An event's reminder ladder, for the events page (issue 15): each step on or off and its offset
in days from an order's due date; saved by `set_reminder_ladder` (admin, event manager), which
refuses an inconsistent ladder with the reason."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _
from orders_core.reminders import MAX_OFFSET, MIN_OFFSET, STEPS, step_label
from orders_core.services.reminders import set_reminder_ladder
from queries.reminders import reminder_ladder
from ui.data import cached_query
from ui.session import can, current_actor
from ui.transactions import run_service, show_notice

DONE = "reminder_ladder.done"


def render_reminder_ladder(event_id: int, event_name: str) -> None:
    """The ladder's form for one event (shown to the roles that manage the catalogue)."""
    if not can("catalogue.manage"):
        return
    ladder = cached_query(reminder_ladder, event_id)
    with st.expander(_("Payment reminders of this event")):
        show_notice(DONE)
        st.caption(
            _(
                "Each step is emailed once to the buyer of an unpaid invoice order, between 09:00 and "
                "19:00 in the event's time zone; negative offsets are days before the due date. When "
                "several steps are due at once, only the latest is sent. The texts are the "
                "“Payment reminder” email templates (variable reminder.step)."
            )
        )
        with st.form(f"reminder_ladder.{event_id}"):
            values: dict[str, tuple[bool, object]] = {}
            for step in STEPS:
                left, right = st.columns([2, 1])
                enabled = left.checkbox(
                    step_label(step),
                    value=next(s.enabled for s in ladder.steps if s.step == step),
                    key=f"reminder_ladder.{event_id}.{step}.on",
                )
                offset = right.number_input(
                    _("Days from the due date"),
                    min_value=MIN_OFFSET,
                    max_value=MAX_OFFSET,
                    value=ladder.offset(step),
                    step=1,
                    key=f"reminder_ladder.{event_id}.{step}.offset",
                )
                values[step] = (enabled, offset)
            if st.form_submit_button(_("Save the reminder ladder")):
                run_service(
                    lambda s: set_reminder_ladder(s, actor=current_actor(), event_id=event_id, steps=values),
                    success=_("Reminder ladder of {name} saved.").format(name=event_name),
                    notice=DONE,
                )
