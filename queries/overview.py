"""The first page's figures: orders by status, per currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.models import Order
from orders_core.status import Status
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


@dataclass(frozen=True)
class CurrencyHeadline:
    """The overview's row of figures for one currency (exact Decimals)."""

    currency: str
    revenue_ttc: Decimal  # paid orders, incl. tax
    paid_orders: int
    awaiting_ttc: Decimal  # invoice orders waiting for their money


def currency_headlines(figures: pd.DataFrame) -> list[CurrencyHeadline]:
    """Per currency (sorted), from `orders_by_status`: never a sum across currencies."""
    headlines = []
    for currency in sorted(figures["currency"].unique()):
        rows = figures[figures["currency"] == currency]
        paid = rows[rows["status"] == Status.PAID.value]
        awaiting = rows[rows["status"] == Status.AWAITING_PAYMENT.value]
        headlines.append(
            CurrencyHeadline(
                currency=currency,
                revenue_ttc=sum(paid["total_ttc"], Decimal("0.00")),
                paid_orders=int(paid["orders"].sum()),
                awaiting_ttc=sum(awaiting["total_ttc"], Decimal("0.00")),
            )
        )
    return headlines
