"""The dashboards' figures, built with plotly graph_objects (cheaper than plotly express, which
issue 19 measured at 3.1 s of figure building per page) and drawn the same way everywhere:

- one colour per status, and per status group, whatever the currency or the grouping: the
  colour of the status badge (ui.format.STATUS_COLOURS, the one mapping), never plotly's
  colour cycle, which colours series in the order they happen to appear;
- time periods as words in the user's language ("Nov 2026", "nov. 2026", "Week of Nov 2, 2026"),
  on a category axis: plotly's date axis placed a month bar of November at "Oct 31" and named
  months in English;
- breakdowns as horizontal bars with their values written on them (no pie, no funnel).

Issue 19: a page draws `drawn(builder, data, ...)`, the finished figure as plotly's dict, built
once per data, options, language and principal (st.cache_data, cleared after every write like the
reads): a warm rerun of a dashboard no longer builds and validates its figures."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from babel.dates import format_skeleton

from orders_core.i18n import _, babel_locale, format_number, get_locale
from orders_core.status import STATUS_GROUP_LABELS, Status
from ui.format import STATUS_COLOURS, status_label
from ui.session import current_actor

# The drawing colour of each badge colour name of ui.format.STATUS_COLOURS.
_HEX = {
    "green": "#2e9e57",
    "orange": "#f0a030",
    "gray": "#9aa0a6",
    "red": "#d64545",
    "violet": "#8e6bd8",
    "blue": "#3b82f6",
}
# A status group is drawn in the colour of the status that stands for it (`other`: the two
# transient statuses, pending validation); the order in which groups are stacked and listed.
_GROUP_STATUS = {
    "validated": Status.PAID,
    "pending": Status.AWAITING_PAYMENT,
    "other": Status.PENDING_ADMIN,
    "not_completed": Status.CART_INCOMPLETE,
}
GROUP_ORDER = tuple(_GROUP_STATUS)
OTHER_COLOUR = "#c9ccd1"  # "everything else" of a top-N chart
# Currencies side by side: hues no status uses (no red, green, orange), the same for a currency in
# every chart whatever the others shown.
_CURRENCY_HEX = {"EUR": "#1f4e79", "USD": "#0f766e", "GBP": "#7c5c3b", "CHF": "#5b6b7f", "CAD": "#4aa3b5"}
_MORE_CURRENCY_HEX = ("#2c3e50", "#8d6e63", "#00838f", "#546e7a", "#6d4c41")


def currency_colour(currency: str) -> str:
    """The colour of a currency in every chart."""
    if currency in _CURRENCY_HEX:
        return _CURRENCY_HEX[currency]
    return _MORE_CURRENCY_HEX[sum(map(ord, currency)) % len(_MORE_CURRENCY_HEX)]


def _group_colour(group: str, key) -> str | None:
    return currency_colour(str(key)) if group == "currency" else None


# Statuses in the order a breakdown lists them: from paid to never completed.
STATUS_ORDER = (
    Status.PAID,
    Status.AWAITING_PAYMENT,
    Status.PENDING_ADMIN,
    Status.PENDING_ONLINE,
    Status.CART_INCOMPLETE,
    Status.FAILED,
    Status.CANCELLED,
)


def status_colour(status: str) -> str:
    """The colour of a status in every chart (its badge's colour)."""
    return _HEX[STATUS_COLOURS.get(Status(status), "gray")]


def group_colour(group: str) -> str:
    """The colour of a status group in every chart."""
    return status_colour(_GROUP_STATUS.get(group, Status.PENDING_ADMIN))


def group_label(group: str) -> str:
    return _(STATUS_GROUP_LABELS[group]) if group in STATUS_GROUP_LABELS else _("Other")


def period_label(day: date, granularity: str) -> str:
    """The name of the period starting on `day` (a day, a week from Monday, a month) in the
    user's language: "Nov 2026" / "nov. 2026" for a month."""
    day = pd.Timestamp(day).date()
    locale = babel_locale()
    if granularity == "month":
        return format_skeleton("yMMM", day, locale=locale)
    if granularity == "week":
        return _("Week of {date}").format(date=format_skeleton("yMMMd", day, locale=locale))
    return format_skeleton("yMMMd", day, locale=locale)


def number_separators() -> str:
    """Plotly's `layout.separators` for the user's language (decimal mark, then thousands): its
    axes and tooltips otherwise write 1,234.5 in French too."""
    symbols = babel_locale().number_symbols
    symbols = symbols.get("latn", symbols)  # Babel keys them by numbering system
    return symbols["decimal"] + symbols["group"]


def _period_axis(figure: go.Figure, labels: list[str]) -> None:
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title_text="")


def stacked_over_time(
    data: pd.DataFrame,
    *,
    series: str,
    value: str,
    granularity: str,
    order: Sequence[str],
    names: Mapping[str, str],
    colours: Mapping[str, str] | None = None,
    y_title: str,
    title: str | None = None,
) -> go.Figure:
    """Stacked bars per period (`bucket`), one trace per value of `series` in `order` (absent ones
    left out), each named by `names` and coloured by `colours` (plotly's cycle when None)."""
    periods = sorted(data["bucket"].unique())
    x = [period_label(p, granularity) for p in periods]
    figure = go.Figure()
    present = set(data[series])
    for key in (k for k in order if k in present):
        part = data[data[series] == key]
        by_period = dict(zip(part["bucket"], part[value], strict=True))
        figure.add_bar(
            x=x,
            y=[by_period.get(p, 0) for p in periods],
            name=names.get(key, str(key)),
            marker_color=(colours or {}).get(key),
        )
    figure.update_layout(barmode="stack", title=title, yaxis_title=y_title, legend_traceorder="normal")
    _period_axis(figure, x)
    return figure


def status_group_over_time(data: pd.DataFrame, *, granularity: str, y_title: str, title: str | None) -> go.Figure:
    """Sales over time by status group: each group in its colour, stacked in GROUP_ORDER."""
    return stacked_over_time(
        data,
        series="status_group",
        value="total_ttc",
        granularity=granularity,
        order=GROUP_ORDER,
        names={g: group_label(g) for g in GROUP_ORDER},
        colours={g: group_colour(g) for g in GROUP_ORDER},
        y_title=y_title,
        title=title,
    )


def _bar_text(values: Iterable, shares: Iterable | None = None, percent=None) -> list[str]:
    if shares is None or percent is None:
        return [format_number(v) for v in values]
    return [f"{format_number(v)} ({percent(s)})" for v, s in zip(values, shares, strict=True)]


def _room_for_text(figure: go.Figure, values: Sequence) -> None:
    """Widen the value axis so that the values written after the longest bars stay visible."""
    numbers = [float(v) for v in values if v is not None and not pd.isna(v)]
    if numbers and max(numbers) > 0 and min(numbers) >= 0:
        figure.update_xaxes(range=[0, max(numbers) * 1.3])


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence,
    *,
    x_title: str,
    colours: Sequence[str] | None = None,
    text: Sequence[str] | None = None,
    name: str | None = None,
) -> go.Figure:
    """One horizontal bar per label, top to bottom in the given order, its value written on it."""
    figure = go.Figure(
        go.Bar(
            y=list(labels),
            x=list(values),
            orientation="h",
            marker_color=list(colours) if colours is not None else None,
            text=list(text) if text is not None else _bar_text(values),
            textposition="outside",
            cliponaxis=False,
            name=name,
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_layout(xaxis_title=x_title, showlegend=False, height=max(200, 60 + 36 * len(labels)))
    _room_for_text(figure, values)
    return figure


def status_breakdown(counts: pd.DataFrame, *, x_title: str, percent) -> go.Figure:
    """Orders per status (columns `status`, `orders`, `share`): a bar per status, each in its
    colour, with its count and share; statuses from paid to never completed."""
    rank = {s.value: i for i, s in enumerate(STATUS_ORDER)}
    rows = counts.assign(_rank=[rank.get(s, len(rank)) for s in counts["status"]]).sort_values("_rank")
    return horizontal_bars(
        [status_label(s) for s in rows["status"]],
        rows["orders"].tolist(),
        x_title=x_title,
        colours=[status_colour(s) for s in rows["status"]],
        text=_bar_text(rows["orders"], rows["share"], percent),
    )


def grouped_horizontal_bars(
    data: pd.DataFrame,
    *,
    category: str,
    group: str,
    value: str,
    names: Mapping[str, str],
    x_title: str,
    text: Callable[[Any, Any], str] | None = None,
) -> go.Figure:
    """Horizontal bars per `category` (labelled by `names`), one bar per `group` (e.g. the
    currency) side by side, values written on them (`text(value, group)`, else the number).
    When each category has a single group (a campaign, a code of one event), one bar per row
    named "category · group": side-by-side slots would be mostly empty."""
    write = text or (lambda v, _g: format_number(v))
    categories = list(dict.fromkeys(data[category]))
    groups = sorted(data[group].unique())
    if data.empty or data.groupby(category)[group].nunique().max() == 1:
        several = len(groups) > 1
        return horizontal_bars(
            [
                f"{names.get(c, str(c))} · {g}" if several else names.get(c, str(c))
                for c, g in zip(data[category], data[group], strict=True)
            ],
            data[value].tolist(),
            x_title=x_title,
            colours=[_group_colour(group, g) or _HEX["blue"] for g in data[group]],
            text=[write(v, g) for v, g in zip(data[value], data[group], strict=True)],
        )
    figure = go.Figure()
    y = [names.get(c, str(c)) for c in categories]
    for key in groups:
        part = data[data[group] == key]
        by = dict(zip(part[category], part[value], strict=True))
        values = [by.get(c, 0) for c in categories]
        figure.add_bar(
            y=y,
            x=values,
            orientation="h",
            name=str(key),
            text=[write(v, key) for v in values],
            textposition="outside",
            cliponaxis=False,
            marker_color=_group_colour(group, key),
        )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_layout(barmode="group", xaxis_title=x_title, height=max(220, 80 + 24 * len(y) * len(groups)))
    _room_for_text(figure, data[value].tolist())
    return figure


def units_against_capacity(tariffs: pd.DataFrame, *, names: Mapping[str, str], y_title: str) -> go.Figure:
    """Units sold (paid: the paid colour) and reserved (awaiting: the awaiting colour) per
    tariff, stacked, with each tariff's capacity as a mark."""
    x = tariffs["tariff"].tolist()
    figure = go.Figure()
    for column, status in (("sold", Status.PAID), ("reserved", Status.AWAITING_PAYMENT)):
        figure.add_bar(x=x, y=tariffs[column].tolist(), name=names[column], marker_color=status_colour(status))
    capped = tariffs[tariffs["capacity"].notna()]
    figure.add_scatter(
        x=capped["tariff"].tolist(),
        y=capped["capacity"].astype(float).tolist(),
        mode="markers",
        name=names["capacity"],
        marker=dict(symbol="line-ew-open", size=24, line=dict(width=3), color="#444444"),
    )
    figure.update_layout(barmode="stack", yaxis_title=y_title)
    figure.update_xaxes(type="category")
    return figure


def grouped_bars(
    data: pd.DataFrame,
    *,
    category: str,
    group: str,
    value: str,
    y_title: str,
    order: Sequence[str] | None = None,
    hover: Mapping[str, str] | None = None,
) -> go.Figure:
    """Vertical bars per `category` (in `order`, else as they come), one bar per `group` (e.g.
    the currency) side by side; `hover` columns (column -> label) are added to the tooltips."""
    hover = hover or {}
    categories = list(order) if order is not None else list(dict.fromkeys(data[category]))
    figure = go.Figure()
    for key in sorted(data[group].unique()):
        part = data[data[group] == key]
        rows = dict(zip(part[category], part.to_dict("records"), strict=True))
        shown = [c for c in categories if c in rows]
        figure.add_bar(
            x=shown,
            y=[rows[c][value] for c in shown],
            name=str(key),
            marker_color=_group_colour(group, key),
            customdata=[[rows[c][h] for h in hover] for c in shown] if hover else None,
            hovertemplate=(
                "%{x}: %{y}"
                + "".join(f"<br>{label}: %{{customdata[{i}]}}" for i, label in enumerate(hover.values()))
                + f"<extra>{key}</extra>"
            )
            if hover
            else None,
        )
    figure.update_layout(barmode="group", yaxis_title=y_title)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=categories)
    return figure


def heatmap(data: pd.DataFrame, *, x: str, y: str, z: str, x_title: str, y_title: str) -> go.Figure:
    """A count per (x, y) pair as a heat map (pairs summed), values written in the cells."""
    table = data.pivot_table(index=y, columns=x, values=z, aggfunc="sum", fill_value=0)
    figure = go.Figure(
        go.Heatmap(
            x=list(table.columns),
            y=list(table.index),
            z=table.to_numpy().tolist(),
            texttemplate="%{z}",
            colorscale="Blues",
        )
    )
    figure.update_xaxes(type="category", title_text=x_title)
    figure.update_yaxes(type="category", title_text=y_title)
    return figure


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


def finished(figure: go.Figure) -> go.Figure:
    """Ready to draw: texts as plain text, the dashboards' margins, the language's separators."""
    plain_labels(figure)
    figure.update_layout(margin=dict(l=10, r=10, t=30, b=10), legend_title_text="", separators=number_separators())
    return figure


def _key_of(function: Callable) -> str:
    """A function argument in a cache key: where it is written (a lambda of a page included)."""
    code = getattr(function, "__code__", None)
    where = f"{code.co_filename}:{code.co_firstlineno}" if code is not None else ""
    return f"{function.__module__}.{function.__qualname__}@{where}"


@st.cache_data(ttl=300, max_entries=500, show_spinner=False)  # a figure is some 10-50 kB
def _built(
    name: str,
    _build: Callable[..., go.Figure],
    args: tuple,
    values: tuple,
    functions: tuple,
    _functions: tuple,
    layout: tuple,
    language: str,
    principal: Any,
) -> dict:
    # `name`, `functions` (keys of the function arguments) and `language`, `principal` key the
    # cache; `_build` and `_functions` are not hashed.
    figure = _build(*args, **dict(values), **dict(_functions))
    if layout:
        figure.update_layout(dict(layout))
    return finished(figure).to_dict()


def drawn(build: Callable[..., go.Figure], *args: Any, layout: Mapping[str, Any] | None = None, **kwargs: Any) -> dict:
    """The finished figure of `build(*args, **kwargs)` (then `layout` applied) as plotly's dict,
    for `ui.dashboard_widgets.chart`: built once per arguments (DataFrames by their content),
    language and principal. A function argument is keyed by where it is written: pass functions
    whose result depends on their arguments and the language only."""
    functions = tuple(sorted((k, v) for k, v in kwargs.items() if callable(v)))
    values = tuple(sorted((k, v) for k, v in kwargs.items() if not callable(v)))
    return _built(
        f"{build.__module__}.{build.__qualname__}",
        build,
        args,
        values,
        tuple((k, _key_of(v)) for k, v in functions),
        functions,
        tuple(sorted((layout or {}).items())),
        get_locale(),
        current_actor(),
    )


def figure_of(spec: dict) -> go.Figure:
    """A figure again from `drawn`'s dict, without validating it twice: it was validated when
    built (plotly's own templates are rebuilt this way), a tenth of the cost."""
    return go.Figure(spec, _validate=False)
