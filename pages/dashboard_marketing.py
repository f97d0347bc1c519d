"""Marketing dashboard (UTM): orders, paid orders, conversion and revenue per currency by
source -> medium -> campaign (drill down), over time, top campaigns, campaign x discount code,
share of orders without UTM, abandoned carts per source."""

from decimal import Decimal

import pandas as pd
import streamlit as st

from orders_core.i18n import N_, _, format_money, format_number
from queries.dashboards import marketing
from ui.charts import (
    OTHER_COLOUR,
    drawn,
    grouped_bars,
    grouped_horizontal_bars,
    heatmap,
    horizontal_bars,
    period_label,
    stacked_over_time,
)
from ui.dashboard_filters import dashboard_filters
from ui.dashboard_widgets import chart, chart_frame, empty_state, formatted, percent
from ui.data import cached_query
from ui.fragments import page_fragment
from ui.guard import require_router
from ui.saved_views import render_saved_views

require_router()

PAGE = "dashboard_marketing"
NONE = N_("(none)")
FIGURES = {
    "currency": _("Currency"),
    "orders": _("Orders"),
    "paid_orders": _("Paid orders"),
    "conversion_rate": _("Conversion rate"),
    "revenue_ttc": _("Revenue incl. tax"),
}


def _label(value: str) -> str:
    return value if value else _(NONE)


def _pick(label: str, breakdown: pd.DataFrame, level: str, placeholder: str) -> str | None:
    """One step of the drill-down (`level`: utm_source or utm_medium) among the values of
    `breakdown`, first the one the address names."""
    options = sorted(breakdown[level].unique())
    asked = st.query_params.get(level)
    key = f"{PAGE}.{level.removeprefix('utm_')}"
    chosen = options.index(asked) if asked in options else None  # also the default: see ui.dashboard_filters
    st.session_state.setdefault(key, asked if chosen is not None else None)
    return st.selectbox(label, options, format_func=_label, key=key, index=chosen, placeholder=placeholder)


st.title(_("Marketing dashboard"))
render_saved_views(PAGE)


@page_fragment
def dashboard() -> None:
    """The filters and everything they change: a filter change reruns only this (issue 19)."""
    filters = dashboard_filters(PAGE)

    coverage = cached_query(marketing.utm_coverage, filters).iloc[0]
    if coverage["orders"] == 0:
        empty_state(_("No order was created in this date range."))
        st.stop()
    left, middle, right = st.columns(3)
    left.metric(_("Orders"), format_number(coverage["orders"]))
    middle.metric(_("Orders with UTM"), format_number(coverage["with_utm"]))
    right.metric(
        _("Share without UTM"),
        percent(coverage["share_without_utm"]),
        help=_("Orders with no UTM source, medium or campaign (box office, direct visits)."),
    )

    st.header(_("By source, medium and campaign"))
    sources = cached_query(marketing.utm_breakdown, filters)
    source = _pick(_("Source"), sources, "utm_source", _("All sources: pick one to see its mediums"))
    level, data = "utm_source", sources
    if source is not None:
        mediums = cached_query(marketing.utm_breakdown, filters, source)
        medium = _pick(_("Medium"), mediums, "utm_medium", _("All mediums: pick one to see its campaigns"))
        level, data = "utm_medium", mediums
        if medium is not None:
            level, data = "utm_campaign", cached_query(marketing.utm_breakdown, filters, source, medium)
    else:
        medium = None
    for key, value in (("utm_source", source), ("utm_medium", medium)):
        if value is None and key in st.query_params:
            del st.query_params[key]
        elif value is not None and st.query_params.get(key) != value:
            st.query_params[key] = value

    names = {"utm_source": _("Source"), "utm_medium": _("Medium"), "utm_campaign": _("Campaign")}
    shown = formatted(data, ("revenue_ttc",), ("conversion_rate",)).assign(**{level: [_label(v) for v in data[level]]})
    figure = drawn(
        grouped_bars,
        chart_frame(data, ("revenue_ttc",)).assign(**{level: [_label(v) for v in data[level]]}),
        category=level,
        group="currency",
        value="revenue_ttc",
        y_title=_("Revenue incl. tax"),
        hover={"orders": _("Orders"), "paid_orders": _("Paid orders")},
    )
    chart(figure, data, shown, f"utm_{level}", column_config={level: names[level], **FIGURES})

    st.header(_("Over time"))
    over_time = cached_query(marketing.utm_over_time, filters)
    st.caption(
        _("Orders per period from the {top} sources with most orders; the other sources together.").format(
            top=marketing.TOP_SOURCES
        )
    )
    top_sources = marketing.top_sources_over_time(over_time)
    series = [
        "other" if o else f"source:{v}" for v, o in zip(top_sources["utm_source"], top_sources["other"], strict=True)
    ]
    names = {k: _("Other sources") if k == "other" else _label(k.removeprefix("source:")) for k in series}
    figure = drawn(
        stacked_over_time,
        top_sources.assign(series=series),
        series="series",
        value="orders",
        granularity=filters.granularity,
        order=[k for _rank, k in sorted(set(zip(top_sources["rank"], series, strict=True)))],
        names=names,
        colours={"other": OTHER_COLOUR},
        y_title=_("Orders"),
    )
    plot = over_time.assign(
        utm_source=[_label(v) for v in over_time["utm_source"]],
        bucket=[period_label(b, filters.granularity) for b in over_time["bucket"]],
    )
    chart(
        figure,
        over_time,
        formatted(plot, ("revenue_ttc",)),
        "utm_over_time",
        column_config={"bucket": _("Period (UTC)"), "utm_source": _("Source"), **FIGURES},
    )

    left, right = st.columns(2)
    with left:
        st.header(_("Top campaigns"))
        top = cached_query(marketing.top_campaigns, filters)
        if top.empty:
            empty_state(_("No order came from a campaign in this range."))
        else:
            # A campaign runs on several sources and mediums: each of its rows is named by them too.
            figure = drawn(
                grouped_horizontal_bars,
                chart_frame(top, ("revenue_ttc",)).assign(
                    campaign=[
                        f"{c} ({_label(s)} / {_label(m)})"
                        for c, s, m in zip(top["utm_campaign"], top["utm_source"], top["utm_medium"], strict=True)
                    ]
                ),
                category="campaign",
                group="currency",
                value="revenue_ttc",
                names={},
                x_title=_("Revenue incl. tax"),
                text=lambda amount, currency: format_money(Decimal(str(amount)), currency),
            )
            chart(
                figure,
                top,
                formatted(top, ("revenue_ttc",), ("conversion_rate",)),
                "top_campaigns",
                column_config={"rank": _("Rank"), **names, **FIGURES},
            )
    with right:
        st.header(_("Abandoned carts per source"))
        abandoned = cached_query(marketing.abandoned_by_source, filters)
        plot = abandoned.assign(utm_source=[_label(v) for v in abandoned["utm_source"]])
        figure = drawn(
            horizontal_bars,
            plot["utm_source"].tolist(),
            plot["abandoned_carts"].tolist(),
            x_title=_("Carts not completed"),
        )
        chart(
            figure,
            abandoned,
            formatted(plot, percent_columns=("abandon_rate",)),
            "abandoned_by_source",
            column_config={
                "utm_source": _("Source"),
                "orders": _("Orders"),
                "abandoned_carts": _("Carts not completed"),
                "abandon_rate": _("Abandonment rate"),
            },
        )

    st.header(_("Campaign × discount code"))
    codes = cached_query(marketing.campaign_codes, filters)
    if codes.empty:
        empty_state(_("No campaign or discount code in this range."))
    else:
        plot = codes.assign(
            utm_campaign=[_label(v) for v in codes["utm_campaign"]],
            discount_code=[_label(v) for v in codes["discount_code"]],
        )
        figure = drawn(
            heatmap, plot, x="discount_code", y="utm_campaign", z="orders", x_title=_("Code"), y_title=_("Campaign")
        )
        chart(
            figure,
            codes,
            formatted(plot, ("revenue_ttc",), ("conversion_rate",)),
            "campaign_codes",
            column_config={"utm_campaign": _("Campaign"), "discount_code": _("Code"), **FIGURES},
        )


dashboard()
