"""Overview: the signed-in role's to-do list (issue 15), then how many orders are in each status
and what they are worth, per currency."""

import streamlit as st

from orders_core.i18n import _, format_number
from queries.overview import currency_headlines, orders_by_status, todo_list
from ui.charts import drawn, figure_of, grouped_bars
from ui.data import cached_query
from ui.format import money, status_label
from ui.guard import require_router
from ui.session import current_user
from ui.timezone import user_timezone
from ui.todo import render_todo

require_router()

st.title(_("Overview"))
user = current_user() or {}
render_todo(cached_query(todo_list, user.get("role", ""), user_timezone()))

st.header(_("Orders by status"))
figures = cached_query(orders_by_status)

if figures.empty:
    st.info(_("No order yet. Load demo data with `orders demo`, or create an order."))
    st.stop()

st.caption(_("Orders not deleted, by status and currency. Totals are never added across currencies."))

for headline in currency_headlines(figures):
    with st.container(border=True):
        name, revenue, count, pending = st.columns([1, 3, 2, 3])
        name.subheader(headline.currency)
        revenue.metric(_("Revenue (paid, incl. tax)"), money(headline.revenue_ttc, headline.currency))
        count.metric(_("Paid orders"), format_number(headline.paid_orders))
        pending.metric(
            _("Awaiting payment"),
            money(headline.awaiting_ttc, headline.currency),
            help=_("Invoice orders waiting for the money to arrive"),
        )

table = figures.assign(status=figures["status"].map(status_label))
counts = table.pivot_table(index="status", columns="currency", values="orders", aggfunc="sum", fill_value=0)
# Built once per data, language and principal (ui.charts.drawn), not on every visit of the landing page.
chart = drawn(
    grouped_bars,
    table[["status", "currency", "orders"]],
    category="status",
    group="currency",
    value="orders",
    y_title=_("Orders"),
)
st.plotly_chart(figure_of(chart), width="stretch")

st.subheader(_("Orders by status and currency"))
st.dataframe(counts, width="stretch")
display = table.assign(
    total_ht=[money(v, c) for v, c in zip(table["total_ht"], table["currency"])],
    total_ttc=[money(v, c) for v, c in zip(table["total_ttc"], table["currency"])],
)[["currency", "status", "orders", "total_ht", "total_ttc"]]
st.dataframe(
    display,
    hide_index=True,
    width="stretch",
    column_config={
        "currency": _("Currency"),
        "status": _("Status"),
        "orders": _("Orders"),
        "total_ht": _("Total excl. tax"),
        "total_ttc": _("Total incl. tax"),
    },
)
