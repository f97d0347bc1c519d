"""The Attendees page's address (issue 18): `?event=12&q=lefevre&tariff=3&tariff=4&status=paid
&attendance=cancelled&page=2`. Pure (no Streamlit): the page and the export route
(web/exports.py) read the same filters from the same parameters."""

from __future__ import annotations

from collections.abc import Callable

from queries.attendees import ATTENDANCE, MAX_SEARCH, AttendeeFilters
from ui.params import parse_number

GetAll = Callable[[str], list[str]]  # the values of one parameter (st.query_params.get_all)


def filters_from_params(get_all: GetAll) -> AttendeeFilters | None:
    """The filters of the address; None when it names no event. Values that are not ids,
    statuses or attendance choices are left out (the query cleans statuses again)."""
    events = [parse_number(v) for v in get_all("event")]
    event_id = next((e for e in events if e is not None), None)
    if event_id is None:
        return None
    tariffs = tuple(t for t in (parse_number(v) for v in get_all("tariff")) if t is not None)
    attendance = next((a for a in get_all("attendance") if a in ATTENDANCE), "all")
    search = next(iter(get_all("q")), "")[:MAX_SEARCH]
    return AttendeeFilters(
        event_id=event_id, search=search, tariff_ids=tariffs, statuses=tuple(get_all("status")), attendance=attendance
    ).cleaned()


def filters_to_params(filters: AttendeeFilters) -> dict[str, str | list[str]]:
    """The address of these filters (no page): only what differs from the defaults."""
    params: dict[str, str | list[str]] = {"event": str(filters.event_id)}
    if filters.search:
        params["q"] = filters.search
    if filters.tariff_ids:
        params["tariff"] = [str(t) for t in filters.tariff_ids]
    if filters.statuses:
        params["status"] = list(filters.statuses)
    if filters.attendance != "all":
        params["attendance"] = filters.attendance
    return params


def page_from_params(get_all: GetAll) -> int:
    """The page number of the address (1 when absent or not a number)."""
    return next((n for n in (parse_number(v) for v in get_all("page")) if n is not None), 1)
