"""The filter bar of the dashboards (events, creation date range, time bucket), kept in the
URL (`?events=1,2&from=2026-10-01&to=2026-10-31&by=week`) so a view can be shared or saved."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from orders_core.i18n import N_, _
from queries.dashboards.filters import GRANULARITIES, DashboardFilters, event_choices, utc_today
from ui.data import cached_query
from ui.timezone import user_timezone

GRANULARITY_LABELS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
DEFAULT_DAYS = 30


def _date(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


def filters_from_params(params: dict, known_events: set[int], today: date | None = None) -> DashboardFilters:
    """Filters read from URL parameters; anything unreadable falls back to the default."""
    today = today or utc_today()
    events = []
    for part in str(params.get("events", "")).split(","):
        if part.strip().isdigit() and int(part) in known_events:
            events.append(int(part))
    end = _date(params.get("to"), today)
    start = _date(params.get("from"), end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        start, end = end, start
    by = params.get("by") if params.get("by") in GRANULARITIES else "day"
    return DashboardFilters(tuple(events), start, end, by, today)


def filters_to_params(filters: DashboardFilters) -> dict[str, str]:
    params = {"from": filters.start.isoformat(), "to": filters.end.isoformat(), "by": filters.granularity}
    if filters.event_ids:
        params["events"] = ",".join(str(e) for e in filters.event_ids)
    return params


def dashboard_filters(page: str) -> DashboardFilters:
    """Draw the filter bar of `page` and return its filters; the URL follows the widgets."""
    events = cached_query(event_choices)
    names = dict(zip(events["id"].astype(int), events["name"], strict=True))
    url = filters_from_params(st.query_params.to_dict(), set(names))
    keys = {field: f"{page}.{field}" for field in ("events", "range", "by")}
    # Seeded from the address when absent (a saved view's Apply deletes them to take its address),
    # and the same values as the widgets' defaults: a run cut short before they are drawn leaves
    # the browser with their defaults, which then come back as the filters.
    st.session_state.setdefault(keys["events"], list(url.event_ids))
    st.session_state.setdefault(keys["range"], (url.start, url.end))
    st.session_state.setdefault(keys["by"], url.granularity)
    left, middle, right = st.columns([3, 2, 2])
    chosen = left.multiselect(
        _("Events"),
        options=list(names),
        default=list(url.event_ids),
        format_func=lambda i: names.get(i, str(i)),
        key=keys["events"],
        placeholder=_("All events"),
    )
    picked = middle.date_input(
        _("Orders created between"), (url.start, url.end), key=keys["range"], format="YYYY-MM-DD"
    )
    by = right.radio(
        _("Group by"),
        GRANULARITIES,
        index=GRANULARITIES.index(url.granularity),
        format_func=lambda g: _(GRANULARITY_LABELS[g]),
        key=keys["by"],
        horizontal=True,
    )
    if isinstance(picked, (tuple, list)):
        start, end = (picked[0], picked[-1]) if picked else (url.start, url.end)
    else:
        start = end = picked
    filters = DashboardFilters(tuple(chosen), min(start, end), max(start, end), by, url.today)
    # One time policy, stated: the figures are counted per UTC day; single times are the user's.
    st.caption(_("Date ranges and daily figures are UTC days; times are shown in {zone}.").format(zone=user_timezone()))
    wanted = filters_to_params(filters)
    current = {k: v for k, v in st.query_params.to_dict().items() if k in ("events", "from", "to", "by")}
    if current != wanted:
        for key in ("events", "from", "to", "by"):
            if key in wanted:
                st.query_params[key] = wanted[key]
            elif key in st.query_params:
                del st.query_params[key]
    return filters
