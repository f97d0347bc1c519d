"""Drawing helpers shared by the dashboard pages: money columns formatted per row currency,
percentages for the locale, and a chart with its data table and CSV download behind it."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from orders_core.i18n import _, format_money, format_share
from queries.dashboards.export import to_csv
from ui.charts import number_separators
from ui.exports import audited_download
from ui.session import can


def percent(value) -> str:
    """A share for the language, to a tenth of a percent (orders_core.i18n.format_share)."""
    return "–" if value is None or pd.isna(value) else format_share(value)


def delta(value) -> str | None:
    """A metric delta ("+12.5%"), None when there is no previous figure to compare with."""
    if value is None or pd.isna(value):
        return None
    return ("+" if value >= 0 else "") + percent(value)


def formatted(
    df: pd.DataFrame,
    money_columns: tuple[str, ...] = (),
    percent_columns: tuple[str, ...] = (),
    labels: dict[str, dict] | None = None,
) -> pd.DataFrame:
    """A display copy: money as text in each row's currency, shares as percentages, and code
    values mapped to labels (column -> {value: label})."""
    out = df.copy()
    for column in money_columns:
        out[column] = [format_money(v, c) for v, c in zip(out[column], out["currency"], strict=True)]
    for column in percent_columns:
        out[column] = [percent(v) for v in out[column]]
    for column, mapping in (labels or {}).items():
        out[column] = [mapping.get(v, v) for v in out[column]]
    return out


def data_behind(
    df: pd.DataFrame, display: pd.DataFrame, file_name: str, column_config: dict | None = None, key: str | None = None
) -> None:
    """The table behind a chart, in an expander, with its raw data as CSV for the roles that may
    export (`orders.export`: a marketer reads the table but takes no file away)."""
    with st.expander(_("Data")):
        st.dataframe(display, hide_index=True, width="stretch", column_config=column_config or {})
        if can("orders.export"):
            audited_download(
                _("Download CSV"),
                to_csv(df),
                file_name=f"{file_name}.csv",
                mime="text/csv",
                key=key or f"csv.{file_name}",
                what=f"dashboard_{file_name}",
                rows=len(df),
            )


def _markup_free(value):
    return html.escape(value, quote=False) if isinstance(value, str) else value


def plain_labels(figure):
    """Plotly draws `<a href>`, `<b>`, `<br>`... found in its texts: a UTM value or a code name
    becomes literal text (escaped), on the axes, bars, legend and hover labels alike."""
    for trace in figure.data:
        raw_name = getattr(trace, "name", None)
        updates: dict = {}
        for attr in ("x", "y", "text", "labels", "ids", "hovertext", "customdata"):
            values = getattr(trace, attr, None)
            if values is not None and not isinstance(values, str) and len(values) and hasattr(values, "__iter__"):
                if any(isinstance(v, str) and any(c in v for c in "<>&") for v in values):
                    updates[attr] = [_markup_free(v) for v in values]
        if isinstance(raw_name, str) and any(c in raw_name for c in "<>&"):
            updates["name"] = _markup_free(raw_name)
            updates["legendgroup"] = _markup_free(raw_name)
            template = getattr(trace, "hovertemplate", None)
            if isinstance(template, str):
                updates["hovertemplate"] = template.replace(raw_name, _markup_free(raw_name))
        if updates:
            trace.update(updates)
    # An axis ordered by a category list (`category_orders`) must name the escaped values too, or
    # ">60" in the order and "&gt;60" in the bars become two categories.
    for_each_axis = (figure.for_each_xaxis, figure.for_each_yaxis)
    for each in for_each_axis:
        each(_escape_category_order)
    return figure


def _escape_category_order(axis) -> None:
    categories = axis.categoryarray
    if categories is not None and any(isinstance(c, str) and any(m in c for m in "<>&") for c in categories):
        axis.categoryarray = [_markup_free(c) for c in categories]


def chart(figure, df: pd.DataFrame, display: pd.DataFrame, file_name: str, column_config: dict | None = None) -> None:
    """A plotly chart with its data behind it."""
    plain_labels(figure)
    figure.update_layout(margin=dict(l=10, r=10, t=30, b=10), legend_title_text="", separators=number_separators())
    st.plotly_chart(figure, width="stretch", key=f"chart.{file_name}")
    data_behind(df, display, file_name, column_config)


def chart_frame(df: pd.DataFrame, money_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Plotly needs numbers: Decimal money as float, for drawing only (tables keep Decimal)."""
    out = df.copy()
    for column in money_columns:
        out[column] = [float(v) for v in out[column]]
    return out


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
