"""The reminders of one order, for the order page (issue 15): the due date, the ladder's steps
already sent and the next one, the pause and its note; and finance's actions: send the next
reminder now (after a confirmation naming the step and the recipient), pause reminders until a
date with a note, resume. The services refuse what the order's state does not allow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import streamlit as st

from orders_core.i18n import _, format_date, ngettext
from orders_core.reminders import MAX_PAUSE_NOTE, local_now, step_label
from orders_core.services.reminders import pause_reminders, resume_reminders, send_next_reminder
from queries.reminders import OrderReminders, order_reminders
from ui.data import cached_query
from ui.order_emails import email_status_label
from ui.session import can, current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import run_service, show_notice

DONE = "order_reminders.done"
CONFIRM = "order_reminders.confirm"  # the order id whose "send the next reminder" awaits confirmation


def _offset(days: int) -> str:
    if days < 0:
        return ngettext("{days} day before the due date", "{days} days before the due date", -days).format(days=-days)
    if days == 0:
        return _("on the due date")
    return ngettext("{days} day after the due date", "{days} days after the due date", days).format(days=days)


def _status_line(info: OrderReminders) -> str:
    if not info.owed:
        return _("Reminders stopped: the order owes nothing, or is cancelled or deleted.")
    if info.next_step is None:
        return _("Every step of the ladder was sent.")
    return _("Next step: {step} ({offset}).").format(
        step=step_label(info.next_step), offset=_offset(info.ladder.offset(info.next_step))
    )


def render_order_reminders(order_id: int, buyer_email: str) -> None:
    """Draw the order's reminders (only for an order with a due date) and finance's actions."""
    info = cached_query(order_reminders, order_id)
    if info is None or info.due_date is None:
        return
    with st.container(border=True):
        show_notice(DONE)
        st.markdown(
            "**"
            + _("Reminders")
            + "** · "
            + _("due on {date} ({zone})").format(date=format_date(info.due_date), zone=info.timezone)
            + " · "
            + _status_line(info)
        )
        if info.paused and info.paused_until is not None:
            st.warning(
                _("Reminders paused until {date} ({zone}, included): {note}").format(
                    date=format_date(info.paused_until), zone=info.timezone, note=md(info.pause_note)
                )
            )
        for sent in info.sent:
            st.caption(
                _("{step} sent on {when} by {actor} · email {status}").format(
                    step=step_label(sent["step"]),
                    when=local_time(sent["sent_at"]),
                    actor=md(sent["actor"]),
                    status=email_status_label(sent["email_status"]) if sent["email_status"] else "—",
                )
            )
        if can("orders.reminders") and info.owed:
            _actions(info, buyer_email)


def _actions(info: OrderReminders, buyer_email: str) -> None:
    key = f"order_reminders.{info.order_id}"
    if st.session_state.get(CONFIRM) == info.order_id and info.next_step is not None:
        st.info(
            _("Send “{step}” to {email} now? The email leaves with the next send.").format(
                step=step_label(info.next_step), email=md(buyer_email)
            )
        )
        yes, no, _rest = st.columns([1, 1, 3])
        if yes.button(_("Send it"), key=f"{key}.confirm", type="primary"):
            st.session_state.pop(CONFIRM, None)
            run_service(
                lambda s: send_next_reminder(s, actor=current_actor(), order_id=info.order_id),
                success=lambda r: _("“{step}” queued for {email}.").format(
                    step=step_label(r.step), email=md(buyer_email)
                ),
                notice=DONE,
            )
        if no.button(_("Cancel"), key=f"{key}.cancel"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()
        return
    send, pause, _rest = st.columns([1, 1, 2])
    if send.button(
        _("Send the next reminder now"),
        key=f"{key}.send",
        icon=":material/notifications:",
        disabled=info.next_step is None,
    ):
        st.session_state[CONFIRM] = info.order_id
        st.rerun()
    if info.paused:
        if pause.button(_("Resume reminders"), key=f"{key}.resume", icon=":material/play_arrow:"):
            run_service(
                lambda s: resume_reminders(s, actor=current_actor(), order_id=info.order_id),
                success=_("Reminders resumed."),
                notice=DONE,
            )
        return
    with pause.popover(_("Pause reminders"), icon=":material/pause:"):
        today = local_now(datetime.now(UTC), info.timezone).date()
        until = st.date_input(
            _("No reminder up to and including"),
            value=today + timedelta(days=7),
            min_value=today,
            max_value=today + timedelta(days=366),
            key=f"{key}.until",
        )
        note = st.text_input(
            _("Note (required)"),
            key=f"{key}.note",
            max_chars=MAX_PAUSE_NOTE,
            placeholder=_("promised to pay on the 15th"),
        )
        if st.button(_("Pause"), key=f"{key}.pause", type="primary"):
            chosen = until if isinstance(until, date) else None
            run_service(
                lambda s: pause_reminders(s, actor=current_actor(), order_id=info.order_id, until=chosen, note=note),
                success=_("Reminders paused until {date}.").format(date=format_date(chosen)),
                notice=DONE,
            )
