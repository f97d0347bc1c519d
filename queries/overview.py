"""The first page's figures: the signed-in role's to-do list (issue 15), and orders by status, per
currency."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, false, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from orders_core.documents.seller import missing_settings, seller_settings
from orders_core.models import BankTransaction, DashOrderFact, Event, Order, OutboxEmail
from orders_core.models.orders import TODO_CONDITIONS
from orders_core.payment_state import PaymentState
from orders_core.permissions import Actor, role_may
from orders_core.scope import event_condition, order_condition
from orders_core.status import OPEN_BANK_STATUSES, OutboxStatus, Status
from queries.due import today_in
from queries.due_dates import MAX_AHEAD, MAX_BEHIND, local_date
from queries.grid import GridFilters

CENT = Decimal("0.01")


def orders_by_status(engine: Engine, *, principal: Actor) -> pd.DataFrame:
    """One row per (status, currency) of the principal's orders not deleted: count and totals
    HT / TTC and amount paid. Money stays Decimal (object columns): never summed across
    currencies. Issue 19: read from the dashboards' order summary (`dash_order_facts`, kept exact
    by triggers, in whole cents), not a GROUP BY of every order."""
    f = DashOrderFact
    query = (
        select(
            f.status,
            f.currency,
            func.sum(f.orders),
            func.sum(f.total_ht_cents),
            func.sum(f.total_ttc_cents),
            func.sum(f.amount_paid_cents),
        )
        .where(f.deleted == false(), event_condition(f.event_id, principal))
        .group_by(f.status, f.currency)
        .having(func.sum(f.orders) > 0)  # rows fallen to zero stay in the summary
        .order_by(f.currency, f.status)
    )
    with engine.connect() as conn:
        rows = [
            (status, currency, int(orders), _money(ht), _money(ttc), _money(paid))
            for status, currency, orders, ht, ttc, paid in conn.execute(query)
        ]
    return pd.DataFrame(rows, columns=["status", "currency", "orders", "total_ht", "total_ttc", "amount_paid"])


def _money(cents: int | Decimal | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


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


# --- the to-do list (issue 15) -------------------------------------------------------------------
# Each item: the capability of the roles that act on it, and the grid view listing its orders (so
# the count and the list are the same SQL: queries.grid.filter_conditions), or None for an item
# that lives on another page (statement lines, emails).
TODO_GRID_ITEMS: dict[str, tuple[str, GridFilters]] = {
    "overdue": ("orders.validate", GridFilters(overdue=True)),
    "refund_due": ("orders.record_refund", GridFilters(payment_states=(PaymentState.OVERPAID.value,))),
    "balance_due": (
        "orders.record_payment",
        GridFilters(statuses=(Status.PAID.value,), payment_states=(PaymentState.PARTIALLY_PAID.value,)),
    ),
    "approvals": ("orders.approve", GridFilters(statuses=(Status.PENDING_ADMIN.value,))),
    "follow_ups": ("orders.notes", GridFilters(follow_up_due=True)),
}
TODO_OTHER_ITEMS: dict[str, str] = {
    "statement_lines": "reconciliation.manage",
    "failed_emails": "emails.outbox",
    # Issue 21: while a mandatory seller setting is missing, no invoice can be issued.
    "seller_settings": "seller.manage",
}
TODO_ORDER = (
    "overdue",
    "balance_due",
    "refund_due",
    "approvals",
    "follow_ups",
    "statement_lines",
    "failed_emails",
    "seller_settings",
)


@dataclass(frozen=True)
class Todo:
    """One item of the to-do list: how many things wait, and where they are listed: the grid
    filtered by `grid` (with the user's timezone), or `page` with `params`."""

    key: str
    count: int
    grid: GridFilters | None = None
    page: str | None = None
    params: tuple[tuple[str, str], ...] = ()


def todo_filters(key: str, timezone: str) -> GridFilters:
    """The grid view of a to-do item, "today" being the user's (their timezone)."""
    return replace(TODO_GRID_ITEMS[key][1], timezone=timezone)


# Items that belong to no event (bank statement lines before they are matched): counted for a
# principal of every event only.
EVERY_EVENT_ITEMS = frozenset({"statement_lines"})


def todo_keys(role: str, *, all_events: bool = True) -> list[str]:
    """The items a role can act on, in the list's order (a marketer acts on none)."""
    capabilities = {**{k: c for k, (c, _f) in TODO_GRID_ITEMS.items()}, **TODO_OTHER_ITEMS}
    return [
        key for key in TODO_ORDER if role_may(role, capabilities[key]) and (all_events or key not in EVERY_EVENT_ITEMS)
    ]


def todo_list(engine: Engine, role: str, timezone: str = "UTC", *, principal: Actor) -> list[Todo]:
    """The to-do list of a role: one count per item it can act on (zero included: the page decides
    how to show them). Each grid item counts the orders its grid link lists, from its partial
    index (issue 19, `_order_counts`); `seller_settings` reads the one settings row. Issue 17:
    the counts are of the principal's events; unmatched statement lines, which belong to no event,
    only for a principal of every event. Issue 19: every count is a scalar subquery of one
    statement (one round trip, each still on its own index)."""
    keys = todo_keys(role, all_events=principal.all_events)
    with engine.connect() as conn:
        counted: dict[str, ScalarSelect[Any]] = {}
        for key in keys:
            if key in TODO_GRID_ITEMS:
                for n, count in enumerate(_order_counts(conn, key, timezone, principal)):
                    counted[f"{key}.{n}"] = count
            elif key == "statement_lines":
                # money still to place: a zero line (classified "ignored") leaves nothing to do
                open_lines = and_(
                    BankTransaction.status.in_([s.value for s in OPEN_BANK_STATUSES]), BankTransaction.amount > 0
                )
                counted[key] = select(func.count()).where(open_lines).scalar_subquery()
                counted[f"{key}.oldest"] = (
                    select(func.min(BankTransaction.statement_id)).where(open_lines).scalar_subquery()
                )
            elif key == "failed_emails":
                counted[key] = (
                    select(func.count())
                    .select_from(OutboxEmail)
                    .where(
                        OutboxEmail.status == OutboxStatus.FAILED.value,
                        order_condition(OutboxEmail.order_id, principal),
                    )
                    .scalar_subquery()
                )
        found = dict(conn.execute(select(*(q.label(k) for k, q in counted.items()))).one()._mapping) if counted else {}
        missing = None
        if "seller_settings" in keys:  # the count is the number of mandatory settings missing
            with Session(bind=conn) as session:
                missing = missing_settings(seller_settings(session))
    items = []
    for key in keys:
        if key in TODO_GRID_ITEMS:
            total = sum(int(v or 0) for k, v in found.items() if k.rsplit(".", 1)[0] == key)
            items.append(Todo(key, total, grid=todo_filters(key, timezone)))
        elif key == "statement_lines":
            oldest = found[f"{key}.oldest"]
            params = (("statement", str(oldest)),) if oldest is not None else ()
            items.append(Todo(key, int(found[key]), page="pages/reconciliation.py", params=params))
        elif key == "failed_emails":
            items.append(
                Todo(key, int(found[key]), page="pages/emails.py", params=(("status", OutboxStatus.FAILED.value),))
            )
        elif key == "seller_settings":
            items.append(Todo(key, len(missing or []), page="pages/seller_settings.py"))
    return items


def _order_counts(conn: Connection, key: str, timezone: str, principal: Actor) -> list[ScalarSelect[Any]]:
    """The counts whose sum is the number of orders of a grid item, as its grid link lists them
    (todo_filters), each on its partial index `ix_orders_todo_<key>`: the item's fixed conditions
    as the index has them (orders_core.models.orders.TODO_CONDITIONS), then the principal's
    events and the date. "Overdue" is one range per group of events sharing a cutoff day
    (`_overdue_cutoffs`, read here); every other item is one count."""
    conditions = [TODO_CONDITIONS[key], event_condition(Order.event_id, principal)]
    if key == "follow_ups":
        conditions.append(Order.follow_up_on <= today_in(timezone))
    if key != "overdue":
        return [select(func.count()).select_from(Order).where(*conditions).scalar_subquery()]
    return [
        select(func.count())
        .select_from(Order)
        .where(*conditions, Order.event_id.in_(event_ids), Order.due_date < cutoff)
        .scalar_subquery()
        for cutoff, event_ids in _overdue_cutoffs(conn, principal).items()
    ]


def _overdue_cutoffs(conn: Connection, principal: Actor, now: datetime | None = None) -> dict[date, list[int]]:
    """The principal's events grouped by the day before which an order of theirs is overdue at
    `now`: the grid's queries.due_dates.overdue_condition, which asks each order's row for its
    event's day (a subquery per row), asked here once per event with the same SQL (`local_date`,
    the database's own zone rules). A handful of events fall on at most three days."""
    now = now or datetime.now(UTC)
    earliest, latest = (now - MAX_BEHIND).date(), (now + MAX_AHEAD).date()
    groups: dict[date, list[int]] = {}
    rows = conn.execute(select(Event.id, local_date(now, Event.timezone)).where(event_condition(Event.id, principal)))
    for event_id, today in rows:
        # as overdue_condition: before UTC-12's day anywhere, and never past UTC+14's
        day = min(max(_as_date(today) or earliest, earliest), latest)
        groups.setdefault(day, []).append(int(event_id))
    return groups


def _as_date(value: date | str | None) -> date | None:
    """SQLite gives the function's ISO day back as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value
