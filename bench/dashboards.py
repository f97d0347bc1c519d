"""The dashboards in the query layer (issue 9): one benchmark per page, running every query the
page runs on load for its default filters (the last 30 days of the data, all events).
Targets: < 300 ms on PostgreSQL 1M, < 1 s on SQLite 100k. The queries read the trigger-kept
summary tables of orders_core/summaries.py; the oldest-receivables list reads `orders` through
the (status, created_at) index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from orders_core.models import Order
from orders_core.permissions import ADMIN, Actor
from queries.dashboards import DashboardFilters, finance, marketing, sales

DATABASES = {"postgresql", "sqlite"}
PICKED: dict = {}
# A principal of every event: the heaviest scope (a scoped one adds an `event_id IN` condition).
EVERYONE = Actor("bench@example.org", ADMIN)


def SETUP(engine: Engine) -> None:
    """Default filters relative to the data's newest order (the demo's "today")."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(Order.created_at))).scalar()
    today = newest.date()
    PICKED["filters"] = DashboardFilters((), today - timedelta(days=29), today, "day", today)


def _filters() -> DashboardFilters:
    return PICKED.get("filters") or DashboardFilters()


def sales_page(engine: Engine) -> None:
    sales.page_queries(engine, _filters(), principal=EVERYONE)


def finance_page(engine: Engine) -> None:
    finance.page_queries(engine, _filters(), principal=EVERYONE)


def marketing_page(engine: Engine) -> None:
    marketing.page_queries(engine, _filters(), principal=EVERYONE)


BENCHMARKS = [("sales_page", sales_page), ("finance_page", finance_page), ("marketing_page", marketing_page)]
