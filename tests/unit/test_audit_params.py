"""Issue 17: the Audit page's address and an entry's details as text (pure)."""

from __future__ import annotations

from datetime import date

from orders_core.i18n import set_locale
from queries.audit import AuditFilters
from ui.audit_params import details_text, filters_from_params, filters_to_params


def _get_all(params: dict[str, list[str]]):
    return lambda name: params.get(name, [])


def test_the_address_round_trips_and_drops_what_it_cannot_read():
    params = {
        "from": ["2026-11-01"],
        "to": ["not a day"],
        "action": ["export", "made_up", "erasure"],
        "actor": [" ana "],
    }
    filters = filters_from_params(_get_all(params), "Europe/Paris")
    assert filters == AuditFilters(
        date_from=date(2026, 11, 1), actions=("export", "erasure"), actor="ana", timezone="Europe/Paris"
    )
    assert filters_to_params(filters) == {"from": "2026-11-01", "action": ["export", "erasure"], "actor": "ana"}
    assert filters_to_params(filters_from_params(_get_all({}), "Nowhere/City")) == {}
    assert filters_from_params(_get_all({}), "Nowhere/City").timezone == "UTC"


def test_details_read_as_one_line_of_words():
    set_locale("en")
    details = {"what": "orders", "filters": {"status": ["paid", "cancelled"], "q": "<b>"}, "rows": 3, "format": "csv"}
    assert details_text(details) == "what: Orders · filters: status=paid / cancelled, q=<b> · rows: 3 · format: csv"
    assert details_text({"what": "dashboard_sales", "complete": False}) == "what: Dashboard data: sales · complete: No"
    assert details_text({"orders": 2, "reason": "Asked"}) == "orders: 2 · reason: Asked"
    assert details_text({}) == "" and details_text(None) == ""
    set_locale("fr")
    try:
        assert details_text({"what": "invoices_zip", "rows": None}) == "quoi: PDF des factures (ZIP) · lignes: —"
    finally:
        set_locale("en")
