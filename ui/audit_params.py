"""The Audit page's address (issue 17): `?from=2026-12-01&to=2026-12-31&action=export
&action=erasure&actor=ana`, and an entry's details as one line of text. Pure (no Streamlit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from orders_core import audit
from orders_core.i18n import N_, _
from queries.audit import MAX_ACTOR, AuditFilters

GetAll = Callable[[str], list[str]]  # the values of one parameter (st.query_params.get_all)

# What an export entry's `what` names (ui/exports.py, web/export_audit.py).
WHAT_LABELS: dict[str, str] = {
    "orders": N_("Orders"),
    "attendees": N_("Attendees"),
    "invoices_zip": N_("Invoice PDFs (ZIP)"),
    "invoice_pdf": N_("Invoice PDF"),
    "sales_journal": N_("Sales journal"),
    "finance_payments": N_("Payments and refunds"),
    "finance_orders": N_("Orders with tax per rate"),
    "reconciliation_report": N_("Reconciliation report"),
    "audit": N_("Audit trail"),
    "e_tickets": N_("E-tickets"),
}
DETAIL_LABELS: dict[str, str] = {
    "what": N_("what"),
    "filters": N_("filters"),
    "rows": N_("rows"),
    "format": N_("format"),
    "orders": N_("orders"),
    "reason": N_("reason"),
    "complete": N_("complete"),
}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def filters_from_params(get_all: GetAll, timezone: str) -> AuditFilters:
    """The filters of the address, days of `timezone`; anything unreadable is left out."""
    return AuditFilters(
        date_from=_day(next(iter(get_all("from")), "")),
        date_to=_day(next(iter(get_all("to")), "")),
        actions=tuple(get_all("action")),
        actor=next(iter(get_all("actor")), "")[:MAX_ACTOR],
        timezone=timezone,
    ).cleaned()


def filters_to_params(filters: AuditFilters) -> dict[str, str | list[str]]:
    """The address of these filters: only what is set."""
    params: dict[str, str | list[str]] = {}
    if filters.date_from:
        params["from"] = filters.date_from.isoformat()
    if filters.date_to:
        params["to"] = filters.date_to.isoformat()
    if filters.actions:
        params["action"] = list(filters.actions)
    if filters.actor:
        params["actor"] = filters.actor
    return params


def action_label(action: str) -> str:
    label = audit.ACTION_LABELS.get(action)
    return _(label) if label else action


def what_label(what: Any) -> str:
    """What was exported, in words ("Orders", "Dashboard data: sales_by_day")."""
    text = str(what)
    if text in WHAT_LABELS:
        return _(WHAT_LABELS[text])
    if text.startswith("dashboard_"):
        return _("Dashboard data: {name}").format(name=text.removeprefix("dashboard_"))
    return text


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return " / ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "—" if value is None else str(value)


def details_text(details: Any) -> str:
    """An entry's details as plain text ("what: Orders · rows: 12 · format: csv"); the page shows
    it as data, never as Markdown or HTML."""
    if not isinstance(details, Mapping) or not details:
        return ""
    parts = []
    for key, value in details.items():
        label = _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else str(key)
        shown = what_label(value) if key == "what" else _value(value)
        parts.append(f"{label}: {shown}")
    return " · ".join(parts)
