"""The overview's to-do list (issue 15): for the signed-in role, what waits for it, each item a
count linking to the list that holds exactly those things (the grid already filtered, the bank
reconciliation, the failed emails). Items with nothing waiting are named quietly underneath."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _, format_number, ngettext
from queries.overview import Todo
from ui.grid_state import GridView, view_to_params

ICONS = {
    "overdue": ":material/event_busy:",
    "balance_due": ":material/account_balance_wallet:",
    "refund_due": ":material/currency_exchange:",
    "approvals": ":material/approval:",
    "follow_ups": ":material/notification_important:",
    "statement_lines": ":material/account_balance:",
    "failed_emails": ":material/mail_lock:",
    "seller_settings": ":material/storefront:",
}


def todo_label(key: str, count: int) -> str:
    """The item's line, with its count in bold (Markdown)."""
    n = f"**{format_number(count)}**"
    labels = {
        "overdue": ngettext("{n} invoice overdue", "{n} invoices overdue", count),
        "balance_due": ngettext(
            "{n} paid order owes a balance (added tickets)", "{n} paid orders owe a balance (added tickets)", count
        ),
        "refund_due": ngettext("{n} order overpaid: refund due", "{n} orders overpaid: refund due", count),
        "approvals": ngettext("{n} order waiting for approval", "{n} orders waiting for approval", count),
        "follow_ups": ngettext("{n} follow-up due", "{n} follow-ups due", count),
        "statement_lines": ngettext(
            "{n} bank statement line to reconcile", "{n} bank statement lines to reconcile", count
        ),
        "failed_emails": ngettext("{n} email failed", "{n} emails failed", count),
        "seller_settings": ngettext(
            "Seller settings incomplete ({n} missing): no invoice can be issued",
            "Seller settings incomplete ({n} missing): no invoice can be issued",
            count,
        ),
    }
    return labels[key].format(n=n)


def todo_name(key: str) -> str:
    """The item's short name, for the quiet line of items with nothing waiting."""
    return {
        "overdue": _("overdue invoices"),
        "balance_due": _("balances due"),
        "refund_due": _("refunds due"),
        "approvals": _("approvals"),
        "follow_ups": _("follow-ups"),
        "statement_lines": _("statement lines"),
        "failed_emails": _("failed emails"),
        "seller_settings": _("seller settings"),
    }[key]


def todo_link(item: Todo) -> tuple[str, dict[str, str]]:
    """The page and query parameters that list the item's things."""
    if item.grid is not None:
        return "pages/orders.py", view_to_params(GridView(filters=item.grid))
    return item.page or "pages/home.py", dict(item.params)


def render_todo(items: list[Todo]) -> None:
    """Draw the to-do list: the items with something waiting as links, the others quietly."""
    st.header(_("To do"))
    waiting = [item for item in items if item.count]
    if not waiting:
        st.success(_("Nothing to do."), icon=":material/task_alt:")
    for item in waiting:
        page, params = todo_link(item)
        st.page_link(page, label=todo_label(item.key, item.count), icon=ICONS[item.key], query_params=params)
    if quiet := [todo_name(item.key) for item in items if not item.count]:
        st.caption(_("Nothing waiting: {items}.").format(items=", ".join(quiet)))
