"""The export format choice every export expander offers (orders grid, attendees): one list of
formats and their labels, so the pages and the export routes speak of the same kinds."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import _

EXPORT_KINDS = ("csv_semicolon", "csv_comma", "xlsx")


def export_kind_choice(key: str) -> str:
    """A horizontal radio of the export formats; returns the chosen kind."""
    labels = {"csv_semicolon": _("CSV (; for French Excel)"), "csv_comma": _("CSV (,)"), "xlsx": _("Excel (XLSX)")}
    return str(st.radio(_("Format"), list(EXPORT_KINDS), horizontal=True, key=key, format_func=labels.get))
