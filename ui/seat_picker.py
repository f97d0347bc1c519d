"""The seat plan as a picture and the seat pickers (issue 18), shared by the wizard (new order and
modify) and "Add a ticket": sold seats grey, the order's own seats highlighted, the seats chosen
in the form marked; each ticket's seat is picked in a list of free seats, nearest to the order's
seats first. The service checks the choice again (a seat of the plan, not sold)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from orders_core.i18n import N_, _
from orders_core.seating import check_seat_choice
from queries.seats import seat_choices, seat_plan
from ui.data import cached_query

# (state, legend label, colour, marker symbol): the picture's four kinds of seat.
STATES = (
    ("free", N_("Free"), "#9bd3a8", "circle"),
    ("sold", N_("Sold"), "#c9c9c9", "circle"),
    ("own", N_("This order"), "#1f5fbf", "circle"),
    ("chosen", N_("Chosen here"), "#f28e2b", "star"),
)


def load_plan(event_id: int, order_id: int | None = None) -> pd.DataFrame:
    """The event's plan with who holds each seat (`own`: held by `order_id`)."""
    return cached_query(seat_plan, event_id, order_id=order_id)


def _state(plan: pd.DataFrame, chosen: Sequence[str]) -> pd.Series:
    state = pd.Series("free", index=plan.index)
    state[plan["sold"]] = "sold"
    state[plan["own"]] = "own"
    state[plan["label"].isin(list(chosen))] = "chosen"
    return state


def plan_figure(plan: pd.DataFrame, chosen: Sequence[str] = ()) -> go.Figure:
    """One section of the plan: a dot per seat (x: its number, y: its row), coloured by state."""
    state = _state(plan, chosen)
    figure = go.Figure()
    for name, label, colour, symbol in STATES:
        part = plan[state == name]
        figure.add_trace(
            go.Scatter(
                x=part["number"],
                y=part["row"].astype(str),
                mode="markers",
                name=_(label),
                text=part["label"],
                hovertemplate="%{text}<extra>" + _(label) + "</extra>",
                marker={"color": colour, "size": 11 if name != "chosen" else 15, "symbol": symbol},
            )
        )
    rows = plan.sort_values("row_index")["row"].astype(str).drop_duplicates().tolist()
    figure.update_layout(
        height=max(220, 26 * len(rows) + 110),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.12},
        xaxis={"title": _("Seat"), "dtick": 1 if plan["number"].max() <= 40 else None},
        yaxis={"title": _("Row"), "categoryorder": "array", "categoryarray": rows[::-1], "type": "category"},
    )
    return figure


def show_plan(
    plan: pd.DataFrame | None, *, key: str, chosen: Sequence[str] = (), where: DeltaGenerator | None = None
) -> None:
    """The plan as a picture, one section at a time (the section of the order's first seat), in
    `where` when given (a container placed above the pickers); nothing without a plan (None)."""
    if plan is None:
        return
    with where if where is not None else nullcontext():
        _show_plan(plan, key=key, chosen=chosen)


def check_seats_picked(plan: pd.DataFrame | None, chosen: Sequence[str]) -> None:
    """A seated event's holders step passes only with one different seat per ticket."""
    if plan is not None:
        check_seat_choice(chosen)


def _show_plan(plan: pd.DataFrame, *, key: str, chosen: Sequence[str]) -> None:
    if plan.empty:
        st.warning(_("This event is seated but has no seat plan yet: add its seats on the Events page."))
        return
    chosen = [seat for seat in chosen if seat]
    sections = plan["section"].drop_duplicates().tolist()
    focus = plan[plan["own"] | plan["label"].isin(list(chosen))]["section"].tolist()
    section = sections[0]
    if len(sections) > 1:
        section = st.selectbox(
            _("Section"),
            sections,
            index=sections.index(focus[0]) if focus else 0,
            key=f"{key}.section",
        )
    part = plan[plan["section"] == section]
    st.plotly_chart(plan_figure(part, chosen), key=f"{key}.picture", config={"displayModeBar": False})
    free = int((~plan["sold"]).sum())
    st.caption(
        _("{free} of {total} seats free. Grey: sold; blue: this order's seats; orange: chosen here.").format(
            free=free, total=len(plan)
        )
    )


def seat_picker(
    label: str,
    *,
    key: str,
    plan: pd.DataFrame,
    current: str = "",
    near: Sequence[str] | None = None,
    own_is_free: bool = True,
) -> str:
    """A select of free seats: the holder's current one first, then the nearest to `near` (by
    default the order's own seats, which are free to move to when the order is being modified,
    `own_is_free`, and taken when tickets are added to it)."""
    near = plan[plan["own"]]["label"].tolist() if near is None else near
    keep = [current] if current else []
    options = ["", *seat_choices(plan, near, keep, own_is_free=own_is_free)]
    if st.session_state.get(key, current) not in options:
        st.session_state[key] = ""
    elif key not in st.session_state:
        st.session_state[key] = current
    return str(
        st.selectbox(
            label,
            options,
            key=key,
            format_func=lambda seat: seat or _("Choose a seat"),
            help=_("Free seats, the nearest to the order's seats first."),
        )
        or ""
    )
