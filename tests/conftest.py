"""Shared fixtures: real databases, SQLite and PostgreSQL, each test on its own fresh copy.

PostgreSQL tests create and drop their own databases on 127.0.0.1:5432 (cloned from a migrated
template, so each test starts in milliseconds). Without a reachable server they skip with the
reason, unless ORDERS_REQUIRE_POSTGRES=1, which makes that a failure.

As in production, PostgreSQL has two roles: the template is migrated by the owner (`postgres`),
which then grants the app's role (`orders_test_app`) what `orders db upgrade` grants it; `db_url`
and `engine` connect as the app's role, `owner_url` and `owner_engine` as the owner (for a test
that breaks the data on purpose). On SQLite both are the same file."""

from __future__ import annotations

import os
import shutil
import uuid

import psycopg
import pytest

from orders_core import db
from orders_core.migrate import upgrade, upgrade_and_grant

PG_HOST = os.environ.get("ORDERS_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ORDERS_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("ORDERS_TEST_PG_USER", "postgres")
PG_APP_USER = os.environ.get("ORDERS_TEST_PG_APP_USER", "orders_test_app")
BACKENDS = ["sqlite", "postgresql"]


def pg_url(database: str, user: str = PG_USER) -> str:
    return f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{database}"


def pg_app_url(database: str) -> str:
    return pg_url(database, PG_APP_USER)


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
    db.read_session_factory.cache_clear()


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
    """Migrated by the owner, with the app's role granted its rights (clones keep them)."""
    name = create_pg_database()
    upgrade_and_grant(pg_url(name), pg_app_url(name))
    db.get_engine(pg_url(name)).dispose()
    db.get_engine.cache_clear()
    yield name
    drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database(request, backend, tmp_path):
    """A migrated, empty database of the test's backend, dropped afterwards:
    (the app's URL, the owner's URL)."""
    if backend == "sqlite":
        path = tmp_path / "orders.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        urls = (f"sqlite:///{path}",) * 2
        name = None
    else:
        name = create_pg_database(template=request.getfixturevalue("pg_template"))
        urls = (pg_app_url(name), pg_url(name))
    _urls_in_use.update(urls)
    yield urls
    forget_engines()
    _urls_in_use.difference_update(urls)
    if name:
        drop_pg_database(name)


@pytest.fixture
def db_url(database) -> str:
    """The app's URL: on PostgreSQL its role owns no table and only appends to the history."""
    return database[0]


@pytest.fixture
def owner_url(database) -> str:
    """The owner's URL (migrations, the demo loader, tests that break data on purpose)."""
    return database[1]


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
def owner_engine(owner_url):
    return db.get_engine(owner_url)


@pytest.fixture
def demo_engine(engine, owner_engine):
    """A database holding a small, fixed demo data set (seed 7, 400 orders), loaded by the
    owner as `orders demo` does; the app's engine."""
    from orders_core.demo import load_demo

    load_demo(owner_engine, orders=400, seed=7)
    return engine
