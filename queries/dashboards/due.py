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
from sqlalchemy import ColumnElement, Engine, false, func, select, union_all

from orders_core.models import DashDebtorFact, DashDueFact, Order
from orders_core.payment_terms import OWING_STATES
from orders_core.permissions import Actor
from orders_core.scope import personal
from orders_core.summaries import NO_DUE_DATE as NO_DUE_KEY
from queries.dashboards.filters import DashboardFilters, as_day, cents_sum, events_of, money, rows_of
from queries.due import open_invoice
from queries.sql import AnySelect

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
NO_DUE_DAY = date.fromisoformat(NO_DUE_KEY)  # the summary's key of open invoices without a due date
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
    currency: the open invoices and the amount they still owe (from `dash_due_facts`: one row
    per event, currency and due date, bucketed here)."""
    today = filters.today
    totals: dict[tuple[str, str], list[int]] = {}
    for due, currency, n, cents in _due_rows(engine, filters, principal):
        figures = totals.setdefault((due_bucket(due, today), currency), [0, 0])
        figures[0] += n
        figures[1] += cents
    position = {key: i for i, key in enumerate(BUCKET_ORDER)}
    ordered = sorted(totals.items(), key=lambda kv: (kv[0][1], position[kv[0][0]]))
    return pd.DataFrame(
        [(key, currency, n, money(cents)) for (key, currency), (n, cents) in ordered],
        columns=["bucket", "currency", "orders", "amount_due"],
    )


def _due_date_totals(filters: DashboardFilters, principal: Actor) -> AnySelect:
    """(due date or None, currency, open invoices, cents owed) per due date and currency, from the
    summary of the open invoices, over the filter's events within the principal's."""
    D = DashDueFact
    return (
        select(D.due_date, D.currency, func.sum(D.orders), func.sum(D.due_cents))
        .where(*events_of(D.event_id, filters, principal))
        .group_by(D.due_date, D.currency)
        .having(func.sum(D.orders) != 0)
    )


def _due_rows(engine: Engine, filters: DashboardFilters, principal: Actor) -> list[tuple[date | None, str, int, int]]:
    """The totals per due date as Python values (NO_DUE_DATE read back as None)."""
    rows = []
    for value, currency, n, cents in rows_of(engine, _due_date_totals(filters, principal)):
        due = as_day(value)
        rows.append((None if due == NO_DUE_DAY else due, str(currency), int(n), int(cents)))
    return rows


def grid_link(email: str) -> str:
    """The orders grid filtered to this buyer's open invoices (the grid's own URL parameters)."""
    return "/orders?" + urlencode({"mode": "invoice", "paystate": ",".join(OWING_STATES), "q": email})


def top_debtors(engine: Engine, filters: DashboardFilters, limit: int = 10, *, principal: Actor) -> pd.DataFrame:
    """Per currency, the `limit` buyers (one email, one company) whose open invoices owe the most:
    amount, number of orders, oldest due date; most owed first. Over every event, the buyers are
    read in order of what they owe from `dash_debtor_facts`; for some events, grouped from the
    open invoices (the partial index holding only them)."""
    if filters.event_ids or not principal.all_events:
        ranked = _ranked_in_events(filters, limit, principal)
    else:
        ranked = _ranked_everywhere(engine, limit, principal)
    ranked_rows = rows_of(engine, ranked)
    details = _buyer_details(engine, {email for _c, _co, email, *_rest in ranked_rows}, filters, principal)
    records = []
    for currency, company_key, email_key, company, address, orders, cents in ranked_rows:
        first, last, oldest = details.get((currency, company_key, email_key), ("", "", None))
        records.append(
            (
                currency,
                f"{first or ''} {last or ''}".strip(),
                company,
                address,
                int(orders),
                money(int(cents)),
                as_day(oldest) if oldest is not None else None,
                grid_link(address),
            )
        )
    return pd.DataFrame(
        records, columns=["currency", "buyer", "company", "email", "orders", "amount_due", "oldest_due", "link"]
    )


def _ranked_in_events(filters: DashboardFilters, limit: int, principal: Actor) -> AnySelect:
    """(currency, company, email, shown company, shown email, orders, cents) of the top buyers,
    grouped from the open invoices of the filter's events."""
    email = func.coalesce(func.lower(Order.buyer_email), "")
    company = func.coalesce(Order.company_name, "")
    owed = cents_sum(_cents_due())
    grouped = (
        select(
            Order.currency.label("currency"),
            company.label("company"),
            email.label("email"),
            func.count().label("orders"),
            owed.label("cents"),
            func.row_number().over(partition_by=Order.currency, order_by=(owed.desc(), email, company)).label("rank"),
        )
        .where(*_conditions(filters, principal))
        .group_by(Order.currency, company, email)
        .subquery("debtors")
    )
    return (
        select(
            grouped.c.currency,
            grouped.c.company,
            grouped.c.email,
            personal(grouped.c.company, principal, "shown_company"),
            personal(grouped.c.email, principal, "shown_email"),
            grouped.c.orders,
            grouped.c.cents,
        )
        .where(grouped.c.rank <= limit)
        .order_by(grouped.c.currency, grouped.c.rank)
    )


def _ranked_everywhere(engine: Engine, limit: int, principal: Actor) -> AnySelect:
    """The same over every event, from the summary: per currency, its first `limit` rows in order
    of the amount (ix_dash_debtor_facts_owed), not a grouping of every open invoice."""
    D = DashDebtorFact
    currencies = _summary_currencies(engine)
    if not currencies:
        return select(D.currency, D.company, D.email, D.company, D.email, D.orders, D.due_cents).where(false())
    parts = [
        select(
            D.currency,
            D.company,
            D.email,
            personal(D.company, principal, "shown_company"),
            personal(D.email, principal, "shown_email"),
            D.orders,
            D.due_cents,
        )
        .where(D.currency == currency, D.orders > 0)
        .order_by(D.due_cents.desc(), D.email, D.company)
        .limit(limit)
        .subquery()
        for currency in currencies
    ]
    ranked = union_all(*(select(*part.c) for part in parts)).subquery("ranked")
    return select(*ranked.c).order_by(ranked.c.currency, ranked.c.due_cents.desc(), ranked.c.email, ranked.c.company)


def _summary_currencies(engine: Engine) -> list[str]:
    """The currencies in the debtors' summary, by skipping along its index (a handful of probes)."""
    D = DashDebtorFact.__table__
    steps = select(func.min(D.c.currency).label("currency")).cte("currencies", recursive=True)
    following = select(func.min(D.c.currency)).where(D.c.currency > steps.c.currency).scalar_subquery()
    steps = steps.union_all(select(following).where(steps.c.currency.is_not(None)))
    query = select(steps.c.currency).where(steps.c.currency.is_not(None))
    return [str(currency) for (currency,) in rows_of(engine, query)]


def _buyer_details(
    engine: Engine, emails: set[str], filters: DashboardFilters, principal: Actor
) -> dict[tuple[str, str, str], tuple[str, str, Any]]:
    """(first name, last name, oldest due date) of these buyers' open invoices, per (currency,
    company, email): a lookup by ix_orders_open_invoice_buyers."""
    if not emails:
        return {}
    email = func.coalesce(func.lower(Order.buyer_email), "")
    company = func.coalesce(Order.company_name, "")
    query = (
        select(
            Order.currency,
            company,
            email,
            personal(func.max(Order.buyer_first_name), principal, "first_name"),
            personal(func.max(Order.buyer_last_name), principal, "last_name"),
            func.min(Order.due_date),
        )
        .where(*_conditions(filters, principal), func.lower(Order.buyer_email).in_(sorted(emails)))
        .group_by(Order.currency, company, email)
    )
    return {(c, co, e): (first, last, oldest) for c, co, e, first, last, oldest in rows_of(engine, query)}


def expected_cash(
    engine: Engine, filters: DashboardFilters, weeks: int = CASH_WEEKS, *, principal: Actor
) -> pd.DataFrame:
    """Per week (from its Monday) and currency, what open invoices are due to pay, from their due
    dates: the overdue amounts are one `overdue` row (never spread into the future), the weeks
    after the first `weeks` one `later` row. Invoices without a due date are left out (the ageing
    shows them). Grouped by due date in the database (`dash_due_facts`), by week here."""
    today = filters.today
    monday = today - timedelta(days=today.weekday())
    horizon = monday + timedelta(weeks=weeks)
    totals: dict[tuple[str, date | None, str], list[int]] = {}
    for due, currency, n, cents in _due_rows(engine, filters, principal):
        if due is None:
            continue
        if due < today:
            key: tuple[str, date | None, str] = (OVERDUE, None, currency)
        elif due >= horizon:
            key = (LATER, None, currency)
        else:
            week = due - timedelta(days=due.weekday())
            key = (week.isoformat(), week, currency)
        figures = totals.setdefault(key, [0, 0])
        figures[0] += n
        figures[1] += cents
    rank = {OVERDUE: 0, LATER: 2}
    ordered = sorted(totals.items(), key=lambda kv: (rank.get(kv[0][0], 1), kv[0][1] or today, kv[0][2]))
    return pd.DataFrame(
        [(period, week, currency, n, money(cents)) for (period, week, currency), (n, cents) in ordered],
        columns=["period", "week_start", "currency", "orders", "amount_due"],
    )
