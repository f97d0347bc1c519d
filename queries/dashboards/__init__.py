"""Read side of the dashboards: every function is `(engine, filters, *, principal) -> DataFrame`,
reads the summary tables of orders_core/summaries.py (or an indexed slice of the base tables), and
keeps money as exact Decimal per currency, never summed across currencies.

Scope (issue 17): every query reads the principal's events only, in SQL (`filters.events_of`,
applied by `where_facts` on the facts' `event_id`): with no event filter a scoped principal reads
their events' figures; a filter naming an event outside the scope reads nothing of it.

Importable in a plain script or notebook: `from queries.dashboards import sales`."""

from queries.dashboards.filters import DashboardFilters

__all__ = ["DashboardFilters"]
