"""The first page's figures: the signed-in role's to-do list (issue 15), and orders by status, per
currency."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from orders_core.documents.seller import missing_settings, seller_settings
from orders_core.models import BankTransaction, Order, OutboxEmail
from orders_core.payment_state import PaymentState
from orders_core.permissions import Actor, role_may
from orders_core.scope import event_condition, order_condition
from orders_core.status import OPEN_BANK_STATUSES, OutboxStatus, Status
from queries.grid import GridFilters, filter_conditions
from queries.sql import money_sum


def orders_by_status(engine: Engine, *, principal: Actor) -> pd.DataFrame:
    """One row per (status, currency) of the principal's orders not deleted: count and totals
    HT / TTC. Money stays Decimal (object columns): never summed across currencies."""
    query = (
        select(
            Order.status,
            Order.currency,
            func.count().label("orders"),
            money_sum(Order.total_ht).label("total_ht"),
            money_sum(Order.total_ttc).label("total_ttc"),
            money_sum(Order.amount_paid).label("amount_paid"),
        )
        .where(Order.deleted_at.is_(None), event_condition(Order.event_id, principal))
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
    how to show them). Each count is one indexed query: the partial indexes on due and follow-up
    dates, the balance-due index, the status index, the outbox's status index; `refund_due` reads
    payment_state, which has no index of its own; `seller_settings` reads the one settings row.
    Issue 17: the counts are of the principal's events; unmatched statement lines, which belong
    to no event, only for a principal of every event."""
    items = []
    with engine.connect() as conn:
        for key in todo_keys(role, all_events=principal.all_events):
            if key in TODO_GRID_ITEMS:
                filters = todo_filters(key, timezone)
                orders = conn.execute(
                    select(func.count()).select_from(Order).where(*filter_conditions(filters, principal=principal))
                )
                items.append(Todo(key, int(orders.scalar_one()), grid=filters))
            elif key == "statement_lines":
                # money still to place: a zero line (classified "ignored") leaves nothing to do
                open_lines = and_(
                    BankTransaction.status.in_([s.value for s in OPEN_BANK_STATUSES]), BankTransaction.amount > 0
                )
                count, oldest = conn.execute(
                    select(func.count(), func.min(BankTransaction.statement_id)).where(open_lines)
                ).one()
                params = (("statement", str(oldest)),) if oldest is not None else ()
                items.append(Todo(key, int(count), page="pages/reconciliation.py", params=params))
            elif key == "failed_emails":
                count = conn.execute(
                    select(func.count())
                    .select_from(OutboxEmail)
                    .where(
                        OutboxEmail.status == OutboxStatus.FAILED.value,
                        order_condition(OutboxEmail.order_id, principal),
                    )
                ).scalar_one()
                items.append(
                    Todo(key, int(count), page="pages/emails.py", params=(("status", OutboxStatus.FAILED.value),))
                )
            elif key == "seller_settings":  # the count is the number of mandatory settings missing
                with Session(bind=conn) as session:
                    missing = missing_settings(seller_settings(session))
                items.append(Todo(key, len(missing), page="pages/seller_settings.py"))
    return items
