"""The follow-up of one order, on the order detail page (issue 15): the date and note the team
left ("call back on the 15th"), and a small form to set, move or clear it for the roles that may
(`orders.notes`: finance, event managers, admins; marketers read)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from orders_core.i18n import _, format_date
from orders_core.inputs import FOLLOW_UP_NOTE_LIMIT
from orders_core.services.follow_ups import clear_follow_up, set_follow_up
from ui.session import can, current_actor
from ui.text import md
from ui.timezone import user_timezone
from ui.transactions import run_service, show_notice

DONE = "order_follow_up.done"  # success message carried over the rerun


def render_follow_up(order: dict) -> None:
    """Show the order's follow-up (a warning once due) and, to the roles that may, the form."""
    show_notice(DONE)
    day, note = order.get("follow_up_on"), order.get("follow_up_note") or ""
    zone = user_timezone()
    today = datetime.now(ZoneInfo(zone)).date()
    if day is not None:  # a day of the user's zone (the grid's "follow-up due" filter counts the same)
        text = _("Follow-up on {date} ({zone})").format(date=format_date(day), zone=zone) + (
            f": {md(note)}" if note else ""
        )
        if day <= today:
            st.warning(text, icon=":material/notification_important:")
        else:
            st.info(text, icon=":material/event:")
    if not can("orders.notes") or order.get("deleted_at") is not None:
        return
    with st.expander(_("Plan a follow-up") if day is None else _("Change the follow-up")):
        with st.form("order_follow_up.form", border=False):
            on = st.date_input(
                _("Follow up on"), value=day or today + timedelta(days=7), key="order_follow_up.on", format="YYYY-MM-DD"
            )
            written = st.text_area(
                _("Note for the team"),
                value=note,
                max_chars=FOLLOW_UP_NOTE_LIMIT,
                key="order_follow_up.note",
                placeholder=_("Promised to pay on the 15th"),
            )
            saved = st.form_submit_button(_("Save the follow-up"), key="order_follow_up.save")
        if saved:
            run_service(
                lambda s: set_follow_up(s, actor=current_actor(), order_id=order["id"], on=on, note=written),
                success=_("Follow-up saved."),
                notice=DONE,
            )
        if day is not None and st.button(_("Clear the follow-up"), key="order_follow_up.clear"):
            run_service(
                lambda s: clear_follow_up(s, actor=current_actor(), order_id=order["id"]),
                success=_("Follow-up cleared."),
                notice=DONE,
            )
