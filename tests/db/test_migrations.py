"""Migrations are the only way a schema is made: empty -> head -> base -> head on both
databases, and the models never drift from what the migrations build."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from orders_core.migrate import alembic_config, downgrade, upgrade
from orders_core.models import Base


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _current_heads(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def _model_index(name: str):
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            if index.name == name:
                return index
    return None


def _element_text(element) -> str:
    return str(getattr(element, "name", None) or element).strip()


def _same_sqlite_expression_index(conn, removed, added) -> bool:
    """SQLite reflects an index on `created_at DESC` as a plain index on `created_at`: it has no
    way to give the sort direction back, so Alembic reports every such index of the models as
    removed and added again even when migration and model agree (PostgreSQL reflects them fully
    and compares them all). We accept that pair only when it is the same index: the same
    columns in the same order, and the database's own CREATE INDEX carries the same
    expressions (directions included) as the model."""
    model = _model_index(added.name)
    if model is None:
        return False
    wanted = [_element_text(e) for e in model.expressions]
    if [re.sub(r"\s+(ASC|DESC)$", "", w, flags=re.I) for w in wanted] != [c.name for c in removed.expressions]:
        return False
    ddl = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"), {"n": added.name}
    ).scalar_one()
    columns = re.search(r"\((.*)\)\s*$", ddl, flags=re.S).group(1)
    actual = [re.sub(r"\s+", " ", part.strip().replace('"', "")) for part in columns.split(",")]
    return [w.lower() for w in actual] == [w.lower() for w in wanted] and model.unique == bool(removed.unique)


POSTGRESQL_ONLY_INDEX_METHODS = {"gin", "gist", "brin"}


def _postgresql_only_index(diff) -> bool:
    """Index methods SQLite does not have (e.g. the grid's pg_trgm GIN indexes for substring
    search) are made by the migrations on PostgreSQL only, inside a dialect guard; they cannot
    be in the models, which describe both databases. Only such indexes are allowed to exist in
    the database without a model counterpart."""
    if not (isinstance(diff, tuple) and diff[0] == "remove_index"):
        return False
    using = (diff[1].dialect_options["postgresql"].get("using") or "").lower()
    return using in POSTGRESQL_ONLY_INDEX_METHODS


def _real_drift(conn, diffs: list) -> list:
    if conn.dialect.name == "postgresql":
        return [d for d in diffs if not _postgresql_only_index(d)]
    removed = {d[1].name: d for d in diffs if isinstance(d, tuple) and d[0] == "remove_index"}
    added = {d[1].name: d for d in diffs if isinstance(d, tuple) and d[0] == "add_index"}
    same = {
        name
        for name in removed.keys() & added.keys()
        if _same_sqlite_expression_index(conn, removed[name][1], added[name][1])
    }
    return [
        d for d in diffs if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index") and d[1].name in same)
    ]


def _drift(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _real_drift(conn, compare_metadata(MigrationContext.configure(conn), Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_from_empty_to_head_creates_every_model_table(empty_db_url):
    assert _tables(empty_db_url) == set()
    upgrade(empty_db_url, "heads")
    assert _current_heads(empty_db_url) == _heads()
    assert _tables(empty_db_url) == set(Base.metadata.tables)


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(empty_db_url):
    upgrade(empty_db_url, "heads")
    downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()
    assert _current_heads(empty_db_url) == set()
    upgrade(empty_db_url, "heads")
    assert _tables(empty_db_url) == set(Base.metadata.tables)
    assert _drift(empty_db_url) == []


def test_the_migrations_form_one_chain_with_a_single_head():
    """Slots are filled in parallel; each must revise the one before it, or `upgrade head`
    becomes ambiguous."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"several heads: {sorted(script.get_heads())}"
    assert [r.down_revision for r in script.walk_revisions()][-1] is None


def test_models_and_migrations_do_not_drift(owner_url):
    assert _drift(owner_url) == []


def test_the_drift_check_sees_an_index_made_outside_the_migrations(owner_url):
    """The SQLite allowance above must not hide a real difference."""
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE INDEX ix_rogue_orders_notes ON orders (notes)"))
    finally:
        engine.dispose()
    drift = _drift(owner_url)
    assert [(d[0], d[1].name) for d in drift] == [("remove_index", "ix_rogue_orders_notes")]


def test_order_number_counter_is_seeded_by_the_migration(owner_url):
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT value FROM counters WHERE name = 'order_number'")).scalar_one()
    finally:
        engine.dispose()
    assert 999_999 <= value < 9_999_999


def test_the_drift_check_sees_a_sort_direction_lost_on_sqlite_too(owner_url):
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_orders_created_at_id"))
            conn.execute(text("CREATE INDEX ix_orders_created_at_id ON orders (created_at, id)"))
    finally:
        engine.dispose()
    drift = _drift(owner_url)
    assert sorted((d[0], d[1].name) for d in drift) == [
        ("add_index", "ix_orders_created_at_id"),
        ("remove_index", "ix_orders_created_at_id"),
    ]
