"""Engines and units of work, built from configuration (`ORDERS_DATABASE_URL`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from orders_core import text_fold
from orders_core.limits import refuse_nul_parameters

DEFAULT_URL = "sqlite:///data/orders.db"


def _psycopg(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def database_url() -> str:
    """The app's URL (`ORDERS_DATABASE_URL`); `postgresql://` is read as psycopg 3
    (`postgresql+psycopg://`). With two roles, its user owns no table (orders_core/privileges.py)."""
    return _psycopg(os.environ.get("ORDERS_DATABASE_URL", "").strip() or DEFAULT_URL)


def read_database_url() -> str | None:
    """Issue 19: a PostgreSQL streaming replica for read-only work (`ORDERS_READ_DATABASE_URL`,
    unset: none); orders_core/replica.py decides when a read may go there."""
    url = os.environ.get("ORDERS_READ_DATABASE_URL", "").strip()
    return _psycopg(url) if url else None


def migration_database_url() -> str:
    """The owner's URL, for migrations and the demo loader (`ORDERS_MIGRATION_DATABASE_URL`,
    default: the app's URL, so a single-URL setup works as before)."""
    return _psycopg(os.environ.get("ORDERS_MIGRATION_DATABASE_URL", "").strip() or database_url())


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


@cache
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process; SQLite gets its pragmas and `BEGIN IMMEDIATE` writes."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    event.listen(engine, "before_cursor_execute", refuse_nul_parameters)
    return engine


def _local_date(instant: str | None, timezone: str | None) -> str | None:
    """SQLite's `orders_local_date(instant, timezone)`: the ISO day an ISO instant falls on in an
    IANA timezone (PostgreSQL does it natively; see queries/due_dates.py). None for bad input."""
    if instant is None or timezone is None:
        return None
    try:
        moment = datetime.fromisoformat(instant)
        return (
            (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZoneInfo(timezone)).date().isoformat()
        )
    except (ValueError, ZoneInfoNotFoundError):
        return None


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling is turned off so that we emit BEGIN ourselves:
    # deferred for reads, IMMEDIATE for units of work (SQLAlchemy's documented recipe), which
    # is SQLite's equivalent of locking the rows we change.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        dbapi_connection.create_function("orders_local_date", 2, _local_date, deterministic=True)
        dbapi_connection.create_function(text_fold.SQL_NAME, 1, text_fold.fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def write_engine(engine: Engine) -> Engine:
    """The same pool, with writes taking SQLite's write lock at BEGIN."""
    return engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine


@cache
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=write_engine(engine), expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One user action, one transaction: commits when the block ends, rolls back on error."""
    factory = session_factory(engine or get_engine())
    with factory() as session, session.begin():
        yield session


@cache
def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: SQLite's deferred BEGIN (no write lock, so a read never queues
    behind a write), PostgreSQL's READ ONLY transactions (a write in one is refused)."""
    bind = engine.execution_options(postgresql_readonly=True) if engine.dialect.name == "postgresql" else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextmanager
def read_only(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading (see read_session_factory); never commits, always rolled back."""
    factory = read_session_factory(engine or get_engine())
    with factory() as session:
        try:
            yield session
        finally:
            session.rollback()
