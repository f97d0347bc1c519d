"""An order's due date on its page (issue 15): the day, naming the event's timezone it is counted
in, and how many days overdue it is there (the domain's rule: orders_core.payment_terms)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import streamlit as st

from orders_core.i18n import _, format_date, ngettext
from orders_core.payment_terms import Terms, days_overdue, due_date_for, local_day


def due_date_text(order: dict[str, Any], now: datetime | None = None) -> tuple[str, int]:
    """("Due on … (zone) · overdue by N days", N) for an order with a due date, else ("", 0)."""
    due = order.get("due_date")
    if not isinstance(due, date):
        return "", 0
    zone = order["event_timezone"]
    late = days_overdue(
        due,
        today=local_day(now or datetime.now(UTC), zone),
        payment_state=order["payment_state"],
        status=order["status"],
        deleted=order.get("deleted_at") is not None,
    )
    text = _("Payment due on {date} ({zone})").format(date=format_date(due), zone=zone)
    if late:
        text += " · " + ngettext("overdue by {n} day", "overdue by {n} days", late).format(n=late)
    return text, late


def render_due_date(order: dict[str, Any]) -> None:
    """The due-date line of the order's header: a warning when overdue, a caption otherwise."""
    text, late = due_date_text(order)
    if late:
        st.warning(text, icon=":material/schedule:")
    elif text:
        st.caption(text)


def render_due_date_preview(event: dict[str, Any] | None) -> None:
    """In the wizard: the due date an invoice order of `event` (queries.wizard.wizard_events)
    gets from its terms if saved now; nothing when `event` is None."""
    if event is None:
        return
    due = due_date_for(
        Terms(*event["terms"]),
        ordered_at=datetime.now(UTC),
        event_starts_at=event["starts_at"],
        timezone=event["timezone"],
    )
    st.caption(
        _("Payment due on {date} ({zone}), from the event's payment terms.").format(
            date=format_date(due), zone=event["timezone"]
        )
        if due
        else _("The event has no payment terms: the order gets no due date.")
    )
