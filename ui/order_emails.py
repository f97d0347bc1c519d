"""The emails of one order, for the order detail page: what was queued and sent, and the
"Resend confirmation" / "Resend tickets" buttons (the sender delivers them later)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.db import unit_of_work
from orders_core.emails.labels import EMAIL_STATUS_LABELS, KIND_LABELS
from orders_core.errors import OrderError
from orders_core.i18n import _, format_datetime
from orders_core.services.emails import NOT_CONFIRMABLE, resend_confirmation, resend_tickets
from queries.emails import order_emails, order_summary
from ui.data import cached_query, clear_after_write, engine
from ui.session import can, current_actor

DONE = "order_emails.done"  # success message carried over the rerun
STATUS_ICONS = {
    "queued": ":material/schedule:",
    "sending": ":material/send:",
    "sent": ":material/check_circle:",
    "failed": ":material/error:",
}


def email_status_label(status: str) -> str:
    return _(EMAIL_STATUS_LABELS.get(status, status))


def email_status_icon_label(status: str) -> str:
    """With its Material icon, for labels that render Markdown (metrics, buttons)."""
    return f"{STATUS_ICONS.get(status, '')} {email_status_label(status)}".strip()


def email_kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def emails_display(frame: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Translated labels and local times, for st.dataframe (display only)."""
    return frame.assign(
        created_at=[format_datetime(v, timezone) for v in frame["created_at"]],
        sent_at=[format_datetime(v, timezone) if pd.notna(v) else "" for v in frame["sent_at"]],
        status=[email_status_label(v) for v in frame["status"]],
        kind=[email_kind_label(v) for v in frame["kind"]],
        last_error=frame["last_error"].fillna(""),
    )


def _resend(service, order_id: int, message: str) -> None:
    try:
        with unit_of_work(engine()) as session:
            service(session, actor=current_actor(), order_id=order_id)
    except OrderError as error:
        st.error(error.message)
        return
    clear_after_write()
    st.session_state[DONE] = message
    st.rerun()


def render_order_emails(order_id: int) -> None:
    """Draw the order's emails and the resend buttons (shown to roles that may resend)."""
    order = cached_query(order_summary, order_id)
    if order is None:
        st.info(_("This order does not exist."))
        return
    if message := st.session_state.pop(DONE, None):
        st.success(message)
    if can("emails.resend") and order["deleted_at"] is None:
        left, right, _rest = st.columns([1, 1, 2])
        if left.button(
            _("Resend confirmation"),
            key="order_emails.resend_confirmation",
            icon=":material/mail:",
            disabled=order["status"] in NOT_CONFIRMABLE,
            help=_("Queue the order confirmation again, to {email}.").format(email=order["buyer_email"]),
        ):
            _resend(resend_confirmation, order_id, _("Confirmation queued: it leaves with the next send."))
        if right.button(
            _("Resend tickets"),
            key="order_emails.resend_tickets",
            icon=":material/confirmation_number:",
            disabled=order["status"] != "paid",
            help=_("Only a paid order has tickets.")
            if order["status"] != "paid"
            else _("Queue the tickets again, to {email}.").format(email=order["buyer_email"]),
        ):
            _resend(resend_tickets, order_id, _("Tickets queued: they leave with the next send."))
    emails = cached_query(order_emails, order_id)
    if emails.empty:
        st.caption(_("No email for this order yet."))
        return
    st.dataframe(
        emails_display(emails, order["timezone"]).drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        key="order_emails.table",
        column_config={
            "created_at": _("Queued at"),
            "kind": _("Email"),
            "status": _("Status"),
            "recipient": _("Recipient"),
            "subject": _("Subject"),
            "attempts": _("Attempts"),
            "sent_at": _("Sent at"),
            "last_error": _("Last error"),
        },
    )
    if can("emails.outbox"):
        st.page_link(
            "pages/emails.py",
            label=_("Open in the Emails page"),
            icon=":material/outgoing_mail:",
            query_params={"order": str(order["number"])},
        )
