"""The emails of one order, for the order detail page: what was queued and sent, and the
"Resend confirmation" / "Resend tickets" buttons (the sender delivers them later)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.emails.labels import EMAIL_STATUS_LABELS, KIND_LABELS
from orders_core.i18n import _
from orders_core.order_rules import Action
from orders_core.services.emails import resend_confirmation, resend_tickets
from queries.emails import order_emails, order_summary
from ui.data import cached_query
from ui.session import can, current_actor, order_actions
from ui.text import md
from ui.timezone import local_time
from ui.transactions import run_service, show_notice

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


def emails_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Translated labels and times in the user's zone, for st.dataframe (display only)."""
    return frame.assign(
        created_at=[local_time(v) for v in frame["created_at"]],
        sent_at=[local_time(v) for v in frame["sent_at"]],
        status=[email_status_label(v) for v in frame["status"]],
        kind=[email_kind_label(v) for v in frame["kind"]],
        last_error=frame["last_error"].fillna(""),
    )


def _resend(service, order_id: int, message: str) -> None:
    run_service(
        lambda session: service(session, actor=current_actor(), order_id=order_id), success=message, notice=DONE
    )


def render_order_emails(order_id: int, *, number: int | None = None, buyer_email: str | None = None) -> None:
    """Draw the order's emails and the resend buttons (shown to roles that may resend). Given
    the order's number and buyer's email, the facts and the email are the detail page's own
    reads (issue 19: nothing read twice)."""
    if number is not None and buyer_email is not None:
        order: dict | None = {"number": number, "buyer_email": buyer_email}
    else:
        order = cached_query(order_summary, order_id)
    actions = order_actions(number=number) if number is not None else order_actions(order_id=order_id)
    if order is None or actions is None:
        st.info(_("This order does not exist."))
        return
    show_notice(DONE)
    if can("emails.resend") and not actions.facts.deleted:
        left, right, _rest = st.columns([1, 1, 2])
        if left.button(
            _("Resend confirmation"),
            key="order_emails.resend_confirmation",
            icon=":material/mail:",
            disabled=not actions.can(Action.RESEND_CONFIRMATION),
            help=_("Queue the order confirmation again, to {email}.").format(email=md(order["buyer_email"])),
        ):
            _resend(resend_confirmation, order_id, _("Confirmation queued: it leaves with the next send."))
        if right.button(
            _("Resend tickets"),
            key="order_emails.resend_tickets",
            icon=":material/confirmation_number:",
            disabled=not actions.can(Action.RESEND_TICKETS),
            help=actions.why_not.get(Action.RESEND_TICKETS)
            or _("Queue the tickets again, to {email}.").format(email=md(order["buyer_email"])),
        ):
            _resend(resend_tickets, order_id, _("Tickets queued: they leave with the next send."))
    emails = cached_query(order_emails, order_id)
    if emails.empty:
        st.caption(_("No email for this order yet."))
        return
    st.dataframe(
        emails_display(emails).drop(columns=["id"]),
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
