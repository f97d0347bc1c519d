"""Migration 0015_limits: the database itself refuses what PostgreSQL refused and SQLite stored
(over-long text, amounts that are not finite or too large, 64-bit integers, 1001 units in a
line), so a write that bypasses the services meets the same limits on both; and the table
rebuilds it needs on SQLite keep every trigger (append-only logs, summaries)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from orders_core.db import unit_of_work
from orders_core.migrate import upgrade
from tests.append_only import assert_refused, write_each_append_only_table
from tests.factories import make_event, make_order, make_tariff

NOT_FINITE = {"postgresql": "'NaN'", "sqlite": "9e999"}  # 9e999 is SQLite's Infinity


@pytest.fixture
def order_id(owner_engine) -> int:
    with unit_of_work(owner_engine) as session:
        event = make_event(session)
        return make_order(session, event, [(make_tariff(session, event), 1)]).id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE orders SET buyer_first_name = '{long}' WHERE id = {id}",
        "UPDATE orders SET notes = '{very_long}' WHERE id = {id}",
        "UPDATE orders SET total_ttc = {not_finite} WHERE id = {id}",
        "UPDATE orders SET amount_paid = 10000000000 WHERE id = {id}",
        "UPDATE orders SET version = 10000000000 WHERE id = {id}",
        "UPDATE order_lines SET quantity = 1001 WHERE order_id = {id}",
    ],
    ids=["varchar size", "text limit", "amount not finite", "amount too large", "64-bit integer", "1001 units"],
)
def test_a_raw_write_past_a_limit_is_refused_by_the_database(owner_engine, order_id, statement):
    sql = statement.format(
        id=order_id, long="x" * 101, very_long="x" * 10_001, not_finite=NOT_FINITE[owner_engine.dialect.name]
    )
    with pytest.raises(DBAPIError), owner_engine.begin() as conn:
        conn.execute(text(sql))
    with owner_engine.connect() as conn:
        row = conn.execute(text(f"SELECT buyer_first_name, total_ttc, version FROM orders WHERE id = {order_id}")).one()
    assert (row.buyer_first_name, row.version) == ("Ada", 1)


def test_a_write_within_the_limits_still_passes(owner_engine, order_id):
    with owner_engine.begin() as conn:
        conn.execute(text(f"UPDATE orders SET notes = '{'x' * 10_000}' WHERE id = {order_id}"))
        conn.execute(text(f"UPDATE order_lines SET quantity = 1000 WHERE order_id = {order_id}"))


def _triggers(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            else:
                query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            return set(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def test_the_limits_migration_keeps_every_trigger(empty_db_url):
    upgrade(empty_db_url, "0012_sessions")
    before = _triggers(empty_db_url)
    upgrade(empty_db_url, "0015_limits")
    assert len(before) >= 9 and _triggers(empty_db_url) == before


def test_the_logs_are_still_append_only_after_the_limits_migration(owner_engine):
    write_each_append_only_table(owner_engine)
    assert_refused(owner_engine, "UPDATE order_history SET actor = 'someone else'", "append-only")
    assert_refused(owner_engine, "DELETE FROM payments", "append-only")
