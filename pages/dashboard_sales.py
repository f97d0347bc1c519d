"""Sales dashboard (event managers): revenue per currency today / this week / this period with
the change against the previous period, sales over time by status group, tariffs against
capacity, orders by status, payment modes, discount codes, organiser vs online."""

import streamlit as st

from orders_core.i18n import N_, _, format_money, format_number, ngettext
from orders_core.status import STATUS_GROUP_LABELS, TARIFF_KIND_LABELS
from queries.dashboards import sales
from ui.charts import (
    drawn,
    group_label,
    grouped_horizontal_bars,
    period_label,
    status_breakdown,
    status_group_over_time,
    units_against_capacity,
)
from ui.dashboard_filters import dashboard_filters
from ui.dashboard_widgets import chart, chart_frame, delta, empty_state, formatted, percent
from ui.data import cached_query
from ui.format import payment_mode_label, source_label, status_label
from ui.fragments import page_fragment
from ui.guard import require_router
from ui.saved_views import render_saved_views

require_router()

PAGE = "dashboard_sales"
PERIOD_LABELS = {"today": N_("Today"), "week": N_("This week"), "period": N_("This period")}
GROUP_LABELS = {group: group_label(group) for group in (*STATUS_GROUP_LABELS, "other")}

st.title(_("Sales dashboard"))
render_saved_views(PAGE)


@page_fragment
def dashboard() -> None:
    """The filters and everything they change: a filter change reruns only this (issue 19)."""
    filters = dashboard_filters(PAGE)
    st.caption(
        _(
            "Revenue is the total of paid orders, by the day (UTC) the order was created: what was sold, before "
            "refunds. Received is the money paid on the orders created in the period, net of refunds "
            "(payments minus refunds). Deleted orders are left out. Totals are never added across currencies."
        )
    )

    by_status = cached_query(sales.orders_by_status, filters)
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
                    help=_("Previous period: {amount}").format(
                        amount=format_money(row["previous_revenue_ttc"], currency)
                    ),
                )
                column.caption(
                    _("Received, net of refunds: {received}").format(
                        received=format_money(row["received_ttc"], currency)
                    )
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

    if int(by_status["orders"].sum()) == 0:
        empty_state(_("No order was created in this date range."))
        st.stop()

    st.header(_("Sales over time"))
    over_time = cached_query(sales.sales_over_time, filters)
    shown = formatted(over_time, ("total_ttc",), labels={"status_group": GROUP_LABELS})
    for currency in sorted(over_time["currency"].unique()):
        data = over_time[over_time["currency"] == currency]
        figure = drawn(
            status_group_over_time,
            chart_frame(data, ("total_ttc",)),
            granularity=filters.granularity,
            y_title=_("Total incl. tax"),
            title=currency,
        )
        chart(
            figure,
            data,
            shown[shown["currency"] == currency].assign(
                bucket=[period_label(b, filters.granularity) for b in data["bucket"]]
            ),
            f"sales_over_time_{currency}",
            column_config={
                "bucket": _("Period (UTC)"),
                "status_group": _("Status group"),
                "currency": _("Currency"),
                "orders": _("Orders"),
                "total_ttc": _("Total incl. tax"),
            },
        )

    left, right = st.columns(2)
    with left:
        st.header(_("Orders by status"))
        st.caption(_("Where the orders created in the range stand now (no cart tracking: this is not a funnel)."))
        shown_status = formatted(
            by_status.assign(status=[status_label(s) for s in by_status["status"]]), percent_columns=("share",)
        )
        chart(
            drawn(status_breakdown, by_status, x_title=_("Orders"), percent=percent),
            by_status,
            shown_status,
            "orders_by_status",
            column_config={"status": _("Status"), "orders": _("Orders"), "share": _("Share of the orders")},
        )
    with right:
        st.header(_("Payment modes"))
        modes = cached_query(sales.payment_modes, filters)
        mode_names = {m: payment_mode_label(m) for m in modes["payment_mode"].unique()}
        shown = formatted(modes, ("revenue_ht", "revenue_ttc"), labels={"payment_mode": mode_names})
        chart(
            drawn(
                grouped_horizontal_bars,
                modes,
                category="payment_mode",
                group="currency",
                value="orders",
                names=mode_names,
                x_title=_("Orders"),
            ),
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
        _(
            "All time, against each tariff's capacity: sold = paid orders, reserved = orders awaiting payment or validation."
        )
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
        figure = drawn(
            units_against_capacity,
            tariffs,
            names={"sold": _("Sold"), "reserved": _("Reserved"), "capacity": _("Capacity")},
            y_title=_("Units"),
        )
        chart(
            figure,
            tariffs,
            shown[
                ["tariff", "kind", "currency", "capacity", "sold", "reserved", "remaining", "fill_rate", "revenue_ttc"]
            ],
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
            figure = drawn(
                grouped_horizontal_bars,
                codes,
                category="discount_code",
                group="currency",
                value="orders",
                names={},
                x_title=_("Orders"),
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
        source_names = {s: source_label(s) for s in origins["source"].unique()}
        shown = formatted(origins, ("revenue_ht", "revenue_ttc"), labels={"source": source_names})
        figure = drawn(
            grouped_horizontal_bars,
            origins,
            category="source",
            group="currency",
            value="orders",
            names=source_names,
            x_title=_("Orders"),
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
    st.caption(
        _("Conversion: {rate} of the orders created in the range are paid.").format(
            rate=percent(sales.paid_share(by_status))
        )
    )


dashboard()
