"""Read side of the dashboards: every function is `(engine, filters) -> DataFrame`, reads the
summary tables of orders_core/summaries.py (or an indexed slice of the base tables), and
keeps money as exact Decimal per currency, never summed across currencies.

Importable in a plain script or notebook: `from queries.dashboards import sales`."""

from queries.dashboards.filters import DashboardFilters

__all__ = ["DashboardFilters"]
