"""Drawing helpers shared by the dashboard pages: money columns formatted per row currency,
percentages for the locale, and a chart with its data table and CSV download behind it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from orders_core.i18n import _, format_money, format_share
from queries.dashboards.export import to_csv
from ui.charts import figure_of, finished
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


def data_key(name: str) -> str:
    """The session key of a chart's Data expander (True: open)."""
    return f"data.{name}"


def data_behind(
    df: pd.DataFrame, display: pd.DataFrame, file_name: str, column_config: dict | None = None, key: str | None = None
) -> None:
    """The table behind a chart, in an expander, with its raw data as CSV for the roles that may
    export (`orders.export`: a marketer reads the table but takes no file away). The table is
    drawn once the expander is opened (a rerun; its state kept under `data_key`): the seven of
    the sales dashboard, drawn closed, cost ~0.5 s of the browser's time on every render."""
    box = st.expander(_("Data"), key=data_key(key or file_name), on_change="rerun")
    if not box.open:
        return
    with box:
        st.dataframe(display, hide_index=True, width="stretch", column_config=column_config or {})
        if can("orders.export"):
            audited_download(
                _("Download CSV"),
                lambda: to_csv(df),  # made on the click only, not on every rerun
                file_name=f"{file_name}.csv",
                mime="text/csv",
                key=key or f"csv.{file_name}",
                what=f"dashboard_{file_name}",
                rows=len(df),
            )


def chart(
    figure: go.Figure | dict,
    df: pd.DataFrame,
    display: pd.DataFrame,
    file_name: str,
    column_config: dict | None = None,
) -> None:
    """A plotly chart with its data behind it: a figure from `ui.charts.drawn` (cached, ready),
    or a figure built on this run (finished here)."""
    shown = figure_of(figure) if isinstance(figure, dict) else finished(figure)
    st.plotly_chart(shown, width="stretch", key=f"chart.{file_name}")
    data_behind(df, display, file_name, column_config)


def chart_frame(df: pd.DataFrame, money_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Plotly needs numbers: Decimal money as float, for drawing only (tables keep Decimal)."""
    out = df.copy()
    for column in money_columns:
        out[column] = [float(v) for v in out[column]]
    return out


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
