"""`orders db upgrade` with two URLs on PostgreSQL, as a real subprocess: the owner migrates,
the app's role is created when the owner may (else the command says what to run), granted its
rights, and refused when it could rewrite history (a superuser)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PG_HOST, PG_PORT, drop_pg_database, pg_admin, pg_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres_only


def orders(*args: str, app_url: str, owner_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ORDERS_DATABASE_URL": app_url, "ORDERS_MIGRATION_DATABASE_URL": owner_url}
    return subprocess.run(
        [sys.executable, "-m", "orders_core.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def one_line_failure(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("orders: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in line
    return line


def as_user(user: str, database: str) -> psycopg.Connection:
    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname=database, autocommit=True)


@pytest.fixture
def plain_owner(postgres_server):
    """A database owned by a plain role (no superuser, no CREATEROLE), and a name for the app's role."""
    suffix = uuid.uuid4().hex[:8]
    owner, app, database = f"orders_owner_{suffix}", f"orders_app_{suffix}", f"orders_roles_{suffix}"
    pg_admin(f"CREATE ROLE {owner} LOGIN")
    pg_admin(f"CREATE DATABASE {database} OWNER {owner}")
    yield owner, app, database
    drop_pg_database(database)
    pg_admin(f"DROP ROLE IF EXISTS {app}")
    pg_admin(f"DROP ROLE IF EXISTS {owner}")


def test_a_plain_owner_migrates_asks_for_the_app_role_then_grants_it_and_the_app_cannot_rewrite_history(
    plain_owner,
):
    owner, app, database = plain_owner
    urls = {"app_url": pg_url(database, app), "owner_url": pg_url(database, owner)}

    missing = orders("db", "upgrade", **urls)
    one_line_failure(missing, f'"{app}" does not exist', "may not create roles", f"CREATE ROLE {app} LOGIN")

    pg_admin(f"CREATE ROLE {app} LOGIN")  # what the message asked an administrator to do
    again = orders("db", "upgrade", **urls)
    assert again.returncode == 0, again.stderr
    assert f'the app connects as "{app}"' in again.stdout

    loaded = orders("demo", "--orders", "30", "--seed", "2", **urls)  # as the owner
    assert loaded.returncode == 0, loaded.stderr
    checked = orders("check", **urls)  # as the app
    assert checked.returncode == 0 and "invariants hold" in checked.stdout, checked.stdout + checked.stderr

    with as_user(app, database) as conn:
        history = conn.execute("SELECT COUNT(*) FROM order_history").fetchone()[0]
        assert history > 0
        for statement in ("DELETE FROM order_history", "TRUNCATE order_history", "UPDATE payments SET amount = 0"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
            conn.execute("ALTER TABLE order_history DISABLE TRIGGER ALL")
        conn.execute("UPDATE orders SET notes = 'the app writes orders'")
    with as_user(owner, database) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="order_history is append-only"):
            conn.execute("DELETE FROM order_history")
        assert conn.execute("SELECT COUNT(*) FROM order_history").fetchone()[0] == history
        owners = {
            row[0] for row in conn.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        }
    assert owners == {owner}

    reset = orders("demo", "--orders", "10", "--reset", **urls)  # the owner may empty the history
    assert reset.returncode == 0 and "loaded 10 demo orders" in reset.stdout, reset.stderr


def test_a_superuser_owner_creates_the_app_role_with_its_password(postgres_server):
    suffix = uuid.uuid4().hex[:8]
    app, database = f"orders_app_{suffix}", f"orders_roles_{suffix}"
    pg_admin(f"CREATE DATABASE {database}")
    try:
        app_url = f"postgresql+psycopg://{app}:s3cret%20pw@{PG_HOST}:{PG_PORT}/{database}"
        done = orders("db", "upgrade", app_url=app_url, owner_url=pg_url(database))
        assert done.returncode == 0, done.stderr
        with as_user("postgres", database) as conn:
            super_, create_role, has_password = conn.execute(
                "SELECT rolsuper, rolcreaterole, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (app,)
            ).fetchone()
        assert (super_, create_role, has_password) == (False, False, True)
        again = orders("db", "upgrade", app_url=app_url, owner_url=pg_url(database))  # idempotent
        assert again.returncode == 0, again.stderr
    finally:
        drop_pg_database(database)
        pg_admin(f"DROP ROLE IF EXISTS {app}")


def test_an_app_role_that_is_a_superuser_is_refused(plain_owner):
    owner, _app, database = plain_owner
    refused = orders("db", "upgrade", app_url=pg_url(database, "postgres"), owner_url=pg_url(database, owner))
    one_line_failure(refused, '"postgres" is a superuser', "could rewrite history")


def test_two_urls_for_two_databases_are_refused_before_migrating(plain_owner):
    owner, app, database = plain_owner
    refused = orders("db", "upgrade", app_url=pg_url("elsewhere", app), owner_url=pg_url(database, owner))
    one_line_failure(refused, "must name the same database")
    with as_user(owner, database) as conn:
        assert conn.execute("SELECT to_regclass('public.orders')").fetchone()[0] is None
