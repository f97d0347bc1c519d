"""Finance dashboard: receivables by age, payments received, reconciliation figures, and the
accounting exports (payments; orders with tax per rate).

Receivables are the invoice orders awaiting payment, whatever the date range (what is owed
today), aged in whole UTC days since the order was created."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.i18n import as_utc
from orders_core.models import DashOrderFact, DashPaymentFact, Event, Order, OrderLine, Payment
from orders_core.permissions import Actor, require
from orders_core.status import PaymentMode, Status
from queries.dashboards.filters import (
    DashboardFilters,
    as_day,
    bucket_of,
    cents_sum,
    frame,
    money,
    rows_of,
    summed,
    where_facts,
)
from queries.sql import AnySelect, money_sum

F = DashOrderFact.__table__
P = DashPaymentFact.__table__
AWAITING = Status.AWAITING_PAYMENT.value
INVOICE = PaymentMode.INVOICE.value
# (label, first day, last day) of each age bucket; None = no upper bound.
AGE_BUCKETS = (("0-15", 0, 15), ("16-30", 16, 30), ("31-60", 31, 60), (">60", 61, None))


def age_bucket(days: int) -> str:
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]  # created "in the future" (clock skew): youngest bucket


def order_link(number: int) -> str:
    """The order's page (the grid helper's detail view), where finance validates it."""
    return f"/order?order={number}"


def _receivable_facts(filters: DashboardFilters) -> AnySelect:
    return where_facts(
        select(
            F.c.day, F.c.currency, func.sum(F.c.orders), cents_sum(F.c.total_ttc_cents - F.c.amount_paid_cents)
        ).where(F.c.status == AWAITING, F.c.payment_mode == INVOICE),
        F,
        filters,
        dated=False,
    ).group_by(F.c.day, F.c.currency)


def receivables_by_age(engine: Engine, filters: DashboardFilters) -> pd.DataFrame:
    """Per age bucket and currency: invoice orders awaiting payment and the amount due."""
    totals = summed(
        rows_of(engine, _receivable_facts(filters)),
        lambda r: (age_bucket((filters.today - as_day(r[0])).days), r[1]),
        2,
    )
    position = {label: i for i, (label, _, _) in enumerate(AGE_BUCKETS)}
    ordered = sorted(totals.items(), key=lambda kv: (kv[0][1], position[kv[0][0]]))
    # A summary row can count zero orders once they were all paid (the trigger keeps the key).
    rows = [(*k, n, money(c)) for k, (n, c) in ordered if n]
    return pd.DataFrame(rows, columns=["bucket", "currency", "orders", "amount_due"])


def oldest_receivables(engine: Engine, filters: DashboardFilters, limit: int = 100) -> pd.DataFrame:
    """The `limit` oldest invoice orders awaiting payment, oldest first, with their age, amount
    due and a link to the order (uses the status + created_at index)."""
    query = (
        select(
            Order.number,
            Event.name,
            Order.buyer_first_name,
            Order.buyer_last_name,
            Order.buyer_email,
            Order.company_name,
            Order.currency,
            Order.total_ttc,
            Order.amount_paid,
            Order.created_at,
        )
        .join(Event, Event.id == Order.event_id)
        .where(Order.status == AWAITING, Order.payment_mode == INVOICE, Order.deleted_at.is_(None))
        .order_by(Order.created_at, Order.id)
        .limit(limit)
    )
    if filters.event_ids:
        query = query.where(Order.event_id.in_(filters.event_ids))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    columns = [
        "number",
        "event",
        "buyer",
        "email",
        "company",
        "currency",
        "total_ttc",
        "amount_due",
        "created_at",
        "age_days",
        "bucket",
        "link",
    ]
    records = []
    for number, event, first, last, email, company, currency, ttc, paid, created in rows:
        created = as_utc(created)
        created_day = created.date()
        age = (filters.today - created_day).days
        records.append(
            (
                number,
                event,
                f"{first} {last}".strip(),
                email,
                company,
                currency,
                money(round(ttc * 100)),
                money(round(ttc * 100) - round(paid * 100)),
                created,
                age,
                age_bucket(age),
                order_link(number),
            )
        )
    return pd.DataFrame(records, columns=columns)


def payments_by_day(engine: Engine, filters: DashboardFilters) -> pd.DataFrame:
    """Per time bucket of the day received, method and currency: payments and amount."""
    query = where_facts(
        select(P.c.day, P.c.method, P.c.currency, func.sum(P.c.payments), cents_sum(P.c.amount_cents)),
        P,
        filters,
    ).group_by(P.c.day, P.c.method, P.c.currency)
    totals = summed(rows_of(engine, query), lambda r: (bucket_of(as_day(r[0]), filters.granularity), r[1], r[2]), 2)
    rows = [(*k, n, money(c)) for k, (n, c) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1]))]
    return pd.DataFrame(rows, columns=["bucket", "method", "currency", "payments", "amount"])


def payments_by_method(engine: Engine, filters: DashboardFilters) -> pd.DataFrame:
    """Per method and currency: payments received in the range and their amount."""
    query = (
        where_facts(
            select(P.c.method, P.c.currency, func.sum(P.c.payments), cents_sum(P.c.amount_cents)),
            P,
            filters,
        )
        .group_by(P.c.method, P.c.currency)
        .order_by(P.c.currency, P.c.method)
    )
    return frame(engine, query, ["method", "currency", "payments", "amount"], money_columns=("amount",))


def reconciliation(engine: Engine, filters: DashboardFilters) -> pd.DataFrame:
    """Per currency, for the orders created in the range that were billed (paid or awaiting
    payment): billed TTC, paid on them, balance due; and the payments received in the range."""
    billed_statuses = (Status.PAID.value, AWAITING)
    billed = where_facts(
        select(
            F.c.currency, func.sum(F.c.orders), cents_sum(F.c.total_ttc_cents), cents_sum(F.c.amount_paid_cents)
        ).where(F.c.status.in_(billed_statuses)),
        F,
        filters,
    ).group_by(F.c.currency)
    billed_df = frame(
        engine,
        billed,
        ["currency", "billed_orders", "billed_ttc", "paid_on_billed"],
        money_columns=("billed_ttc", "paid_on_billed"),
    )
    received = where_facts(select(P.c.currency, cents_sum(P.c.amount_cents)), P, filters).group_by(P.c.currency)
    received_df = frame(engine, received, ["currency", "received"], money_columns=("received",))
    df = billed_df.merge(received_df, on="currency", how="outer").sort_values("currency", ignore_index=True)
    zero = money(0)
    for column in ("billed_ttc", "paid_on_billed", "received"):
        df[column] = pd.Series([v if not pd.isna(v) else zero for v in df[column]], index=df.index, dtype=object)
    df["billed_orders"] = df["billed_orders"].fillna(0).astype("int64")
    df["balance_due"] = pd.Series(
        [b - p for b, p in zip(df["billed_ttc"], df["paid_on_billed"])], index=df.index, dtype=object
    )
    return df[["currency", "billed_orders", "billed_ttc", "paid_on_billed", "balance_due", "received"]]


def _range(filters: DashboardFilters) -> tuple[datetime, datetime]:
    start = datetime.combine(filters.start, time.min, tzinfo=UTC)
    return start, datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=UTC)


def payments_export(engine: Engine, filters: DashboardFilters, *, actor: Actor) -> pd.DataFrame:
    """Accounting export: every payment received in the range, with its order and event. Only
    for roles with `orders.export` (`NotAllowed` otherwise)."""
    require(actor, "orders.export")
    start, end = _range(filters)
    query = (
        select(
            Payment.received_at,
            Order.number,
            Event.name,
            Payment.method,
            Payment.currency,
            money_sum(Payment.amount),
            Payment.reference,
            Order.company_name,
            Order.buyer_email,
        )
        .join(Order, Order.id == Payment.order_id)
        .join(Event, Event.id == Order.event_id)
        .where(Payment.received_at >= start, Payment.received_at < end)
        .group_by(
            Payment.id,
            Payment.received_at,
            Order.number,
            Event.name,
            Payment.method,
            Payment.currency,
            Payment.reference,
            Order.company_name,
            Order.buyer_email,
        )
        .order_by(Payment.received_at, Payment.id)
    )
    if filters.event_ids:
        query = query.where(Order.event_id.in_(filters.event_ids))
    with engine.connect() as conn:
        rows = [(as_utc(r[0]), *r[1:]) for r in conn.execute(query)]
    return pd.DataFrame(
        rows,
        columns=[
            "received_at",
            "order_number",
            "event",
            "method",
            "currency",
            "amount",
            "reference",
            "company",
            "buyer_email",
        ],
    )


def _rate(value: Decimal | float | str) -> Decimal:
    """20.000 -> 20, 14.975 stays: the rate as printed on an invoice."""
    return Decimal(f"{Decimal(str(value)).quantize(Decimal('0.001')).normalize():f}")


def orders_tax_export(engine: Engine, filters: DashboardFilters, *, actor: Actor) -> pd.DataFrame:
    """Accounting export: billed orders (paid or awaiting payment) created in the range, one
    row per order and tax rate, with HT, tax and TTC. Only for roles with `orders.export`."""
    require(actor, "orders.export")
    start, end = _range(filters)
    query = (
        select(
            Order.number,
            Event.name,
            Order.created_at,
            Order.paid_at,
            Order.status,
            Order.currency,
            Order.company_name,
            Order.vat_number,
            OrderLine.tax_rate,
            money_sum(OrderLine.total_ht),
            money_sum(OrderLine.total_ttc),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Event, Event.id == Order.event_id)
        .where(
            Order.created_at >= start,
            Order.created_at < end,
            Order.deleted_at.is_(None),
            Order.status.in_((Status.PAID.value, AWAITING)),
        )
        .group_by(
            Order.id,
            Order.number,
            Event.name,
            Order.created_at,
            Order.paid_at,
            Order.status,
            Order.currency,
            Order.company_name,
            Order.vat_number,
            OrderLine.tax_rate,
        )
        .order_by(Order.created_at, Order.id, OrderLine.tax_rate)
    )
    if filters.event_ids:
        query = query.where(Order.event_id.in_(filters.event_ids))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    records = [
        (r[0], r[1], as_utc(r[2]), as_utc(r[3]) if r[3] else None, *r[4:8], _rate(r[8]), r[9], r[10] - r[9], r[10])
        for r in rows
    ]
    return pd.DataFrame(
        records,
        columns=[
            "order_number",
            "event",
            "created_at",
            "paid_at",
            "status",
            "currency",
            "company",
            "vat_number",
            "tax_rate",
            "total_ht",
            "tax",
            "total_ttc",
        ],
    )


def page_queries(engine: Engine, filters: DashboardFilters) -> dict[str, pd.DataFrame]:
    """Everything the finance page shows on load (the exports run on demand)."""
    return {
        name: fn(engine, filters)
        for name, fn in (
            ("receivables", receivables_by_age),
            ("oldest", oldest_receivables),
            ("by_day", payments_by_day),
            ("by_method", payments_by_method),
            ("reconciliation", reconciliation),
        )
    }
