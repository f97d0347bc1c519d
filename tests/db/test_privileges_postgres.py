"""What only PostgreSQL can refuse: the app's role (`orders_test_app`, as granted by `orders db
upgrade`) cannot lift a trigger, alter or drop a table, skip triggers, write the migration state,
empty a table or grant itself rights, and owns nothing; it still writes where the app must."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.append_only import assert_refused, write_each_append_only_table
from tests.conftest import PG_APP_USER

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def backend():
    return "postgresql"


@pytest.fixture
def written(engine) -> None:
    write_each_append_only_table(engine)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE order_history DISABLE TRIGGER order_history_append_only",
        "ALTER TABLE order_history DISABLE TRIGGER ALL",
        "DROP TRIGGER payments_append_only ON payments",
        "ALTER TABLE orders ADD COLUMN hidden text",
        "ALTER TABLE order_history RENAME TO old_history",
        "DROP TABLE catalogue_history",
        "CREATE OR REPLACE FUNCTION order_history_append_only() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$",
        "SET session_replication_role = replica",
        "UPDATE alembic_version SET version_num = 'x'",
        "TRUNCATE orders",
        "CREATE TABLE public.shadow (id int)",
    ],
)
def test_the_app_cannot_lift_a_trigger_alter_a_table_or_grant_itself_rights(engine, written, statement):
    assert_refused(engine, statement, "must be owner|permission denied|no privileges")
    with engine.connect() as conn:  # and nothing changed
        assert conn.execute(text("SELECT COUNT(*) FROM order_history")).scalar() >= 1
        assert conn.execute(text("SELECT current_setting('session_replication_role')")).scalar() == "origin"


def test_the_app_role_owns_no_table_and_is_no_superuser(engine):
    with engine.connect() as conn:
        user = conn.execute(text("SELECT current_user")).scalar_one()
        owners = set(
            conn.execute(text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars()
        )
        superuser = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar_one()
    assert user == PG_APP_USER and user not in owners and owners and not superuser


def test_a_grant_the_app_gives_itself_changes_nothing(engine, written):
    with engine.begin() as conn:  # PostgreSQL only warns: "no privileges were granted"
        conn.execute(text("GRANT UPDATE, DELETE, TRUNCATE ON order_history TO PUBLIC"))
    assert_refused(engine, "DELETE FROM order_history", "permission denied for table order_history")


def test_the_app_still_updates_and_deletes_where_it_must(engine, written):
    with engine.begin() as conn:
        assert conn.execute(text("UPDATE orders SET notes = 'ok'")).rowcount >= 1
        assert conn.execute(text("SELECT COUNT(*) FROM order_summary")).scalar() >= 1  # kept by triggers
        conn.execute(text("DELETE FROM saved_views"))
