"""Finance dashboard, by due date (issue 15): what open invoices still owe, aged by days past
their due date; the buyers who owe most; and the cash expected per week from the due dates.

An open invoice is an invoice order, not deleted or cancelled, unpaid or partially paid, that
still owes part of its total (queries.due.open_invoice); the amount is that balance. Everything
is per currency, never added across currencies; "today" is the dashboard's (a UTC day, fixed in
tests). The sums run in the database, in whole cents (exact on SQLite too)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import ColumnElement, Engine, case, func, literal, select

from orders_core.models import Order
from orders_core.payment_terms import OWING_STATES
from orders_core.permissions import Actor
from orders_core.scope import personal
from queries.dashboards.filters import DashboardFilters, as_day, cents_sum, events_of, money, rows_of
from queries.due import open_invoice

NO_DUE_DATE = "no_due_date"
NOT_DUE = "not_due"
OVERDUE = "overdue"
LATER = "later"
# (key, first day overdue, last day overdue) of each age bucket; None = no bound.
DUE_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    (NOT_DUE, None, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    (">90", 91, None),
)
BUCKET_ORDER = [key for key, _low, _high in DUE_BUCKETS] + [NO_DUE_DATE]
# Weeks of expected cash shown one by one; what is due after them is one "later" row.
CASH_WEEKS = 12


def _conditions(filters: DashboardFilters, principal: Actor) -> list[ColumnElement[bool]]:
    return [open_invoice(), *events_of(Order.event_id, filters, principal)]


def _cents_due() -> ColumnElement[Any]:
    return func.round((Order.total_ttc - Order.amount_paid) * 100)


def due_bucket(due: date | None, today: date) -> str:
    """The age bucket of a due date (the same rule as the SQL below, for one value)."""
    if due is None:
        return NO_DUE_DATE
    late = (today - due).days
    for key, low, high in DUE_BUCKETS:
        if (low is None or late >= low) and (high is None or late <= high):
            return key
    return NOT_DUE


def receivables_by_due_date(engine: Engine, filters: DashboardFilters, *, principal: Actor) -> pd.DataFrame:
    """Per age bucket (not due, 1-30, 31-60, 61-90, >90 days past the due date, no due date) and
    currency: the open invoices and the amount they still owe."""
    today = filters.today
    bucket = case(
        (Order.due_date.is_(None), literal(NO_DUE_DATE)),
        (Order.due_date >= today, literal(NOT_DUE)),
        (Order.due_date >= today - timedelta(days=30), literal("1-30")),
        (Order.due_date >= today - timedelta(days=60), literal("31-60")),
        (Order.due_date >= today - timedelta(days=90), literal("61-90")),
        else_=literal(">90"),
    )
    # Grouped on a subquery's column: PostgreSQL would not match two copies of a CASE with
    # parameters in SELECT and GROUP BY.
    open_rows = (
        select(bucket.label("bucket"), Order.currency.label("currency"), _cents_due().label("cents"))
        .where(*_conditions(filters, principal))
        .subquery("open_invoices")
    )
    query = select(open_rows.c.bucket, open_rows.c.currency, func.count(), cents_sum(open_rows.c.cents)).group_by(
        open_rows.c.bucket, open_rows.c.currency
    )
    position = {key: i for i, key in enumerate(BUCKET_ORDER)}
    rows = sorted(rows_of(engine, query), key=lambda r: (r[1], position[r[0]]))
    return pd.DataFrame(
        [(key, currency, int(n), money(int(cents))) for key, currency, n, cents in rows],
        columns=["bucket", "currency", "orders", "amount_due"],
    )


def grid_link(email: str) -> str:
    """The orders grid filtered to this buyer's open invoices (the grid's own URL parameters)."""
    return "/orders?" + urlencode({"mode": "invoice", "paystate": ",".join(OWING_STATES), "q": email})


def top_debtors(engine: Engine, filters: DashboardFilters, limit: int = 10, *, principal: Actor) -> pd.DataFrame:
    """Per currency, the `limit` buyers (one email, one company) whose open invoices owe the most:
    amount, number of orders, oldest due date; most owed first."""
    email = func.lower(Order.buyer_email)
    owed = cents_sum(_cents_due())
    grouped = (
        select(
            Order.currency.label("currency"),
            Order.company_name.label("company"),
            email.label("email"),
            func.max(Order.buyer_first_name).label("first_name"),
            func.max(Order.buyer_last_name).label("last_name"),
            func.count().label("orders"),
            owed.label("cents"),
            func.min(Order.due_date).label("oldest_due"),
            func.row_number()
            .over(partition_by=Order.currency, order_by=(owed.desc(), email, Order.company_name))
            .label("rank"),
        )
        .where(*_conditions(filters, principal))
        .group_by(Order.currency, Order.company_name, email)
        .subquery("debtors")
    )
    query = (
        select(
            grouped.c.currency,
            personal(grouped.c.company, principal),
            personal(grouped.c.email, principal),
            personal(grouped.c.first_name, principal),
            personal(grouped.c.last_name, principal),
            grouped.c.orders,
            grouped.c.cents,
            grouped.c.oldest_due,
        )
        .where(grouped.c.rank <= limit)
        .order_by(grouped.c.currency, grouped.c.rank)
    )
    records = [
        (
            currency,
            f"{first} {last}".strip(),
            company,
            address,
            int(orders),
            money(int(cents)),
            as_day(oldest) if oldest is not None else None,
            grid_link(address),
        )
        for currency, company, address, first, last, orders, cents, oldest in rows_of(engine, query)
    ]
    return pd.DataFrame(
        records, columns=["currency", "buyer", "company", "email", "orders", "amount_due", "oldest_due", "link"]
    )


def expected_cash(
    engine: Engine, filters: DashboardFilters, weeks: int = CASH_WEEKS, *, principal: Actor
) -> pd.DataFrame:
    """Per week (from its Monday) and currency, what open invoices are due to pay, from their due
    dates: the overdue amounts are one `overdue` row (never spread into the future), the weeks
    after the first `weeks` one `later` row. Invoices without a due date are left out (the ageing
    shows them). Grouped by due date in the database (the partial index on due_date), by week here."""
    today = filters.today
    monday = today - timedelta(days=today.weekday())
    horizon = monday + timedelta(weeks=weeks)
    query = (
        select(Order.due_date, Order.currency, func.count(), cents_sum(_cents_due()))
        .where(*_conditions(filters, principal), Order.due_date.is_not(None))
        .group_by(Order.due_date, Order.currency)
    )
    totals: dict[tuple[str, date | None, str], list[int]] = {}
    for value, currency, n, cents in rows_of(engine, query):
        due = as_day(value)
        if due < today:
            key: tuple[str, date | None, str] = (OVERDUE, None, currency)
        elif due >= horizon:
            key = (LATER, None, currency)
        else:
            week = due - timedelta(days=due.weekday())
            key = (week.isoformat(), week, currency)
        figures = totals.setdefault(key, [0, 0])
        figures[0] += int(n)
        figures[1] += int(cents)
    rank = {OVERDUE: 0, LATER: 2}
    ordered = sorted(totals.items(), key=lambda kv: (rank.get(kv[0][0], 1), kv[0][1] or today, kv[0][2]))
    return pd.DataFrame(
        [(period, week, currency, n, money(cents)) for (period, week, currency), (n, cents) in ordered],
        columns=["period", "week_start", "currency", "orders", "amount_due"],
    )
