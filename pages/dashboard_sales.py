"""Sales dashboard (event managers): revenue per currency today / this week / this period with
the change against the previous period, sales over time by status group, tariffs against
capacity, the conversion funnel, payment modes, discount codes, organiser vs online."""

import plotly.express as px
import streamlit as st

from orders_core.i18n import N_, _, format_money, format_number, ngettext
from orders_core.status import STATUS_GROUP_LABELS, TARIFF_KIND_LABELS
from queries.dashboards import sales
from ui.dashboard_filters import dashboard_filters
from ui.dashboard_widgets import chart, chart_frame, delta, empty_state, formatted, percent
from ui.data import cached_query
from ui.format import payment_mode_label, source_label, status_label
from ui.guard import require_router
from ui.saved_views import render_saved_views

require_router()

PAGE = "dashboard_sales"
PERIOD_LABELS = {"today": N_("Today"), "week": N_("This week"), "period": N_("This period")}
STAGE_LABELS = {"started": N_("Carts started")}
GROUP_LABELS = {**{k: _(v) for k, v in STATUS_GROUP_LABELS.items()}, "other": _("Other")}

st.title(_("Sales dashboard"))
render_saved_views(PAGE)
filters = dashboard_filters(PAGE)
st.caption(
    _(
        "Revenue is the total of paid orders, by the day (UTC) the order was created: what was sold, before "
        "refunds. Received is the money paid on the orders created in the period, net of refunds "
        "(payments minus refunds). Deleted orders are left out. Totals are never added across currencies."
    )
)

funnel = cached_query(sales.funnel, filters)
headline = cached_query(sales.headline, filters)
if headline.empty:
    empty_state(_("No order for these events yet. Widen the filters, or load demo data with `orders demo`."))
    st.stop()

for currency in sorted(headline["currency"].unique()):
    rows = headline[headline["currency"] == currency].set_index("period")
    with st.container(border=True):
        st.subheader(currency)
        columns = st.columns(3)
        for column, period in zip(columns, ("today", "week", "period"), strict=True):
            row = rows.loc[period]
            column.metric(
                _("Revenue incl. tax — {period}").format(period=_(PERIOD_LABELS[period]).lower()),
                format_money(row["revenue_ttc"], currency),
                delta(row["change_revenue_ttc"]),
                help=_("Previous period: {amount}").format(amount=format_money(row["previous_revenue_ttc"], currency)),
            )
            column.caption(
                _("Received, net of refunds: {received}").format(received=format_money(row["received_ttc"], currency))
            )
            column.caption(
                _("{ht} excl. tax · {paid} ({change}) · {orders}").format(
                    ht=format_money(row["revenue_ht"], currency),
                    paid=ngettext("{n} paid order", "{n} paid orders", int(row["paid_orders"])).format(
                        n=format_number(row["paid_orders"])
                    ),
                    change=delta(row["change_paid_orders"]) or "–",
                    orders=ngettext("{n} order", "{n} orders", int(row["orders"])).format(
                        n=format_number(row["orders"])
                    ),
                )
            )

if int(funnel["orders"].iloc[0]) == 0:
    empty_state(_("No order was created in this date range."))
    st.stop()

st.header(_("Sales over time"))
over_time = cached_query(sales.sales_over_time, filters)
shown = formatted(over_time, ("total_ttc",), labels={"status_group": GROUP_LABELS})
for currency in sorted(over_time["currency"].unique()):
    data = over_time[over_time["currency"] == currency]
    plot = chart_frame(data, ("total_ttc",)).assign(status_group=lambda d: d["status_group"].map(GROUP_LABELS))
    figure = px.bar(
        plot,
        x="bucket",
        y="total_ttc",
        color="status_group",
        title=currency,
        labels={"bucket": "", "total_ttc": _("Total incl. tax"), "status_group": _("Status group")},
    )
    chart(
        figure,
        over_time[over_time["currency"] == currency],
        shown[shown["currency"] == currency],
        f"sales_over_time_{currency}",
        column_config={
            "bucket": _("Period"),
            "status_group": _("Status group"),
            "currency": _("Currency"),
            "orders": _("Orders"),
            "total_ttc": _("Total incl. tax"),
        },
    )

left, right = st.columns(2)
with left:
    st.header(_("Conversion funnel"))
    stages = funnel.assign(
        label=[_(STAGE_LABELS[s]) if s in STAGE_LABELS else status_label(s) for s in funnel["stage"]]
    )
    figure = px.funnel(stages, x="orders", y="label", labels={"label": "", "orders": _("Orders")})
    chart(
        figure,
        funnel,
        formatted(stages[["label", "orders", "share"]], percent_columns=("share",)),
        "funnel",
        column_config={"label": _("Stage"), "orders": _("Orders"), "share": _("Share of carts started")},
    )
with right:
    st.header(_("Payment modes"))
    modes = cached_query(sales.payment_modes, filters)
    shown = formatted(
        modes,
        ("revenue_ht", "revenue_ttc"),
        labels={"payment_mode": {m: payment_mode_label(m) for m in modes["payment_mode"].unique()}},
    )
    figure = px.pie(shown, names="payment_mode", values="orders", facet_col="currency")
    chart(
        figure,
        modes,
        shown,
        "payment_modes",
        column_config={
            "payment_mode": _("Payment mode"),
            "currency": _("Currency"),
            "orders": _("Orders"),
            "paid_orders": _("Paid orders"),
            "revenue_ht": _("Revenue excl. tax"),
            "revenue_ttc": _("Revenue incl. tax"),
        },
    )

st.header(_("Tickets and badges sold per tariff"))
st.caption(
    _("All time, against each tariff's capacity: sold = paid orders, reserved = orders awaiting payment or validation.")
)
tariffs = cached_query(sales.tariff_sales, filters)
if tariffs.empty:
    empty_state(_("These events have no badge or ticket tariff."))
else:
    shown = formatted(
        tariffs,
        ("revenue_ttc",),
        ("fill_rate",),
        labels={"kind": {k.value: _(v) for k, v in TARIFF_KIND_LABELS.items()}},
    )
    figure = px.bar(
        tariffs,
        x="tariff",
        y=["sold", "reserved"],
        barmode="stack",
        labels={"tariff": "", "value": _("Units"), "variable": ""},
    )
    figure.for_each_trace(lambda t: t.update(name=_("Sold") if t.name == "sold" else _("Reserved")))
    capped = tariffs[tariffs["capacity"].notna()]
    figure.add_scatter(
        x=capped["tariff"],
        y=capped["capacity"].astype(float),
        mode="markers",
        name=_("Capacity"),
        marker=dict(symbol="line-ew-open", size=24, line=dict(width=3)),
    )
    chart(
        figure,
        tariffs,
        shown[["tariff", "kind", "currency", "capacity", "sold", "reserved", "remaining", "fill_rate", "revenue_ttc"]],
        "tariffs",
        column_config={
            "tariff": _("Tariff"),
            "kind": _("Kind"),
            "currency": _("Currency"),
            "capacity": _("Capacity"),
            "sold": _("Sold"),
            "reserved": _("Reserved"),
            "remaining": _("Remaining"),
            "fill_rate": _("Fill rate"),
            "revenue_ttc": _("Revenue incl. tax"),
        },
    )

left, right = st.columns(2)
with left:
    st.header(_("Discount codes"))
    codes = cached_query(sales.discount_codes, filters)
    if codes.empty:
        empty_state(_("No discount code was used in this range."))
    else:
        shown = formatted(codes, ("revenue_ttc", "given_away"))
        figure = px.bar(
            codes,
            x="discount_code",
            y="orders",
            color="currency",
            labels={"discount_code": "", "orders": _("Orders"), "currency": _("Currency")},
        )
        chart(
            figure,
            codes,
            shown,
            "discount_codes",
            column_config={
                "discount_code": _("Code"),
                "currency": _("Currency"),
                "orders": _("Orders"),
                "paid_orders": _("Paid orders"),
                "revenue_ttc": _("Revenue incl. tax"),
                "given_away": _("Discount given (excl. tax)"),
            },
        )
with right:
    st.header(_("Organiser vs online"))
    origins = cached_query(sales.sources, filters)
    shown = formatted(
        origins,
        ("revenue_ht", "revenue_ttc"),
        labels={"source": {s: source_label(s) for s in origins["source"].unique()}},
    )
    figure = px.bar(
        shown,
        x="currency",
        y="orders",
        color="source",
        barmode="group",
        labels={"currency": "", "orders": _("Orders"), "source": _("Source")},
    )
    chart(
        figure,
        origins,
        shown,
        "sources",
        column_config={
            "source": _("Source"),
            "currency": _("Currency"),
            "orders": _("Orders"),
            "paid_orders": _("Paid orders"),
            "revenue_ht": _("Revenue excl. tax"),
            "revenue_ttc": _("Revenue incl. tax"),
        },
    )
st.caption(_("Conversion: {rate} of carts started were paid.").format(rate=percent(funnel["share"].iloc[-1])))
