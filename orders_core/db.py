"""Engines and units of work, built from configuration (`ORDERS_DATABASE_URL`)."""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    Integer,
    Select,
    any_,
    cast,
    create_engine,
    event,
    literal,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Compiled, make_url
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.types import NullType

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


def int_array(ids: Sequence[int]) -> str:
    """PostgreSQL's text form of an integer array ("{1,2,3}"); anything but a whole number is refused."""
    return "{" + ",".join(map(str, map(operator.index, ids))) + "}"


SQLITE_CHUNK = 5000  # ids per IN list on SQLite (its bound-parameter limit)


def id_chunks(
    session: Session, column: InstrumentedAttribute[int], ids: Sequence[int]
) -> Iterator[tuple[Sequence[int], ColumnElement[bool]]]:
    """(ids, condition) pairs covering `ids`: one `= ANY(array)` on PostgreSQL (a single
    parameter, whatever the size), IN lists of bounded size on SQLite. Here, not in the
    services, so that the read side (emails written by the sender) uses the same one.

    The array goes as its text, cast by PostgreSQL: the driver adapts a Python list element by
    element, which cost ~0.3 s of a 10,000-order validation (15 conditions of 10,000 ids). The
    text goes untyped, so PostgreSQL reads it as `integer[]` once, when it binds it: sent as a
    VARCHAR, the cast to `integer[]` is an I/O conversion the planner cannot fold (array_in is
    only stable), and a scan that filters by it parsed the 10,000 ids again for every row (a
    sequential scan of 17,000 invoices: 19 s instead of 20 ms)."""
    if session.get_bind().dialect.name == "postgresql":
        yield ids, column == any_(cast(literal(int_array(ids), NullType()), ARRAY(Integer)))
        return
    for start in range(0, len(ids), SQLITE_CHUNK):
        part = ids[start : start + SQLITE_CHUNK]
        yield part, column.in_(part)


def rows_together(
    conn: Connection, statements: Sequence[Select[Any]], params: Mapping[str, Any]
) -> list[list[tuple[Any, ...]]]:
    """The rows of each statement, all run with the same bound `params`. Issue 19: on PostgreSQL
    they are sent together in psycopg's pipeline mode and wait for the database once, not once
    each (the order page's seven tabs: seven round trips were most of its time on a busy
    machine); on SQLite, one after another. The columns' result types are applied as SQLAlchemy
    would (e.g. an Enum's)."""
    if conn.dialect.name != "postgresql":
        return [[tuple(row) for row in conn.execute(statement, params)] for statement in statements]
    driver = conn.connection.driver_connection
    cursors = []
    with driver.pipeline():  # type: ignore[union-attr]
        for statement in statements:
            compiled = _compiled(statement, conn.dialect)
            cursor = driver.cursor()  # type: ignore[union-attr]
            cursor.execute(str(compiled), compiled.construct_params(dict(params)))
            cursors.append(cursor)
    results = []
    for statement, cursor in zip(statements, cursors, strict=True):
        typed = _typed_rows(conn.dialect, statement, cursor.description)
        results.append([typed(row) for row in cursor.fetchall()])
        cursor.close()
    return results


def _typed_rows(
    dialect: Dialect, statement: Select[Any], description: Any
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A function giving a driver's row of `statement` with its columns' result types applied, as
    SQLAlchemy would (an Enum's, a Decimal's), for rows read from the driver directly."""
    processors = [
        column.type._cached_result_processor(dialect, described.type_code)
        for column, described in zip(statement.selected_columns, description, strict=True)
    ]

    def typed(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(value if process is None else process(value) for process, value in zip(processors, row))

    return typed


def stream_partitions(conn: Connection, statement: Select[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `statement`, `size` at a time, memory bounded by a chunk. On PostgreSQL they are
    streamed by psycopg's chunked-rows mode from a plain query, not read through a server-side
    cursor: PostgreSQL never gives a cursor (DECLARE) a parallel plan, and the export of a million
    orders spends most of its time in one statement's scan, aggregates and sort (issue 19). Bind
    and result types are applied as SQLAlchemy would; a NUL in a parameter is refused alike."""
    if conn.dialect.name != "postgresql":
        result = conn.execution_options(stream_results=True, yield_per=size).execute(statement)
        for partition in result.partitions(size):
            yield [tuple(row) for row in partition]
        return
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    binders: dict[str, Any] = dict(compiled._bind_processors)
    params = {key: binders[key](value) if key in binders else value for key, value in params.items()}
    refuse_nul_parameters(None, None, None, params, None, False)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    typed = None
    chunk: list[tuple[Any, ...]] = []
    for row in cursor.stream(str(compiled), params, size=size):
        if typed is None:  # the description comes with the first row
            typed = _typed_rows(conn.dialect, statement, cursor.description)
        chunk.append(typed(row))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@lru_cache(maxsize=64)
def _compiled(statement: Select[Any], dialect: Dialect) -> Compiled:
    """A statement built once (the order page's tabs) is compiled once."""
    return statement.compile(dialect=dialect)
