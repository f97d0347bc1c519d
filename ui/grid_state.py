"""The grid's view <-> URL query parameters, so a filtered view can be bookmarked and shared.
Pure functions (no streamlit): defaults are left out of the URL, unknown values are ignored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from orders_core.payment_state import PaymentState
from orders_core.status import STATUS_GROUPS, PaymentMode, Source, Status
from queries.grid import DEFAULT_SORT, SORTS, GridFilters


@dataclass(frozen=True)
class GridView:
    filters: GridFilters = GridFilters()
    sort: str = DEFAULT_SORT
    page: int = 1  # 1-based
    show_utm: bool = False


def _csv(values) -> str:
    return ",".join(str(v) for v in values)


def view_to_params(view: GridView) -> dict[str, str]:
    """Query parameters of a view (only what differs from the default view)."""
    f = view.filters
    params: dict[str, str] = {}
    if f.group:
        params["group"] = f.group
    if f.statuses:
        params["status"] = _csv(f.statuses)
    if f.payment_modes:
        params["mode"] = _csv(f.payment_modes)
    if f.payment_states:
        params["paystate"] = _csv(f.payment_states)
    if f.event_ids:
        params["event"] = _csv(f.event_ids)
    if f.source:
        params["source"] = f.source
    if f.discount_code:
        params["code"] = f.discount_code
    for key, value in (
        ("from", f.created_from),
        ("to", f.created_to),
        ("paid_from", f.paid_from),
        ("paid_to", f.paid_to),
    ):
        if value:
            params[key] = value.isoformat()
    if f.include_deleted:
        params["deleted"] = "1"
    if f.overdue:
        params["overdue"] = "1"
    if f.search:
        params["q"] = f.search
    if f.follow_up_due:
        params["followup"] = "due"
    if view.sort != DEFAULT_SORT:
        params["sort"] = view.sort
    if view.page > 1:
        params["page"] = str(view.page)
    if view.show_utm:
        params["utm"] = "1"
    return params


def _split(value: str | None, allowed) -> tuple[str, ...]:
    allowed = {str(a) for a in allowed}
    return tuple(v for v in (value or "").split(",") if v in allowed)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 1) if value else default
    except ValueError:
        return default


def view_from_params(params: Mapping[str, str], timezone: str = "UTC") -> GridView:
    """The view a URL describes (what it cannot parse falls back to the default)."""
    events = tuple(int(v) for v in (params.get("event") or "").split(",") if v.strip().isdigit())
    group = params.get("group")
    source = params.get("source")
    filters = GridFilters(
        group=group if group in STATUS_GROUPS else None,
        statuses=_split(params.get("status"), Status),
        payment_modes=_split(params.get("mode"), PaymentMode),
        payment_states=_split(params.get("paystate"), PaymentState),
        event_ids=events,
        source=source if source in {s.value for s in Source} else None,
        discount_code=(params.get("code") or "").strip().upper() or None,
        created_from=_date(params.get("from")),
        created_to=_date(params.get("to")),
        paid_from=_date(params.get("paid_from")),
        paid_to=_date(params.get("paid_to")),
        include_deleted=params.get("deleted") == "1",
        overdue=params.get("overdue") == "1",
        search=(params.get("q") or "").strip(),
        timezone=timezone,
        follow_up_due=params.get("followup") == "due",
    )
    sort = params.get("sort") or DEFAULT_SORT
    return GridView(
        filters=filters,
        sort=sort if sort in SORTS else DEFAULT_SORT,
        page=_int(params.get("page"), 1),
        show_utm=params.get("utm") == "1",
    )


def with_filters(view: GridView, filters: GridFilters) -> GridView:
    """A new filter always starts again at page 1."""
    return replace(view, filters=filters, page=1) if filters != view.filters else view
