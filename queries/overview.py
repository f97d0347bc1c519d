"""The first page's figures: orders by status, per currency."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.models import Order
from queries.sql import money_sum


def orders_by_status(engine: Engine) -> pd.DataFrame:
    """One row per (status, currency) of the orders not deleted: count and totals HT / TTC.
    Money stays Decimal (object columns): never summed across currencies."""
    query = (
        select(
            Order.status,
            Order.currency,
            func.count().label("orders"),
            money_sum(Order.total_ht).label("total_ht"),
            money_sum(Order.total_ttc).label("total_ttc"),
            money_sum(Order.amount_paid).label("amount_paid"),
        )
        .where(Order.deleted_at.is_(None))
        .group_by(Order.status, Order.currency)
        .order_by(Order.currency, Order.status)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["status", "currency", "orders", "total_ht", "total_ttc", "amount_paid"])
