"""The finance dashboard's refunds (issue 20): money given back in the range, per method and
currency, and what was received net of it. Read straight from `refunds` (a small table; no
summary), in whole cents so SQLite's float storage cannot bend a sum."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import BigInteger, Engine, cast, func, select

from orders_core.models import Order, Refund
from orders_core.permissions import Actor
from queries.dashboards.filters import DashboardFilters, events_of, money


def refunds_by_method(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per method and currency: refunds made in the range (UTC days) and their amount."""
    start = datetime.combine(filters.start, time(0), tzinfo=UTC)
    end = datetime.combine(filters.end + timedelta(days=1), time(0), tzinfo=UTC)
    cents = func.coalesce(func.sum(cast(func.round(Refund.amount * 100), BigInteger)), 0)
    query = (
        select(Refund.method, Refund.currency, func.count(), cents)
        .join(Order, Order.id == Refund.order_id)
        .where(
            Refund.refunded_at >= start,
            Refund.refunded_at < end,
            Order.deleted_at.is_(None),
            *events_of(Order.event_id, filters, principal),
        )
        .group_by(Refund.method, Refund.currency)
        .order_by(Refund.currency, Refund.method)
    )
    with engine.connect() as conn:
        rows = [(str(m), c, int(n), money(a)) for m, c, n, a in conn.execute(query)]
    return pd.DataFrame(rows, columns=["method", "currency", "refunds", "amount"])


def net_received(payments: pd.DataFrame, refunds: pd.DataFrame) -> pd.DataFrame:
    """Per currency: received, refunded, net (never added across currencies)."""
    totals: dict[str, list[Decimal]] = {}
    for currency, amount in zip(payments["currency"], payments["amount"], strict=True):
        totals.setdefault(currency, [Decimal("0.00"), Decimal("0.00")])[0] += Decimal(amount)
    for currency, amount in zip(refunds["currency"], refunds["amount"], strict=True):
        totals.setdefault(currency, [Decimal("0.00"), Decimal("0.00")])[1] += Decimal(amount)
    rows = [(c, paid, back, paid - back) for c, (paid, back) in sorted(totals.items())]
    return pd.DataFrame(rows, columns=["currency", "received", "refunded", "net"])
