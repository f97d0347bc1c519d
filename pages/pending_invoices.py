"""Pending invoice orders: finance's daily list of orders waiting for their money (invoice orders
awaiting payment, and orders owing a balance after added tickets or a part payment), oldest
first, with their age and balance, ready to validate once the payment is in."""

import streamlit as st

from orders_core.i18n import _, format_date, format_number, ngettext
from orders_core.payment_state import PAYMENT_STATE_LABELS
from orders_core.status import STATUS_LABELS
from queries import pending
from queries.pending import pending_events, pending_invoice_orders, pending_totals
from ui.data import cached_query
from ui.figures import Figure, figures_row
from ui.format import money
from ui.guard import require_router
from ui.order_actions import render_bulk_actions
from ui.timezone import local_time

require_router()

SELECTED_KEY = "pending.selected_ids"

st.title(_("Pending invoice orders"))
st.caption(
    _(
        "Invoice orders awaiting payment, and orders that owe a balance (a paid order with added tickets, "
        "a part payment), oldest first. Select the invoice orders whose money has arrived, then More actions → "
        "Validate orders; for a balance due, open the order and record the payment."
    )
)

events = cached_query(pending_events)
event_names = dict(events)
choices = [None, *event_names]
asked = st.query_params.get("event", "")
event_id = st.selectbox(
    _("Event"),
    choices,
    index=choices.index(int(asked)) if asked.isdigit() and int(asked) in event_names else 0,
    key="pending.event",
    format_func=lambda e: _("All events") if e is None else event_names[e],
)
if event_id is None:  # the address shows what is shown
    st.query_params.pop("event", None)
else:
    st.query_params["event"] = str(event_id)
totals = cached_query(pending_totals, event_id)
orders = cached_query(pending_invoice_orders, event_id, limit=pending.LISTED)

if orders.empty:
    st.info(_("No invoice order is waiting for payment."))
    st.session_state[SELECTED_KEY] = []
    render_bulk_actions([])  # keeps the result of a validation on screen until it is closed
    st.stop()

figures_row(
    Figure(
        ngettext("{currency}: {count} order", "{currency}: {count} orders", total.orders).format(
            currency=total.currency, count=format_number(total.orders)
        ),
        money(total.balance_due, total.currency),
        help=_("Balance still due, in this currency"),
    )
    for total in totals.itertuples()
)

waiting = int(totals["orders"].sum())
if waiting > len(orders):
    st.caption(
        _("The {listed} oldest of {waiting} orders are listed: choose an event to narrow the list.").format(
            listed=format_number(len(orders)), waiting=format_number(waiting)
        )
    )

display = orders.assign(
    total_ttc=[money(v, c) for v, c in zip(orders["total_ttc"], orders["currency"])],
    balance_due=[money(v, c) for v, c in zip(orders["balance_due"], orders["currency"])],
    created_at=[local_time(v) for v in orders["created_at"]],
    status=[_(STATUS_LABELS[v]) for v in orders["status"]],
    payment_state=[_(PAYMENT_STATE_LABELS[v]) for v in orders["payment_state"]],
    due_date=[format_date(v) if v is not None and v == v else "" for v in orders["due_date"]],
)[
    [
        "number",
        "event_name",
        "buyer",
        "company_name",
        "buyer_email",
        "status",
        "payment_state",
        "total_ttc",
        "balance_due",
        "created_at",
        "age_days",
        "due_date",
    ]
]
selection = st.dataframe(
    display,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="multi-row",
    key="pending.table",
    column_config={
        "number": st.column_config.NumberColumn(_("Order"), format="%d"),
        "event_name": _("Event"),
        "buyer": _("Buyer"),
        "company_name": _("Company"),
        "buyer_email": _("Email"),
        "status": _("Status"),
        "payment_state": _("Payment"),
        "total_ttc": _("Total incl. tax"),
        "balance_due": _("Balance due"),
        "created_at": _("Created"),
        "age_days": st.column_config.NumberColumn(_("Age (days)"), format="%d"),
        "due_date": _("Due date (event's time zone)"),
    },
)
positions = selection.selection.rows if selection else []
# Positions mean nothing once the list changes: turn them into order ids at once.
st.session_state[SELECTED_KEY] = [int(orders.iloc[p]["id"]) for p in positions if p < len(orders)]
selected = st.session_state[SELECTED_KEY]
st.caption(
    ngettext("{count} order selected", "{count} orders selected", len(selected)).format(
        count=format_number(len(selected))
    )
    if selected
    else _("Select rows to validate them.")
)
render_bulk_actions(selected)
