"""The orders grid in the query layer (issue 4). One benchmark = one grid interaction as the
page does it: filter + sort + one page + count + per-currency totals of the whole filtered set
(targets: <= 150 ms on PostgreSQL 1M, <= 300 ms on SQLite 100k), the searches, and the order
detail with all its tabs (<= 50 ms). The values searched for are picked from the data by SETUP.

Issue 19: the count is the grid's (queries.grid_count: exact, or "more than 1,000" for a search or
a payment-date range past the cap); the searches cover a common last name, a rare full name, a
holder who is not the buyer and a company, and the filters a three-month payment range and a
deep page opened by number (OFFSET, as the page does without a cursor)."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import Engine, func, select

from orders_core.models import Order, OrderItem
from orders_core.permissions import ADMIN, Actor
from queries.grid import GridFilters, cursor_after, grid_page
from queries.grid_count import grid_count
from queries.order_detail import order_detail

BENCH = Actor("bench", ADMIN)  # every event: the benchmarks measure the unscoped plans

DATABASES = {"postgresql", "sqlite"}
PICKED: dict = {}
TIMEZONE = "Europe/Paris"


def SETUP(engine: Engine) -> None:
    """Pick an event, a code, a paid order with holders, a buyer and a company from the data."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(Order.created_at))).scalar()
        busiest = conn.execute(
            select(Order.event_id).group_by(Order.event_id).order_by(func.count().desc()).limit(1)
        ).scalar()
        code = conn.execute(select(Order.discount_code).where(Order.discount_code.is_not(None)).limit(1)).scalar()
        paid = conn.execute(
            select(Order.number, Order.buyer_last_name, Order.buyer_email)
            .where(Order.status == "paid")
            .order_by(Order.id.desc())
            .limit(1)
        ).one()
        company = conn.execute(
            select(Order.company_name).where(Order.company_name != "").order_by(Order.id.desc()).limit(1)
        ).scalar()
        recent = select(Order.buyer_last_name).order_by(Order.id.desc()).limit(10_000).subquery()
        common = conn.execute(
            select(recent.c.buyer_last_name).group_by(recent.c.buyer_last_name).order_by(func.count().desc()).limit(1)
        ).scalar()
        holder = conn.execute(  # a holder who is not the buyer: found through order_items only
            select(OrderItem.holder_first_name, OrderItem.holder_last_name)
            .join(Order, Order.id == OrderItem.order_id)
            .where(OrderItem.holder_last_name != Order.buyer_last_name, OrderItem.holder_first_name != "")
            .order_by(OrderItem.id.desc())
            .limit(1)
        ).one()
        rare = conn.execute(  # a full name: the first and last names of one buyer, both words
            select(Order.buyer_first_name, Order.buyer_last_name).order_by(Order.id).limit(1)
        ).one()
    newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
    PICKED.update(
        today=newest.astimezone(UTC).date(),
        event_id=busiest,
        code=code,
        number=paid.number,
        last_name=paid.buyer_last_name,
        email=paid.buyer_email.split("@")[0],
        company=(company or "SARL")[:12],
        common_name=common,
        rare_name=f"{rare.buyer_first_name} {rare.buyer_last_name}",
        holder=f"{holder.holder_first_name} {holder.holder_last_name}",
    )


def interaction(engine: Engine, filters: GridFilters, sort: str = "created_desc") -> None:
    """What one rerun of the grid asks of the database."""
    grid_page(engine, filters, sort, page_size=50, principal=BENCH)
    grid_count(engine, filters, principal=BENCH)


def _f(**kwargs) -> GridFilters:
    return GridFilters(timezone=TIMEZONE, **kwargs)


def next_page(engine: Engine) -> None:
    filters = _f()
    first = grid_page(engine, filters, page_size=50, principal=BENCH)
    grid_page(engine, filters, after=cursor_after(first), page_size=50, principal=BENCH)


def last_30_days(engine: Engine) -> None:
    today = PICKED["today"]
    interaction(engine, _f(created_from=today - timedelta(days=30), created_to=today))


def paid_last_30_days(engine: Engine) -> None:
    today = PICKED["today"]
    interaction(engine, _f(paid_from=today - timedelta(days=30), paid_to=today))


def paid_between(engine: Engine) -> None:
    today = PICKED["today"]
    interaction(engine, _f(paid_from=today - timedelta(days=120), paid_to=today - timedelta(days=30)))


def deep_page(engine: Engine) -> None:
    """Page 200 opened by number (by URL): OFFSET 9,950, and the count."""
    filters = _f()
    grid_page(engine, filters, offset=199 * 50, page_size=50, principal=BENCH)
    grid_count(engine, filters, principal=BENCH)


BENCHMARKS = [
    ("grid.default", lambda e: interaction(e, _f())),
    ("grid.group_validated", lambda e: interaction(e, _f(group="validated"))),
    ("grid.group_pending", lambda e: interaction(e, _f(group="pending"))),
    ("grid.group_not_completed", lambda e: interaction(e, _f(group="not_completed"))),
    ("grid.status_pending_admin", lambda e: interaction(e, _f(statuses=("pending_admin",)))),
    ("grid.mode_invoice", lambda e: interaction(e, _f(payment_modes=("invoice",)))),
    ("grid.pending_invoice", lambda e: interaction(e, _f(group="pending", payment_modes=("invoice",)))),
    ("grid.event", lambda e: interaction(e, _f(event_ids=(PICKED["event_id"],)))),
    ("grid.source_organizer", lambda e: interaction(e, _f(source="organizer"))),
    ("grid.discount_code", lambda e: interaction(e, _f(discount_code=PICKED["code"]))),
    ("grid.created_last_30_days", last_30_days),
    ("grid.paid_last_30_days", paid_last_30_days),
    ("grid.with_deleted", lambda e: interaction(e, _f(include_deleted=True))),
    ("grid.sort_total_desc", lambda e: interaction(e, _f(), "total_desc")),
    ("grid.next_page_keyset", next_page),
    ("grid.paid_between", paid_between),
    ("grid.deep_page", deep_page),
    ("search.number", lambda e: interaction(e, _f(search=str(PICKED["number"])))),
    ("search.name", lambda e: interaction(e, _f(search=PICKED["last_name"]))),
    ("search.email", lambda e: interaction(e, _f(search=PICKED["email"]))),
    ("search.company", lambda e: interaction(e, _f(search=PICKED["company"]))),
    ("search.common_name", lambda e: interaction(e, _f(search=PICKED["common_name"]))),
    ("search.rare_name", lambda e: interaction(e, _f(search=PICKED["rare_name"]))),
    ("search.holder", lambda e: interaction(e, _f(search=PICKED["holder"]))),
    ("detail.order", lambda e: order_detail(e, PICKED["number"], principal=BENCH)),
]
