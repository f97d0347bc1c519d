"""Sales dashboard (event managers): revenue and orders per currency, over time, per tariff
against capacity, orders by status, payment modes, discount codes, organiser vs online.

Revenue is the HT / TTC total of paid orders, dated by the UTC day the order was created: what
was sold, before any refund. The money actually kept is `received_ttc`: the amount paid on the
orders created in the period, net of refunds (`orders.amount_paid` = payments - refunds)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, false, func, select
from sqlalchemy.sql.elements import KeyedColumnElement

from orders_core.models import DashLineFact, DashOrderFact, Tariff
from orders_core.permissions import Actor
from orders_core.status import ADMITTING_KINDS, AWAITING_STATUSES, STATUS_GROUPS, Status
from queries.dashboards.filters import (
    DashboardFilters,
    as_day,
    bucket_of,
    cents_sum,
    change,
    events_of,
    frame,
    money,
    ratio,
    rows_of,
    summed,
    where_facts,
)

F = DashOrderFact.__table__
L = DashLineFact.__table__
PAID = Status.PAID.value
_GROUP_OF = {status.value: group for group, statuses in STATUS_GROUPS.items() for status in statuses}
_paid = case((F.c.status == PAID, F.c.orders), else_=0)


def status_group(status: str) -> str:
    """validated / pending / not_completed (domain.md), `other` for the two transient statuses."""
    return _GROUP_OF.get(status, "other")


def headline(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per period (today, this week, the filtered period) and currency: orders, paid orders,
    revenue HT / TTC (paid orders' totals) and received TTC (paid on the period's orders, net of
    refunds), with the previous period's figures and the relative change."""
    today = filters.today
    monday = today - timedelta(days=today.weekday())
    periods = {
        "today": (today, today, today - timedelta(days=1), today - timedelta(days=1)),
        "week": (monday, today, monday - timedelta(days=7), today - timedelta(days=7)),
        "period": (filters.start, filters.end, filters.previous().start, filters.previous().end),
    }
    first = min(p[2] for p in periods.values())
    last = max(p[1] for p in periods.values())
    query = where_facts(
        select(
            F.c.day,
            F.c.currency,
            func.sum(F.c.orders),
            func.sum(_paid),
            cents_sum(case((F.c.status == PAID, F.c.total_ht_cents), else_=0)),
            cents_sum(case((F.c.status == PAID, F.c.total_ttc_cents), else_=0)),
            cents_sum(F.c.amount_paid_cents),
        ),
        F,
        filters,
        principal=principal,
        start=first,
        end=last,
    ).group_by(F.c.day, F.c.currency)
    daily = rows_of(engine, query)
    rows = []
    for currency in sorted({r[1] for r in daily}):
        for period, (start, end, previous_start, previous_end) in periods.items():
            now = summed([r for r in daily if r[1] == currency and start <= as_day(r[0]) <= end], lambda r: (), 5)
            before = summed(
                [r for r in daily if r[1] == currency and previous_start <= as_day(r[0]) <= previous_end],
                lambda r: (),
                5,
            )
            orders, paid, ht, ttc, received = now.get((), [0, 0, 0, 0, 0])
            p_orders, p_paid, p_ht, p_ttc, p_received = before.get((), [0, 0, 0, 0, 0])
            rows.append(
                dict(
                    period=period,
                    currency=currency,
                    orders=orders,
                    paid_orders=paid,
                    revenue_ht=money(ht),
                    revenue_ttc=money(ttc),
                    received_ttc=money(received),
                    previous_orders=p_orders,
                    previous_paid_orders=p_paid,
                    previous_revenue_ht=money(p_ht),
                    previous_revenue_ttc=money(p_ttc),
                    previous_received_ttc=money(p_received),
                    change_paid_orders=change(paid, p_paid),
                    change_revenue_ttc=change(money(ttc), money(p_ttc)),
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "period",
            "currency",
            "orders",
            "paid_orders",
            "revenue_ht",
            "revenue_ttc",
            "received_ttc",
            "previous_orders",
            "previous_paid_orders",
            "previous_revenue_ht",
            "previous_revenue_ttc",
            "previous_received_ttc",
            "change_paid_orders",
            "change_revenue_ttc",
        ],
    )


def sales_over_time(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per time bucket (filters.granularity), status group and currency: orders and TTC total."""
    query = where_facts(
        select(F.c.day, F.c.status, F.c.currency, func.sum(F.c.orders), cents_sum(F.c.total_ttc_cents)),
        F,
        filters,
        principal=principal,
    ).group_by(F.c.day, F.c.status, F.c.currency)
    totals = summed(
        rows_of(engine, query), lambda r: (bucket_of(as_day(r[0]), filters.granularity), status_group(r[1]), r[2]), 2
    )
    rows = [(*k, n, money(c)) for k, (n, c) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1]))]
    return pd.DataFrame(rows, columns=["bucket", "status_group", "currency", "orders", "total_ttc"])


def tariff_sales(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Badges and tickets per tariff, all time (capacity is for the whole event): units sold
    (paid orders), units reserved (orders pending payment or validation), capacity, what
    remains, fill rate, and TTC revenue of the paid units."""
    active = AWAITING_STATUSES
    admitting = sorted(ADMITTING_KINDS)
    query_sold = (
        select(
            L.c.tariff_id,
            func.sum(case((L.c.status == PAID, L.c.quantity), else_=0)).label("sold"),
            func.sum(case((L.c.status.in_(active), L.c.quantity), else_=0)).label("reserved"),
            cents_sum(case((L.c.status == PAID, L.c.total_ttc_cents), else_=0)).label("cents"),
        )
        .where(L.c.deleted == false(), L.c.kind.in_(admitting), *events_of(L.c.event_id, filters, principal))
        .group_by(L.c.tariff_id)
    )
    sold = query_sold.subquery()
    query = (
        select(
            Tariff.id,
            Tariff.event_id,
            Tariff.name,
            Tariff.kind,
            Tariff.currency,
            Tariff.capacity,
            func.coalesce(sold.c.sold, 0),
            func.coalesce(sold.c.reserved, 0),
            func.coalesce(sold.c.cents, 0),
        )
        .outerjoin(sold, sold.c.tariff_id == Tariff.id)
        .where(Tariff.kind.in_(admitting), *events_of(Tariff.event_id, filters, principal))
        .order_by(Tariff.event_id, Tariff.id)
    )
    df = frame(
        engine,
        query,
        ["tariff_id", "event_id", "tariff", "kind", "currency", "capacity", "sold", "reserved", "revenue_ttc"],
        money_columns=("revenue_ttc",),
    )
    df["sold"] = df["sold"].astype("int64")
    df["reserved"] = df["reserved"].astype("int64")
    df["capacity"] = df["capacity"].astype("Int64")
    df["remaining"] = (df["capacity"] - df["sold"] - df["reserved"]).astype("Int64")
    df["fill_rate"] = [ratio(s, c) if pd.notna(c) else None for s, c in zip(df["sold"], df["capacity"])]
    return df


def orders_by_status(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Orders created in the range per status (every status, zero included), with their share of
    all the orders created. Not a funnel: an order's status is where it ended, not a stage every
    paid order went through, and no table records the carts started (issue 18)."""
    query = where_facts(select(F.c.status, func.sum(F.c.orders)), F, filters, principal=principal).group_by(F.c.status)
    with engine.connect() as conn:
        counts = {status: int(n) for status, n in conn.execute(query)}
    created = sum(counts.values())
    rows = [(s.value, counts.get(s.value, 0), ratio(counts.get(s.value, 0), created)) for s in Status]
    return pd.DataFrame(rows, columns=["status", "orders", "share"])


def paid_share(by_status: pd.DataFrame) -> float | None:
    """The share of the orders created that are paid, from `orders_by_status`."""
    share = by_status.loc[by_status["status"] == PAID, "share"].iloc[0]
    return None if share is None or pd.isna(share) else float(share)


def _split(
    engine: Engine, filters: DashboardFilters, column: KeyedColumnElement[Any], name: str, principal: Actor
) -> pd.DataFrame:
    query = (
        where_facts(
            select(
                column,
                F.c.currency,
                func.sum(F.c.orders),
                func.sum(_paid),
                cents_sum(case((F.c.status == PAID, F.c.total_ht_cents), else_=0)),
                cents_sum(case((F.c.status == PAID, F.c.total_ttc_cents), else_=0)),
            ),
            F,
            filters,
            principal=principal,
        )
        .group_by(column, F.c.currency)
        .order_by(F.c.currency, column)
    )
    return frame(
        engine,
        query,
        [name, "currency", "orders", "paid_orders", "revenue_ht", "revenue_ttc"],
        money_columns=("revenue_ht", "revenue_ttc"),
    )


def payment_modes(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per payment mode and currency: orders, paid orders, revenue HT / TTC."""
    return _split(engine, filters, F.c.payment_mode, "payment_mode", principal)


def sources(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Organiser (back-office) vs online orders, per currency."""
    return _split(engine, filters, F.c.source, "source", principal)


def discount_codes(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per code and currency: orders using it, paid ones, their TTC revenue, and the amount
    given away (HT discounts of the paid orders' lines)."""
    used = _split(engine, filters, F.c.discount_code, "discount_code", principal)
    used = used[used["discount_code"] != ""]
    query = where_facts(
        select(L.c.discount_code, L.c.currency, cents_sum(L.c.discount_cents)).where(
            L.c.status == PAID, L.c.discount_code != ""
        ),
        L,
        filters,
        principal=principal,
    ).group_by(L.c.discount_code, L.c.currency)
    given = frame(engine, query, ["discount_code", "currency", "given_away"], money_columns=("given_away",))
    df = used.merge(given, on=["discount_code", "currency"], how="left")
    df["given_away"] = pd.Series(
        [v if isinstance(v, type(money(0))) else money(0) for v in df["given_away"]], index=df.index, dtype=object
    )
    return df[["discount_code", "currency", "orders", "paid_orders", "revenue_ttc", "given_away"]].sort_values(
        ["currency", "orders"], ascending=[True, False], ignore_index=True
    )


def page_queries(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> dict[str, pd.DataFrame]:
    """Everything the sales page shows (the benchmark runs this)."""
    return {
        name: fn(engine, filters, principal=principal)
        for name, fn in (
            ("headline", headline),
            ("over_time", sales_over_time),
            ("tariffs", tariff_sales),
            ("by_status", orders_by_status),
            ("payment_modes", payment_modes),
            ("discount_codes", discount_codes),
            ("sources", sources),
        )
    }
