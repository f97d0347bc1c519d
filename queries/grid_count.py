"""The grid's count and per-currency totals as one rerun needs them (issue 19): exact when it is
cheap, capped when it is not.

A filter that `order_summary` serves (statuses, modes, events, source, creation dates…) is
counted and totalled exactly from that table (queries.grid.grid_count_and_totals). A search or a
payment-date range has no summary: counting a common last name at a million orders means
visiting every matching order, several hundred milliseconds that the user pays on every rerun.
Those are counted up to `COUNT_CAP` orders only (`count(*)` of a `LIMIT cap + 1` subquery,
which stops at the first cap + 1 matches); the totals per currency come from the same rows, so
they are exact whenever the count is. Past the cap the grid says "more than 1,000 orders" and
offers the exact count and totals on demand (grid_count_and_totals, the same filters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.models import Order
from orders_core.permissions import Actor
from queries.grid import TOTALS_COLUMNS, GridFilters, filter_conditions, grid_count_and_totals
from queries.grid_search import search_conditions
from queries.sql import money_sum

COUNT_CAP = 1000


@dataclass(frozen=True)
class GridCount:
    """The orders of the filtered set: `orders` exact when `exact`, else a lower bound (more than
    `cap` matched: `orders` is then cap + 1 and `totals` is None)."""

    orders: int
    exact: bool
    totals: pd.DataFrame | None
    cap: int = COUNT_CAP


def is_costly(filters: GridFilters) -> bool:
    """True when an exact count would visit every matching order: a text search (not an order
    number) or a payment-date range, which no summary table serves."""
    return bool(filters.search_text()) or filters.paid_from is not None or filters.paid_to is not None


def grid_count(engine: Engine, filters: GridFilters, *, principal: Actor, cap: int | None = None) -> GridCount:
    """The count and per-currency totals of the filtered set for one rerun of the grid: exact
    (grid_count_and_totals) unless the filters are costly (is_costly) and more than `cap`
    (default COUNT_CAP) orders match. The principal's events only; a marketer's search matches
    numbers and codes only (the same filter_conditions as the page)."""
    limit = COUNT_CAP if cap is None else cap
    if not is_costly(filters):  # order_summary, or a direct count that an index keeps small
        count, totals = grid_count_and_totals(engine, filters, principal=principal)
        return GridCount(count, True, totals, limit)
    conditions = filter_conditions(filters, principal=principal, with_search=False)
    with engine.connect() as conn:
        if filters.search_text():
            conditions, ids = search_conditions(
                conn, filters.search_text(), conditions, principal=principal, limit=limit
            )
            if ids is None:  # more than `limit` orders match the search
                return GridCount(limit + 1, False, None, limit)
        first = select(Order.currency, Order.total_ht, Order.total_ttc).where(*conditions).limit(limit + 1).subquery()
        rows = conn.execute(
            select(first.c.currency, func.count(), money_sum(first.c.total_ht), money_sum(first.c.total_ttc)).group_by(
                first.c.currency
            )
        ).all()
    count = sum(int(n) for _c, n, _ht, _ttc in rows)
    if count > limit:
        return GridCount(limit + 1, False, None, limit)
    return GridCount(count, True, _table(rows), limit)


def _table(rows: Sequence[Any]) -> pd.DataFrame:
    records = [(c, int(n), Decimal(ht or 0), Decimal(ttc or 0)) for c, n, ht, ttc in sorted(rows) if n]
    return pd.DataFrame(records, columns=TOTALS_COLUMNS)


__all__ = ["COUNT_CAP", "GridCount", "grid_count", "is_costly"]
