"""search fold (issue 18): the grid's search ignores accents and case, read from a stored column.

`orders.search_folded` and `order_items.search_folded` hold the searchable text of the row (the
buyer's first and last name, email and company; the holder's first and last name), joined with
spaces, lower case and without accents. The database keeps them in step whatever writes the row
(services, the demo's bulk load, COPY, a data fix in SQL), by triggers:
- PostgreSQL: `orders_fold(text)`, an IMMUTABLE PL/pgSQL `lower(unaccent(...))` (extension
  `unaccent`, trusted: a database owner may create it; dictionary and function named with their
  schema, so the result does not depend on a session's search_path), and BEFORE INSERT / UPDATE
  OF the name columns row triggers that set the column. The pg_trgm GIN indexes of migration
  0002 are rebuilt on the columns (same names): an index scan rechecks a stored text, not a
  function call per row.
- SQLite: AFTER INSERT / AFTER UPDATE OF the name columns triggers that set the column with
  `orders_fold`, the Python function orders_core.db registers on every connection (migrations
  run on such a connection too). The order_summary trigger on UPDATE names its columns, so it
  does not fire for this one.
Existing rows are filled here.

Downgrade: triggers, columns and function go; the indexes on the raw expressions come back.

Revision ID: 0023_search_fold
Revises: 0022_bank_lines
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_search_fold"
down_revision = "0022_bank_lines"
branch_labels = None
depends_on = None

COLUMN = "search_folded"
# table -> (its searchable columns, the trigram index of migration 0002 on it)
TABLES = {
    "orders": (("buyer_first_name", "buyer_last_name", "buyer_email", "company_name"), "ix_orders_search_trgm"),
    "order_items": (("holder_first_name", "holder_last_name"), "ix_order_items_search_trgm"),
}


def _joined(columns: tuple[str, ...], prefix: str = "") -> str:
    return "(" + " || ' ' || ".join(f"{prefix}{c}" for c in columns) + ")"


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema = bind.exec_driver_sql(
            "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        ).scalar_one()
        op.execute(
            "CREATE FUNCTION orders_fold(text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS "
            f"$$ BEGIN RETURN lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)); END $$"
        )
    for table, (columns, index) in TABLES.items():
        op.add_column(table, sa.Column(COLUMN, sa.Text(), nullable=False, server_default=""))
        op.execute(f"UPDATE {table} SET {COLUMN} = orders_fold({_joined(columns)})")
        names = ", ".join(columns)
        if postgresql:
            op.execute(
                f"CREATE FUNCTION {table}_search_fold() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN NEW.{COLUMN} := orders_fold({_joined(columns, 'NEW.')}); RETURN NEW; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_search_fold BEFORE INSERT OR UPDATE OF {names} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_search_fold()"
            )
            op.execute(f"DROP INDEX IF EXISTS {index}")
            op.execute(f"CREATE INDEX {index} ON {table} USING gin ({COLUMN} gin_trgm_ops)")
        else:
            fill = f"UPDATE {table} SET {COLUMN} = orders_fold({_joined(columns, 'NEW.')}) WHERE id = NEW.id;"
            op.execute(f"CREATE TRIGGER {table}_search_fold_insert AFTER INSERT ON {table} BEGIN {fill} END")
            op.execute(f"CREATE TRIGGER {table}_search_fold_update AFTER UPDATE OF {names} ON {table} BEGIN {fill} END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (columns, index) in TABLES.items():
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_fold ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_search_fold()")
            op.execute(f"DROP INDEX IF EXISTS {index}")
            op.execute(f"CREATE INDEX {index} ON {table} USING gin ({_joined(columns)} gin_trgm_ops)")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_fold_insert")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_fold_update")
        op.drop_column(table, COLUMN)
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS orders_fold(text)")
        op.execute("DROP EXTENSION IF EXISTS unaccent")
