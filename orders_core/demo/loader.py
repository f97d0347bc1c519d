"""Reproducible demo data: a catalogue and N orders consistent with every rule of domain.md.

Orders are generated in batches and written with set-based inserts (COPY on PostgreSQL), so a
million orders load in minutes with bounded memory. The same seed gives the same orders and
totals; dates are laid out relative to the day of the load so the dashboards have a "today"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, select, text, update

from orders_core import bulk, summaries
from orders_core.demo.catalogue import load_catalogue
from orders_core.demo.documents import document_stories, invoice_awaiting, write_seller_settings
from orders_core.demo.emails import queue_demo_emails
from orders_core.demo.follow_ups import follow_up_stories
from orders_core.demo.ledger import confirm_planned, ledger_stories
from orders_core.demo.orders import GENERATED, OrderGenerator
from orders_core.models import Counter, Order

DEFAULT_ORDERS = 3000
BATCH_SIZE = 5000
DEMO_ACTOR = "demo-loader"

# Tables the demo owns, children first (the order a reset empties them in).
DEMO_TABLES = [
    "invoice_files",
    "invoice_lines",
    "invoices",
    "ticket_voids",
    "seat_assignments",
    "field_values",
    "outbox_emails",
    "refunds",
    "attendees",
    "payments",
    "order_history",
    "order_items",
    "order_lines",
    "orders",
    "discount_code_tariffs",
    "discount_codes",
    "form_fields",
    "email_templates",
    "tariffs",
    "seats",
    "events",
]

Progress = Callable[[int, int], None]


class DemoRefused(Exception):
    """The database already holds data and no reset was asked for."""


def database_is_empty(conn: Connection) -> bool:
    return (
        not conn.execute(select(func.count()).select_from(Order)).scalar()
        and not conn.execute(text("SELECT COUNT(*) FROM events")).scalar()
    )


def reset(conn: Connection) -> None:
    """Empty every demo table (users are kept, so sign-in still works)."""
    if conn.dialect.name == "postgresql":
        # TRUNCATE does not fire the append-only triggers: a reset is the one legitimate way to
        # drop history, only the `orders demo --reset` command does it, and only the owner may
        # (the app's role has no TRUNCATE right).
        conn.execute(text(f"TRUNCATE {', '.join(DEMO_TABLES)} RESTART IDENTITY CASCADE"))
    else:
        # SQLite's append-only triggers refuse DELETE: lift them for the reset, in its transaction.
        guards = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only%'")
        ).all()
        for name, _sql in guards:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        for name in DEMO_TABLES:
            conn.execute(text(f"DELETE FROM {name}"))
        for _name, sql in guards:
            conn.exec_driver_sql(sql)
    # The series' counters go with the documents they numbered: a new demo numbers from 1 again.
    conn.execute(delete(Counter).where(Counter.name.like("invoice:%")))


def load_demo(
    engine: Engine,
    orders: int = DEFAULT_ORDERS,
    seed: int = 42,
    *,
    reset_first: bool = False,
    today: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Load the catalogue and `orders` orders; returns the row count written per table."""
    if orders < 0:
        raise ValueError("the number of orders must be zero or more")
    # Nothing is dated after the moment of the load (a given `today` stands for its noon).
    now = (
        datetime.now(UTC).replace(second=0, microsecond=0)
        if today is None
        else today.replace(hour=12, minute=0, second=0, microsecond=0)
    )
    today = now.replace(hour=0, minute=0)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        if not database_is_empty(conn):
            if not reset_first:
                raise DemoRefused("the database already holds orders or events; pass --reset to replace them")
            reset(conn)
        events = load_catalogue(conn, today, counts)
        write_seller_settings(conn, now)  # before any order: the ledger invoices the paid ones
    generator = OrderGenerator(events, seed, today, now)
    done = analysed = 0
    with _summary_triggers_suspended(engine):
        while done < orders:
            size = min(BATCH_SIZE, orders - done)
            with engine.begin() as conn:
                numbers_start = _reserve_numbers(conn, size)
                ids = {name: bulk.next_id(conn, name) for name in GENERATED}
                rows = generator.batch(size, numbers_start, ids)
                for name in GENERATED:
                    bulk.insert_rows(conn, name, rows[name])
                bulk.reset_sequences(conn, GENERATED)  # the ledger's rows take ids after the loader's
                confirm_planned(conn, generator.take_planned(), now=now)
            done += size
            if done >= analysed * 2:
                _analyse(engine)
                analysed = done
            if progress:
                progress(done, orders)
    with engine.begin() as conn:
        bulk.reset_sequences(conn, ["events", "tariffs", "discount_codes", "form_fields", *GENERATED])
        for name in GENERATED:  # the ledger wrote payments, attendees and history of its own
            counts[name] = conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    invoice_awaiting(engine, now=now)
    ledger_stories(engine, now=now)
    document_stories(engine)
    follow_up_stories(engine, now=now)
    counts["outbox_emails"] = queue_demo_emails(engine, now=now)
    with engine.connect() as conn:
        counts["invoices"] = conn.execute(text("SELECT COUNT(*) FROM invoices")).scalar_one()
    return counts


def _analyse(engine: Engine) -> None:
    """PostgreSQL's statistics brought up to date each time the load has doubled, as autovacuum
    would: the ledger's statements in the loop are planned on them, and on a server running
    without autovacuum (seen on a benchmark machine) a never-analysed `orders` had them scan every
    paid order once per batch (200 orders/s and falling, not 600)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


@contextmanager
def _summary_triggers_suspended(engine: Engine) -> Iterator[None]:
    """SQLite runs its summary triggers once per row, which triples the cost of a large load:
    there they are dropped for the load and the summaries recomputed once at the end (PostgreSQL's
    statement-level triggers already work per batch). Readers never see the gap: the empty
    database only becomes a demo database when the load ends. Only the triggers that write a
    summary table are suspended: the others (the folded search text, the append-only guards)
    keep working, since nothing recomputes what they do (dropping them all left every SQLite
    demo order unsearchable)."""
    if engine.dialect.name != "sqlite":
        yield
        return
    summary_tables = tuple(summary.table for summary in summaries.ALL_SUMMARIES)
    with engine.begin() as conn:
        triggers = [
            (name, sql)
            for name, sql in conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            if any(table in sql for table in summary_tables)
        ]
        for name, _sql in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
            summaries.rebuild_summaries(conn)


def _reserve_numbers(conn: Connection, size: int) -> int:
    """Take `size` order numbers from the locked counter; returns the first one."""
    last = conn.execute(
        update(Counter)
        .where(Counter.name == "order_number")
        .values(value=Counter.value + size)
        .returning(Counter.value)
    ).scalar_one()
    return last - size + 1
