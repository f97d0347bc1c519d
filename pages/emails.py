"""Emails (administrators): the outbox — queued, sent, failed — with filters, the rendered
message, and retry for failed ones. Sending itself is `orders outbox send`, never this page."""

import pandas as pd
import streamlit as st

from orders_core.emails.labels import EMAIL_STATUS_LABELS, KIND_LABELS, may_retry, waits_for_next_attempt
from orders_core.i18n import _, format_number, ngettext
from orders_core.services.emails import retry_emails
from orders_core.status import OutboxStatus
from queries.emails import email_message, outbox, outbox_counts
from ui.data import cached_query
from ui.guard import require_router
from ui.html_preview import isolated_html
from ui.order_emails import email_kind_label, email_status_icon_label, email_status_label
from ui.session import current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import run_service, show_notice

require_router()

TABLE = "emails.table"
DONE = "emails.done"
LIMIT = 500

st.title(_("Emails"))
st.caption(
    _(
        "Every email the app asked for is queued here in the same transaction as the change; "
        "the worker (`orders worker`) delivers them and retries failures on a schedule of days "
        "(after 1 minute, then less and less often, up to every 24 hours, for 5 days), then marks them failed."
    )
)
show_notice(DONE)

counts = cached_query(outbox_counts)
for column, status in zip(st.columns(4), OutboxStatus):
    column.metric(email_status_icon_label(status), format_number(counts[status]))

# Filters; `?order=NUMBER` (the order page's link) prefills the order number.
if "emails.order" not in st.session_state and st.query_params.get("order"):
    st.session_state["emails.order"] = st.query_params["order"]
# `?status=failed` (the overview's "emails that failed") preselects the status.
if "emails.status" not in st.session_state and st.query_params.get("status") in EMAIL_STATUS_LABELS:
    st.session_state["emails.status"] = [st.query_params["status"]]
with st.container(border=True):
    first, second, third = st.columns([2, 2, 1])
    statuses = first.multiselect(
        _("Status"),
        list(EMAIL_STATUS_LABELS),
        format_func=email_status_label,
        key="emails.status",
        placeholder=_("All statuses"),
    )
    kinds = second.multiselect(
        _("Email"), list(KIND_LABELS), format_func=email_kind_label, key="emails.kind", placeholder=_("All emails")
    )
    number_text = third.text_input(_("Order number"), key="emails.order", placeholder="1234567")
    fourth, fifth, sixth = st.columns([2, 1, 1])
    recipient = fourth.text_input(_("Recipient contains"), key="emails.recipient")
    created_from = fifth.date_input(_("Queued from"), value=None, key="emails.from")
    created_to = sixth.date_input(_("Queued until"), value=None, key="emails.to")

order_number = None
if number_text.strip():
    if number_text.strip().isdigit():
        order_number = int(number_text.strip())
        st.query_params["order"] = str(order_number)
    else:
        st.warning(_("An order number is made of digits only."))
elif "order" in st.query_params:
    del st.query_params["order"]

emails = cached_query(
    outbox,
    statuses=tuple(statuses),
    kinds=tuple(kinds),
    order_number=order_number,
    recipient=recipient,
    created_from=created_from,
    created_to=created_to,
    limit=LIMIT,
)
if emails.empty:
    if sum(counts.values()) == 0:
        st.info(
            _("No email yet. Emails appear here when an order asks for one (payment details, confirmation, tickets).")
        )
    else:
        st.info(_("No email matches these filters."))
    st.stop()

st.caption(
    ngettext(
        "{count} email shown, newest first (at most {limit}). Select rows to read or retry them.",
        "{count} emails shown, newest first (at most {limit}). Select rows to read or retry them.",
        len(emails),
    ).format(count=format_number(len(emails)), limit=format_number(LIMIT))
)
display = pd.DataFrame(
    {
        "created_at": [local_time(v) for v in emails["created_at"]],
        "status": [email_status_label(v) for v in emails["status"]],
        "kind": [email_kind_label(v) for v in emails["kind"]],
        "order_number": emails["order_number"].astype("string").fillna(""),
        "recipient": emails["recipient"],
        "subject": emails["subject"],
        "attempts": emails["attempts"],
        "sent_at": [local_time(v) for v in emails["sent_at"]],
        "last_error": emails["last_error"].fillna(""),
    }
)
selection = st.dataframe(
    display,
    hide_index=True,
    width="stretch",
    key=TABLE,
    on_select="rerun",
    selection_mode="multi-row",
    column_config={
        "created_at": _("Queued at"),
        "status": _("Status"),
        "kind": _("Email"),
        "order_number": _("Order"),
        "recipient": _("Recipient"),
        "subject": _("Subject"),
        "attempts": _("Attempts"),
        "sent_at": _("Sent at"),
        "last_error": _("Last error"),
    },
)
# Selections are row positions: turn them into email ids at once (the data may change).
positions = [p for p in selection.selection.rows if p < len(emails)]
selected = emails.iloc[positions]
failed_ids = [int(i) for i, status in zip(selected["id"], selected["status"]) if may_retry(status)]


def retry(ids: list[int]) -> None:
    run_service(
        lambda session: retry_emails(session, actor=current_actor(), email_ids=ids),
        success=lambda count: ngettext(
            "{count} email queued again: it leaves with the next send.",
            "{count} emails queued again: they leave with the next send.",
            count,
        ).format(count=format_number(count)),
        notice=DONE,
        then=lambda _count: st.session_state.pop(TABLE, None),  # the selection is of the old list
    )


if (
    failed_ids
    and len(selected) > 1
    and st.button(
        ngettext("Retry {count} failed email", "Retry {count} failed emails", len(failed_ids)).format(
            count=format_number(len(failed_ids))
        ),
        key="emails.retry",
        type="primary",
        icon=":material/replay:",
    )
):
    retry(failed_ids)

if selected.empty:
    st.caption(_("Select an email to read the message as it was rendered."))
    st.stop()

email = cached_query(email_message, int(selected["id"].iloc[0]))
if email is None:
    st.warning(_("This email does not exist any more."))
    st.stop()
with st.container(border=True):
    st.subheader(md(email["subject"]))
    left, right = st.columns(2)
    left.markdown(
        _("**To:** {recipient}").format(
            recipient=md(f"{email['recipient_name']} <{email['recipient']}>")
            if email["recipient_name"]
            else md(email["recipient"])
        )
    )
    left.markdown(
        _("**Email:** {kind} · **Status:** {status}").format(
            kind=email_kind_label(email["kind"]), status=email_status_label(email["status"])
        )
    )
    if email["order_number"]:
        left.markdown(_("**Order:** {number}").format(number=email["order_number"]))
    right.markdown(_("**Queued at:** {time}").format(time=local_time(email["created_at"])))
    if email["sent_at"]:
        right.markdown(_("**Sent at:** {time}").format(time=local_time(email["sent_at"])))
    elif email["next_attempt_at"] and waits_for_next_attempt(email["status"]):
        right.markdown(_("**Next attempt:** {time}").format(time=local_time(email["next_attempt_at"])))
    right.markdown(_("**Attempts:** {count}").format(count=email["attempts"]))
    if email["message_id"]:
        right.caption(f"Message-ID: {md(email['message_id'])}")
    if email["last_error"]:
        st.error(_("Last error: {error}").format(error=md(email["last_error"])))
    if email["body_html"]:
        text_tab, html_tab = st.tabs([_("Text"), _("HTML")])
        text_tab.code(email["body_text"], language=None, wrap_lines=True)
        with html_tab:
            isolated_html(email["body_html"])
    else:
        st.code(email["body_text"], language=None, wrap_lines=True)
    if may_retry(email["status"]) and len(selected) == 1:
        if st.button(_("Retry this email"), key="emails.retry_one", icon=":material/replay:"):
            retry([int(email["id"])])
