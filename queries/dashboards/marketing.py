"""Marketing dashboard: where buyers come from (UTM source -> medium -> campaign), what converts
and what each channel earns, per currency. An order without a UTM value is counted under ''
(shown as "(none)")."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, func, select

from orders_core.models import DashUtmFact
from orders_core.permissions import Actor
from queries.dashboards.filters import (
    DashboardFilters,
    as_day,
    bucket_of,
    cents_sum,
    frame,
    money,
    ratio,
    rows_of,
    summed,
    where_facts,
)

U = DashUtmFact.__table__
LEVELS = ("utm_source", "utm_medium", "utm_campaign")
_paid = U.c.paid_orders
_revenue = cents_sum(U.c.paid_ttc_cents)
_abandoned = U.c.abandoned_orders
_FIGURES = ["orders", "paid_orders", "conversion_rate", "revenue_ttc"]


def _with_rates(df: pd.DataFrame) -> pd.DataFrame:
    df["conversion_rate"] = [ratio(p, o) for p, o in zip(df["paid_orders"], df["orders"])]
    return df


def utm_breakdown(
    engine: Engine,
    filters: DashboardFilters,
    source: str | None = None,
    medium: str | None = None,
    *,
    principal: Actor,
) -> pd.DataFrame:
    """One drill-down level per currency: sources; the mediums of `source`; or the campaigns
    of `source` + `medium`. Orders, paid orders, conversion rate (paid / orders), TTC revenue."""
    level = U.c.utm_source if source is None else (U.c.utm_medium if medium is None else U.c.utm_campaign)
    query = select(level, U.c.currency, func.sum(U.c.orders), func.sum(_paid), _revenue)
    if source is not None:
        query = query.where(U.c.utm_source == source)
    if medium is not None:
        query = query.where(U.c.utm_medium == medium)
    query = (
        where_facts(query, U, filters, principal=principal).group_by(level, U.c.currency).order_by(U.c.currency, level)
    )
    df = frame(
        engine, query, [level.name, "currency", "orders", "paid_orders", "revenue_ttc"], money_columns=("revenue_ttc",)
    )
    return _with_rates(df)[[level.name, "currency", *_FIGURES]]


def utm_tree(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Every (source, medium, campaign) and currency with its figures: the whole drill-down."""
    query = (
        where_facts(
            select(*[U.c[c] for c in LEVELS], U.c.currency, func.sum(U.c.orders), func.sum(_paid), _revenue),
            U,
            filters,
            principal=principal,
        )
        .group_by(*[U.c[c] for c in LEVELS], U.c.currency)
        .order_by(U.c.currency, *[U.c[c] for c in LEVELS])
    )
    df = frame(
        engine, query, [*LEVELS, "currency", "orders", "paid_orders", "revenue_ttc"], money_columns=("revenue_ttc",)
    )
    return _with_rates(df)[[*LEVELS, "currency", *_FIGURES]]


def utm_over_time(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per time bucket, source and currency: orders, paid orders, TTC revenue."""
    query = where_facts(
        select(U.c.day, U.c.utm_source, U.c.currency, func.sum(U.c.orders), func.sum(_paid), _revenue),
        U,
        filters,
        principal=principal,
    ).group_by(U.c.day, U.c.utm_source, U.c.currency)
    totals = summed(rows_of(engine, query), lambda r: (bucket_of(as_day(r[0]), filters.granularity), r[1], r[2]), 3)
    rows = [
        (*k, n, p, money(c)) for k, (n, p, c) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1]))
    ]
    return pd.DataFrame(rows, columns=["bucket", "utm_source", "currency", "orders", "paid_orders", "revenue_ttc"])


TOP_SOURCES = 5


def top_sources_over_time(over_time: pd.DataFrame, top: int = TOP_SOURCES) -> pd.DataFrame:
    """`utm_over_time` for a readable chart: orders (counts, every currency together) per bucket
    for the `top` sources with most orders in the range, and the rest under one row per bucket
    (`other` True, `utm_source` ''); `rank` orders the series (0: most orders, the rest last).
    Money is not summed here: it stays per currency."""
    columns = ["bucket", "utm_source", "other", "rank", "orders"]
    if over_time.empty:
        return pd.DataFrame(columns=columns)
    per_source = over_time.groupby("utm_source")["orders"].sum()
    ranked = sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = {source for source, _n in ranked[:top]}
    other = ~over_time["utm_source"].isin(kept)
    marked = over_time.assign(other=other, utm_source=over_time["utm_source"].where(~other, ""))
    df = marked.groupby(["bucket", "utm_source", "other"], as_index=False).agg(orders=("orders", "sum"))
    order = {source: i for i, (source, _n) in enumerate(ranked)}
    df["rank"] = [len(order) if o else order[s] for s, o in zip(df["utm_source"], df["other"], strict=True)]
    return df.sort_values(["bucket", "rank"], ignore_index=True)[columns]


def top_campaigns(engine: Engine, filters: DashboardFilters, limit: int = 10, *, principal: Actor) -> pd.DataFrame:
    """The `limit` campaigns earning most per currency (then most paid orders); orders without
    a campaign left out."""
    tree = utm_tree(engine, filters, principal=principal)
    tree = tree[tree["utm_campaign"] != ""]
    if tree.empty:
        return tree.assign(rank=pd.Series(dtype="int64"))
    tree = tree.assign(_cents=[int(v * 100) for v in tree["revenue_ttc"]])
    tree = tree.sort_values(
        ["currency", "_cents", "paid_orders", "utm_campaign"], ascending=[True, False, False, True], ignore_index=True
    )
    tree["rank"] = tree.groupby("currency").cumcount() + 1
    return tree[tree["rank"] <= limit].drop(columns="_cents").reset_index(drop=True)


def campaign_codes(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Campaign x discount code per currency: which codes each campaign's buyers used."""
    query = (
        where_facts(
            select(
                U.c.utm_campaign, U.c.discount_code, U.c.currency, func.sum(U.c.orders), func.sum(_paid), _revenue
            ).where((U.c.utm_campaign != "") | (U.c.discount_code != "")),
            U,
            filters,
            principal=principal,
        )
        .group_by(U.c.utm_campaign, U.c.discount_code, U.c.currency)
        .order_by(U.c.currency, U.c.utm_campaign, U.c.discount_code)
    )
    df = frame(
        engine,
        query,
        ["utm_campaign", "discount_code", "currency", "orders", "paid_orders", "revenue_ttc"],
        money_columns=("revenue_ttc",),
    )
    return _with_rates(df)[["utm_campaign", "discount_code", "currency", *_FIGURES]]


def utm_coverage(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """One row: orders, orders with any UTM value, without any, and the share without."""
    without = case(((U.c.utm_source == "") & (U.c.utm_medium == "") & (U.c.utm_campaign == ""), U.c.orders), else_=0)
    query = where_facts(select(func.sum(U.c.orders), func.sum(without)), U, filters, principal=principal)
    with engine.connect() as conn:
        total, missing = conn.execute(query).one()
    total, missing = int(total or 0), int(missing or 0)
    return pd.DataFrame(
        [(total, total - missing, missing, ratio(missing, total))],
        columns=["orders", "with_utm", "without_utm", "share_without_utm"],
    )


def abandoned_by_source(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per UTM source: orders, carts never completed, and the abandonment rate."""
    query = (
        where_facts(
            select(U.c.utm_source, func.sum(U.c.orders), func.sum(_abandoned)),
            U,
            filters,
            principal=principal,
        )
        .group_by(U.c.utm_source)
        .order_by(U.c.utm_source)
    )
    df = frame(engine, query, ["utm_source", "orders", "abandoned_carts"])
    df["abandoned_carts"] = df["abandoned_carts"].astype("int64")
    df["abandon_rate"] = [ratio(a, o) for a, o in zip(df["abandoned_carts"], df["orders"])]
    return df


def page_queries(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> dict[str, pd.DataFrame]:
    """Everything the marketing page shows on load (the benchmark runs this)."""
    return {
        name: fn(engine, filters, principal=principal)
        for name, fn in (
            ("sources", utm_breakdown),
            ("tree", utm_tree),
            ("over_time", utm_over_time),
            ("top", top_campaigns),
            ("codes", campaign_codes),
            ("coverage", utm_coverage),
            ("abandoned", abandoned_by_source),
        )
    }
