"""Finance dashboard: receivables by age, payments received, reconciliation figures, and the
accounting exports (payments; orders with tax per rate).

Receivables are what is owed today, whatever the date range: the invoice orders awaiting payment
and the orders owing a balance (payment state `partially_paid`: a paid organiser order after added
tickets, a part payment), aged in whole UTC days since the order was created. Payments and
refunds are shown with their net per currency (issue 20)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, literal, select

from orders_core.i18n import as_utc
from orders_core.models import DashOrderFact, DashPaymentFact, DashRefundFact, Event, Order, OrderLine, Payment, Refund
from orders_core.permissions import Actor, require
from orders_core.scope import personal
from orders_core.status import PaymentMode, Status
from queries.dashboards import due as by_due_date  # receivables by due date (issue 15)
from queries.dashboards.filters import (
    DashboardFilters,
    as_day,
    bucket_of,
    cents_sum,
    events_of,
    money,
    rows_of,
    summed,
    where_facts,
)
from queries.pending import awaiting_invoice, owing_balance, receivable
from queries.sql import CENT, AnySelect, money_sum, refunded_sum

F = DashOrderFact.__table__
P = DashPaymentFact.__table__
R = DashRefundFact.__table__
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


def _receivable_facts(filters: DashboardFilters, principal: Actor) -> AnySelect:
    return where_facts(
        select(
            F.c.day, F.c.currency, func.sum(F.c.orders), cents_sum(F.c.total_ttc_cents - F.c.amount_paid_cents)
        ).where(F.c.status == AWAITING, F.c.payment_mode == INVOICE),
        F,
        filters,
        principal=principal,
        dated=False,
    ).group_by(F.c.day, F.c.currency)


def _balance_rows(filters: DashboardFilters, principal: Actor) -> AnySelect:
    """The orders owing a balance that the invoice facts do not count (the partial index
    `ix_orders_balance_due` finds them): (created_at, currency, 1, cents due)."""
    refunded = refunded_sum(in_sql=True)  # total - payments: the one balance rule
    query = select(
        Order.created_at,
        Order.currency,
        literal(1),
        func.round((Order.total_ttc - Order.amount_paid - refunded) * 100),
    ).where(
        owing_balance(), ~awaiting_invoice(), Order.deleted_at.is_(None), *events_of(Order.event_id, filters, principal)
    )
    return query


def receivables_by_age(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per age bucket and currency: orders finance waits money for (invoices awaiting payment,
    balances due) and the amount due."""
    rows = rows_of(engine, _receivable_facts(filters, principal)) + rows_of(engine, _balance_rows(filters, principal))
    totals = summed(rows, lambda r: (age_bucket((filters.today - as_day(r[0])).days), r[1]), 2)
    position = {label: i for i, (label, _, _) in enumerate(AGE_BUCKETS)}
    ordered = sorted(totals.items(), key=lambda kv: (kv[0][1], position[kv[0][0]]))
    # A summary row can count zero orders once they were all paid (the trigger keeps the key).
    rows = [(*k, n, money(c)) for k, (n, c) in ordered if n]
    return pd.DataFrame(rows, columns=["bucket", "currency", "orders", "amount_due"])


def oldest_receivables(
    engine: Engine, filters: DashboardFilters, limit: int = 100, *, principal: Actor
) -> pd.DataFrame:
    """The `limit` oldest orders finance waits money for (invoices awaiting payment, balances
    due), oldest first, with their age, amount due and a link to the order (the status +
    created_at index and the balance-due partial index)."""
    query = (
        select(
            Order.number,
            Event.name,
            personal(Order.buyer_first_name, principal),
            personal(Order.buyer_last_name, principal),
            personal(Order.buyer_email, principal),
            personal(Order.company_name, principal),
            Order.currency,
            Order.total_ttc,
            Order.amount_paid + refunded_sum(in_sql=True),  # the payments (the balance rule)
            Order.created_at,
        )
        .join(Event, Event.id == Order.event_id)
        .where(receivable(), Order.deleted_at.is_(None), *events_of(Order.event_id, filters, principal))
        .order_by(Order.created_at, Order.id)
        .limit(limit)
    )
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


def _movements(
    engine: Engine, filters: DashboardFilters, principal: Actor, *keys: str
) -> dict[tuple[Any, ...], list[int]]:
    """Per `keys` (columns shared by the payment and refund facts: day, method, currency) for
    the days in the range: [payments, amount received in cents, refunds, amount refunded in
    cents]. Refunds are dated by the day the money went back, payments by the day it came in."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    for table, count, offset in ((P, P.c.payments, 0), (R, R.c.refunds, 2)):
        columns = [table.c[k] for k in keys]
        query = where_facts(
            select(*columns, func.sum(count), cents_sum(table.c.amount_cents)), table, filters, principal=principal
        ).group_by(*columns)
        for row in rows_of(engine, query):
            key = tuple(row[: len(keys)])
            if "day" in keys:
                at = keys.index("day")
                key = (*key[:at], bucket_of(as_day(key[at]), filters.granularity), *key[at + 1 :])
            figures = totals.setdefault(key, [0, 0, 0, 0])
            figures[offset] += int(row[-2] or 0)
            figures[offset + 1] += int(row[-1] or 0)
    return totals


MOVEMENT_COLUMNS = ["payments", "amount", "refunds", "refunded", "net"]


def _movement_row(figures: list[int]) -> tuple[int, Decimal, int, Decimal, Decimal]:
    payments, received, refunds, refunded = figures
    return payments, money(received), refunds, money(refunded), money(received - refunded)


def payments_by_day(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per time bucket, method and currency: payments received and their amount, refunds made
    and their amount, and the net (received - refunded)."""
    totals = _movements(engine, filters, principal, "day", "method", "currency")
    rows = [(*k, *_movement_row(v)) for k, v in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1]))]
    return pd.DataFrame(rows, columns=["bucket", "method", "currency", *MOVEMENT_COLUMNS])


def payments_by_method(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per method and currency, in the range: payments received and their amount, refunds made
    and their amount, and the net (received - refunded)."""
    totals = _movements(engine, filters, principal, "method", "currency")
    rows = [(*k, *_movement_row(v)) for k, v in sorted(totals.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    return pd.DataFrame(rows, columns=["method", "currency", *MOVEMENT_COLUMNS])


def reconciliation(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per currency, for the orders created in the range that were billed (paid or awaiting
    payment): billed TTC, paid on them net of refunds, and the balance still due (what the
    awaiting orders and the paid orders owing a balance still owe; money refunded on an order
    that was not cancelled is not due again); and the money that moved in the range: received,
    refunded, net received."""
    billed_statuses = (Status.PAID.value, AWAITING)
    billed = where_facts(
        select(
            F.c.currency,
            func.sum(F.c.orders),
            cents_sum(F.c.total_ttc_cents),
            cents_sum(F.c.amount_paid_cents),
            cents_sum(case((F.c.status == AWAITING, F.c.total_ttc_cents - F.c.amount_paid_cents), else_=0)),
        ).where(F.c.status.in_(billed_statuses)),
        F,
        filters,
        principal=principal,
    ).group_by(F.c.currency)
    totals: dict[str, list[int]] = {}
    for currency, orders, ttc, paid, due in rows_of(engine, billed):
        totals[currency] = [int(orders or 0), int(ttc or 0), int(paid or 0), 0, 0, int(due or 0)]
    start, end = _range(filters)
    balances = _balance_rows(filters, principal).where(
        Order.status == Status.PAID, Order.created_at >= start, Order.created_at < end
    )
    for _created, currency, _one, cents in rows_of(engine, balances):
        totals.setdefault(currency, [0, 0, 0, 0, 0, 0])[5] += int(cents or 0)
    for (currency,), (_payments, received, _refunds, refunded) in _movements(
        engine, filters, principal, "currency"
    ).items():
        figures = totals.setdefault(currency, [0, 0, 0, 0, 0, 0])
        figures[3], figures[4] = received, refunded
    rows = [
        (
            currency,
            n,
            money(ttc),
            money(paid),
            money(due),
            money(received),
            money(refunded),
            money(received - refunded),
        )
        for currency, (n, ttc, paid, received, refunded, due) in sorted(totals.items())
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "currency",
            "billed_orders",
            "billed_ttc",
            "paid_on_billed",
            "balance_due",
            "received",
            "refunded",
            "net_received",
        ],
    )


def _range(filters: DashboardFilters) -> tuple[datetime, datetime]:
    start = datetime.combine(filters.start, time.min, tzinfo=UTC)
    return start, datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=UTC)


EXPORT_COLUMNS = [
    "date",
    "kind",
    "order_number",
    "event",
    "method",
    "currency",
    "amount",
    "reference",
    "reason",
    "company",
    "buyer_email",
]


def payments_export(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Accounting export: every movement of money in the range, in date order: payments received
    (`kind` payment, amount positive) and refunds made (`kind` refund, amount negative), so the
    amounts of a currency sum to its net received. Only for roles with `orders.export`
    (`NotAllowed` otherwise)."""
    require(principal, "orders.export")
    start, end = _range(filters)
    payments = select(
        Payment.received_at,
        Payment.id,
        Order.number,
        Event.name,
        Payment.method,
        Payment.currency,
        Payment.amount,
        Payment.reference,
        literal(""),
        personal(Order.company_name, principal),
        personal(Order.buyer_email, principal),
    ).where(Payment.received_at >= start, Payment.received_at < end)
    refunds = select(
        Refund.refunded_at,
        Refund.id,
        Order.number,
        Event.name,
        Refund.method,
        Refund.currency,
        Refund.amount,
        Refund.reference,
        Refund.reason,
        personal(Order.company_name, principal),
        personal(Order.buyer_email, principal),
    ).where(Refund.refunded_at >= start, Refund.refunded_at < end)
    records = []
    with engine.connect() as conn:
        for kind, sign, query, row_table in (("payment", 1, payments, Payment), ("refund", -1, refunds, Refund)):
            query = query.join(Order, Order.id == row_table.order_id).join(Event, Event.id == Order.event_id)
            query = query.where(*events_of(Order.event_id, filters, principal))
            for at, row_id, number, event, method, currency, amount, *rest in conn.execute(query):
                signed = (sign * Decimal(str(amount))).quantize(CENT)  # SQLite hands NUMERIC back as float
                records.append((as_utc(at), kind, row_id, number, event, method, currency, signed, *rest))
    records.sort(key=lambda r: (r[0], r[1], r[2]))
    return pd.DataFrame([(*r[:2], *r[3:]) for r in records], columns=EXPORT_COLUMNS)


def _rate(value: Decimal | float | str) -> Decimal:
    """20.000 -> 20, 14.975 stays: the rate as printed on an invoice."""
    return Decimal(f"{Decimal(str(value)).quantize(Decimal('0.001')).normalize():f}")


def orders_tax_export(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Accounting export: billed orders (paid or awaiting payment) created in the range, one
    row per order and tax rate, with HT, tax and TTC. Only for roles with `orders.export`."""
    require(principal, "orders.export")
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
            *events_of(Order.event_id, filters, principal),
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


def page_queries(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> dict[str, pd.DataFrame]:
    """Everything the finance page shows on load (the exports run on demand)."""
    return {
        name: fn(engine, filters, principal=principal)
        for name, fn in (
            ("by_due_date", by_due_date.receivables_by_due_date),
            ("top_debtors", by_due_date.top_debtors),
            ("expected_cash", by_due_date.expected_cash),
            ("receivables", receivables_by_age),
            ("oldest", oldest_receivables),
            ("by_day", payments_by_day),
            ("by_method", payments_by_method),
            ("reconciliation", reconciliation),
        )
    }
