"""limits (issue 13, item 7): SQLite refuses what PostgreSQL refuses.

CHECK constraints, named `ck_<table>_<column>_limit`:
- text without a size (Text) gets a length limit, on both databases (PostgreSQL has no limit
  of its own there); varchar(N) gets `length(col) <= N` on SQLite (PostgreSQL enforces N);
- NUMERIC(p, s) is finite and within its digits on both (PostgreSQL's numeric accepts 'NaN',
  SQLite's float storage accepts Infinity and anything large);
- INTEGER stays within 32 bits on SQLite (PostgreSQL's integer);
- an order line holds at most 1000 units (orders_core.inputs.MAX_QUANTITY), on both.

The columns are read from the database itself, so the revision is frozen by the schema it
meets. SQLite adds a constraint by rebuilding the table: every trigger (append-only logs, summary
and dashboard triggers) and index is saved first and created again afterwards from its own SQL;
foreign keys are off during migrations (migrations/env.py).

Revision ID: 0015_limits
Revises: 0012_sessions
"""

from alembic import op
import sqlalchemy as sa

revision = "0015_limits"
down_revision = "0012_sessions"
branch_labels = None
depends_on = None

# Frozen copies of orders_core.limits and inputs.MAX_QUANTITY at this revision.
TEXT_LIMIT = 10_000
TEXT_LIMITS = {
    ("email_templates", "body"): 100_000,  # emails/render.py MAX_SOURCE_CHARS
    ("outbox_emails", "body_text"): None,
    ("outbox_emails", "body_html"): None,
    ("outbox_emails", "last_error"): None,
}
MAX_QUANTITY = 1000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
SKIP_TABLES = {"alembic_version"}


def constraint_name(table: str, column: str) -> str:
    # The metadata's naming convention prefixes `ck_<table>_`.
    return f"{column}_limit"


def conditions(bind) -> dict[str, list[tuple[str, str]]]:
    """table -> [(constraint name, condition)] for this database."""
    sqlite = bind.dialect.name == "sqlite"
    inspector = sa.inspect(bind)
    found: dict[str, list[tuple[str, str]]] = {}
    for table in sorted(set(inspector.get_table_names()) - SKIP_TABLES):
        pk = set(inspector.get_pk_constraint(table).get("constrained_columns") or ())
        checks = []
        for column in inspector.get_columns(table):
            name, kind = column["name"], column["type"]
            quoted = f'"{name}"'
            condition = None
            if isinstance(kind, sa.String) and getattr(kind, "length", None):
                if sqlite:
                    condition = f"length({quoted}) <= {kind.length}"
            elif isinstance(kind, sa.String):  # Text
                limit = TEXT_LIMITS.get((table, name), TEXT_LIMIT)
                if limit is not None:
                    condition = f"length({quoted}) <= {limit}"
            elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float) and kind.precision:
                bound = "1" + "0" * (kind.precision - (kind.scale or 0))
                condition = f"{quoted} > -{bound} AND {quoted} < {bound}"
            elif isinstance(kind, sa.Integer) and not isinstance(kind, sa.BigInteger) and sqlite and name not in pk:
                condition = f"{quoted} BETWEEN {INT_MIN} AND {INT_MAX}"
            if table == "order_lines" and name == "quantity":
                condition = f"{quoted} <= {MAX_QUANTITY}" + (f" AND {condition}" if condition else "")
            if condition:
                checks.append((constraint_name(table, name), condition))
        if checks:
            found[table] = checks
    return found


def _sqlite_schema(bind, kind: str) -> list[tuple[str, str]]:
    query = f"SELECT name, sql FROM sqlite_master WHERE type = '{kind}' AND sql IS NOT NULL ORDER BY name"
    return [(row[0], row[1]) for row in bind.exec_driver_sql(query)]


def _with_schema_kept(bind, change) -> None:
    """Run `change`; on SQLite keep every trigger and index as written: triggers are dropped
    first (renaming a rebuilt table re-parses other tables' triggers) and created again after;
    indexes are created again from their own SQL, since a rebuild recreates them from reflection,
    which loses sort directions and expressions."""
    if bind.dialect.name != "sqlite":
        change()
        return
    triggers = _sqlite_schema(bind, "trigger")
    indexes = _sqlite_schema(bind, "index")
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    change()
    for name, sql in indexes:
        op.execute(f'DROP INDEX IF EXISTS "{name}"')
        op.execute(sql)
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    bind = op.get_bind()
    found = conditions(bind)

    def change() -> None:
        for table, checks in found.items():
            with op.batch_alter_table(table) as batch:
                for name, condition in checks:
                    batch.create_check_constraint(name, condition)

    _with_schema_kept(bind, change)


def downgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    found = {
        table: [c["name"] for c in inspector.get_check_constraints(table) if (c["name"] or "").endswith("_limit")]
        for table in sorted(set(inspector.get_table_names()) - SKIP_TABLES)
    }

    def change() -> None:
        for table, names in found.items():
            if names:
                with op.batch_alter_table(table) as batch:
                    for name in names:
                        batch.drop_constraint(op.f(name), type_="check")

    _with_schema_kept(bind, change)
