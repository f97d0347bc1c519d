"""A database the app cannot rewrite (issue 13 item 9): on PostgreSQL the app's role owns no
table, cannot change or empty the append-only tables, cannot lift a trigger or alter a table;
on SQLite triggers refuse UPDATE and DELETE of the append-only tables. The owner's triggers stop
everyone else too. (That the app still works as that role is the rest of the suite: `engine`
connects as it.)"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from orders_core.privileges import APPEND_ONLY_TABLES, PrivilegeError, app_role_for
from tests.append_only import assert_refused, write_each_append_only_table


@pytest.fixture
def written(engine) -> None:
    write_each_append_only_table(engine)


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _changes(table: str) -> list[str]:
    key = "invoice_id" if table == "invoice_files" else "id"  # a document's PDF is keyed by its document
    return [f"UPDATE {table} SET {key} = {key}", f"DELETE FROM {table}"]


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_can_neither_update_nor_delete_nor_truncate_an_append_only_table(engine, backend, written, table):
    before = _count(engine, table)
    refusal = f"permission denied for table {table}" if backend == "postgresql" else f"{table} is append-only"
    for statement in _changes(table):
        assert_refused(engine, statement, refusal)
    if backend == "postgresql":
        assert_refused(engine, f"TRUNCATE {table}", refusal)
        assert_refused(engine, f"TRUNCATE orders, {table} CASCADE", "permission denied")
    assert _count(engine, table) == before


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_owner_is_stopped_by_the_append_only_triggers_too(owner_engine, written, table):
    before = _count(owner_engine, table)
    for statement in _changes(table):
        assert_refused(owner_engine, statement, f"{table} is append-only")
    assert _count(owner_engine, table) == before


def test_the_tables_the_migrations_protect_are_exactly_the_append_only_tables(engine, backend):
    """A later migration that rebuilds a protected table (SQLite's batch mode drops its triggers)
    or adds an append-only table without its trigger fails here."""
    with engine.connect() as conn:
        if backend == "postgresql":
            names = conn.execute(
                text(
                    "SELECT tgname, tgrelid::regclass::text, tgenabled FROM pg_trigger "
                    "WHERE NOT tgisinternal AND tgname LIKE '%append_only'"
                )
            ).all()
            assert all(enabled == "O" for _name, _table, enabled in names)
            assert sorted(table for _name, table, _enabled in names) == sorted(APPEND_ONLY_TABLES)
        else:
            names = conn.execute(
                text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only%'")
            ).all()
            assert sorted(names) == sorted(
                (f"{table}_append_only_{operation}", table)
                for table in APPEND_ONLY_TABLES
                for operation in ("delete", "update")
            )


def test_one_url_or_sqlite_is_a_single_role_setup():
    assert app_role_for("sqlite:///data/orders.db", "sqlite:///data/orders.db") is None
    same = "postgresql+psycopg://owner@db:5432/orders"
    assert app_role_for(same, same) is None
    role = app_role_for(same, "postgresql+psycopg://orders_app:s3cret@db:5432/orders")
    assert (role.name, role.password) == ("orders_app", "s3cret")


def test_two_urls_must_name_the_same_database():
    with pytest.raises(PrivilegeError, match="same database"):
        app_role_for("postgresql+psycopg://owner@db/orders", "postgresql+psycopg://app@db/other")
    with pytest.raises(PrivilegeError, match="same database"):
        app_role_for("postgresql+psycopg://owner@db/orders", "sqlite:///data/orders.db")
