"""An event's seat plan, for the events page (issue 18): the plan per section and as a picture,
a block of seats added ("section A, rows 1-10, 20 seats per row") or the unsold seats of a
section removed, by `add_seats` / `remove_seats` (admin, event manager; written to the
catalogue log)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_number, ngettext
from orders_core.services.seat_plans import add_seats, remove_seats
from queries.seats import plan_summary
from ui.data import cached_query
from ui.seat_picker import load_plan, show_plan
from ui.session import can, current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

DONE = "seat_plan.done"
KEY = "events.seats"


def render_seat_plan(event_id: int, event_name: str, seated: bool) -> None:
    """The plan's view and its two forms, for the roles that manage the catalogue."""
    if not can("catalogue.manage"):
        return
    with st.expander(_("Seat plan of this event"), expanded=DONE in st.session_state):
        show_notice(DONE)
        if not seated:
            st.info(_("Tick “Reserved seating” above to give this event a seat plan."))
            return
        summary = cached_query(plan_summary, event_id)
        if summary.empty:
            st.info(_("No seat yet: add the first block of seats below."))
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        _("Section"): summary["section"],
                        _("Rows"): summary["rows"].map(format_number),
                        _("Seats"): summary["seats"].map(format_number),
                        _("Sold"): summary["sold"].map(format_number),
                    }
                ),
                hide_index=True,
            )
            show_plan(load_plan(event_id), key=f"{KEY}.plan")
        _add_form(event_id, event_name)
        if not summary.empty:
            _remove_form(event_id, event_name, summary["section"].tolist())


def _add_form(event_id: int, event_name: str) -> None:
    with st.form(f"{KEY}.add.{event_id}"):
        st.markdown(_("**Add seats**"))
        left, middle, right, last = st.columns(4)
        section = left.text_input(_("Section"), key=f"{KEY}.section", max_chars=20, placeholder="A")
        rows = middle.text_input(
            _("Rows"),
            key=f"{KEY}.rows",
            placeholder="1-10",
            help=_("A range (1-10, A-H) or names separated by commas."),
        )
        per_row = right.number_input(_("Seats per row"), min_value=1, max_value=500, value=20, key=f"{KEY}.per_row")
        first = last.number_input(_("First seat number"), min_value=1, max_value=9999, value=1, key=f"{KEY}.first")
        reason = st.text_input(_("Reason for the change (optional)"), key=f"{KEY}.reason")
        if st.form_submit_button(_("Add the seats"), type="primary"):
            run_service(
                lambda s: add_seats(
                    s,
                    actor=current_actor(),
                    event_id=event_id,
                    section=section,
                    rows=rows,
                    seats_per_row=per_row,
                    first_number=first,
                    reason=reason or None,
                ),
                success=lambda count: ngettext(
                    "{count} seat added to {event}.", "{count} seats added to {event}.", count
                ).format(count=format_number(count), event=md(event_name)),
                notice=DONE,
            )


def _remove_form(event_id: int, event_name: str, sections: list[str]) -> None:
    with st.form(f"{KEY}.remove.{event_id}"):
        st.markdown(_("**Remove seats**"))
        st.caption(_("Only unsold seats can be removed: a sold seat stays in the plan."))
        left, right = st.columns(2)
        section = left.selectbox(_("Section"), sections, key=f"{KEY}.remove_section")
        rows = right.text_input(_("Rows (empty: the whole section)"), key=f"{KEY}.remove_rows", placeholder="9-10")
        if st.form_submit_button(_("Remove these seats")):
            run_service(
                lambda s: remove_seats(s, actor=current_actor(), event_id=event_id, section=section, rows=rows or None),
                success=lambda count: ngettext(
                    "{count} seat removed from {event}.", "{count} seats removed from {event}.", count
                ).format(count=format_number(count), event=md(event_name)),
                notice=DONE,
            )
