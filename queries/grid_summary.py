"""Which summary table, kept in step with `orders` by triggers, can count and total the grid's
filtered set: `order_summary` (migration 0002), or the dashboards' `dash_order_facts` (migration
0007) when a discount code is chosen, since it also has the code. Counting a code on `orders`
visits each of its orders (~200 ms for 17,000 of 1M on PostgreSQL); the facts hold a few rows
per day. Any filter that neither table has (search, order number, payment date or state,
overdue, follow-up) is counted on `orders`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_core.models import DashOrderFact, OrderSummary

if TYPE_CHECKING:
    from queries.grid import GridFilters

Summary = type[OrderSummary] | type[DashOrderFact]


def summary_for(filters: GridFilters) -> Summary | None:
    """The summary whose keys hold every chosen filter (count and totals then come from it, plus
    the partial days at the edges of a creation range), or None."""
    summarised = (
        filters.order_number() is None
        and not filters.search_text()
        and not filters.payment_states  # not a key of either summary
        and not filters.follow_up_due
        and not filters.overdue
        and filters.paid_from is None
        and filters.paid_to is None
    )
    if not summarised:
        return None
    if not filters.discount_code:
        return OrderSummary
    # The facts store "no code" as '': a blank code (which matches no order) is counted directly.
    return DashOrderFact if filters.discount_code.strip() else None


def summary_can_serve(filters: GridFilters) -> bool:
    """True when count and totals can come from a summary table (plus the range's edges)."""
    return summary_for(filters) is not None


__all__ = ["Summary", "summary_can_serve", "summary_for"]
