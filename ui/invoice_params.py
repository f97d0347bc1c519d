"""The Invoices page's address (issue 21): `?q=F2026&from=2026-12-01&to=2026-12-31&status=paid
&event=3&kind=invoice`. Pure (no Streamlit): the page and the download routes (web/documents.py)
read the same filters from the same parameters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from queries.invoices import InvoiceFilters
from ui.params import parse_number

GetAll = Callable[[str], list[str]]  # the values of one parameter (st.query_params.get_all)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _first(get_all: GetAll, name: str) -> str:
    return next(iter(get_all(name)), "")


def filters_from_params(get_all: GetAll, timezone: str) -> InvoiceFilters:
    """The filters of the address, dates as days of `timezone`; anything unreadable is left out."""
    return InvoiceFilters(
        search=_first(get_all, "q"),
        issued_from=_day(_first(get_all, "from")),
        issued_to=_day(_first(get_all, "to")),
        status=_first(get_all, "status"),
        event_id=parse_number(_first(get_all, "event")),
        kind=_first(get_all, "kind"),
        timezone=timezone,
    ).cleaned()


def filters_to_params(filters: InvoiceFilters) -> dict[str, str]:
    """The address of these filters: only what is set (the zone travels apart, as `tz`)."""
    params = {
        "q": filters.search,
        "from": filters.issued_from.isoformat() if filters.issued_from else "",
        "to": filters.issued_to.isoformat() if filters.issued_to else "",
        "status": filters.status,
        "event": str(filters.event_id) if filters.event_id is not None else "",
        "kind": filters.kind,
    }
    return {key: value for key, value in params.items() if value}
