"""Shared fixtures: real databases, SQLite and PostgreSQL, each test on its own fresh copy.

PostgreSQL tests create and drop their own databases on 127.0.0.1:5432 (cloned from a migrated
template, so each test starts in milliseconds). Without a reachable server they skip with the
reason, unless ORDERS_REQUIRE_POSTGRES=1, which makes that a failure."""

from __future__ import annotations

import os
import shutil
import uuid

import psycopg
import pytest

from orders_core import db
from orders_core.migrate import upgrade

PG_HOST = os.environ.get("ORDERS_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ORDERS_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("ORDERS_TEST_PG_USER", "postgres")
BACKENDS = ["sqlite", "postgresql"]


def pg_url(database: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def pg_admin(sql: str) -> None:
    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(sql)


def _postgres_unreachable_reason() -> str | None:
    try:
        pg_admin("SELECT 1")
    except Exception as error:  # any failure to connect is a reason to skip
        return str(error).strip().splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_server() -> None:
    reason = _postgres_unreachable_reason()
    if reason is None:
        return
    message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({reason})"
    if os.environ.get("ORDERS_REQUIRE_POSTGRES") == "1":
        pytest.fail(message + " and ORDERS_REQUIRE_POSTGRES=1", pytrace=False)
    pytest.skip(message + "; PostgreSQL tests skipped (set ORDERS_REQUIRE_POSTGRES=1 to fail instead)")


def create_pg_database(template: str | None = None) -> str:
    name = f"orders_test_{uuid.uuid4().hex[:12]}"
    pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return name


def drop_pg_database(name: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def forget_engines() -> None:
    for engine in list(_cached_engines()):
        engine.dispose()
    db.get_engine.cache_clear()
    db.session_factory.cache_clear()


def _cached_engines():
    # functools.cache keeps no public view of its values: ask for each URL we handed out.
    return [db.get_engine(url) for url in _urls_in_use]


_urls_in_use: set[str] = set()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "orders.db"
    upgrade(f"sqlite:///{path}")
    db.get_engine(f"sqlite:///{path}").dispose()
    return str(path)


@pytest.fixture(scope="session")
def pg_template(postgres_server):
    name = create_pg_database()
    upgrade(pg_url(name))
    db.get_engine(pg_url(name)).dispose()
    db.get_engine.cache_clear()
    yield name
    drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(request, backend, tmp_path):
    """A migrated, empty database of the test's backend, dropped afterwards."""
    if backend == "sqlite":
        path = tmp_path / "orders.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        _urls_in_use.add(url)
        yield url
        forget_engines()
        _urls_in_use.discard(url)
    else:
        name = create_pg_database(template=request.getfixturevalue("pg_template"))
        url = pg_url(name)
        _urls_in_use.add(url)
        yield url
        forget_engines()
        _urls_in_use.discard(url)
        drop_pg_database(name)


@pytest.fixture
def empty_db_url(request, backend, tmp_path):
    """A database with no schema at all, for migration tests."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        _urls_in_use.add(url)
        yield url
        forget_engines()
        _urls_in_use.discard(url)
    else:
        request.getfixturevalue("postgres_server")
        name = create_pg_database()
        url = pg_url(name)
        _urls_in_use.add(url)
        yield url
        forget_engines()
        _urls_in_use.discard(url)
        drop_pg_database(name)


@pytest.fixture
def engine(db_url):
    return db.get_engine(db_url)


@pytest.fixture
def demo_engine(engine):
    """A database holding a small, fixed demo data set (seed 7, 400 orders)."""
    from orders_core.demo import load_demo

    load_demo(engine, orders=400, seed=7)
    return engine
