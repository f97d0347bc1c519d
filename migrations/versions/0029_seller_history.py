"""seller history (issue 21): a change of the seller settings is logged in `catalogue_history`.

- `catalogue_history.entity` takes one more value, `seller` (the one `seller_settings` row, id 1,
  no event): the CHECK constraint `ck_catalogue_history_entity` is widened the way
  0021_email_kinds widened `ck_email_templates_kind`: on PostgreSQL dropped and added again; on
  SQLite its text is changed in the table's CREATE TABLE, so the append-only triggers, the
  index and the other CHECKs stay as they are (a batch rebuild would drop the triggers).
- Downgrade: the `seller` entries are deleted (the log is append-only: its triggers are set
  aside for that one statement, as the owner running the migration may), then the constraint
  is narrowed again.

Revision ID: 0029_seller_history
Revises: 0028_invoice_lines_loose
"""

import re

from alembic import op

revision = "0029_seller_history"
down_revision = "0028_invoice_lines_loose"
branch_labels = None
depends_on = None

# Frozen copies of orders_core.status.CatalogueEntity at this revision.
ENTITIES_BEFORE = ("event", "tariff", "discount_code")
ENTITIES_AFTER = (*ENTITIES_BEFORE, "seller")
TABLE = "catalogue_history"
CONSTRAINT = "ck_catalogue_history_entity"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_constraint(entities: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {CONSTRAINT}")
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} CHECK ({_in('entity', entities)})")
        return
    _sqlite_rewrite_check(bind, _in("entity", entities))


def _sqlite_rewrite_check(bind, condition: str) -> None:
    """SQLite: the CHECK's text is changed in the table's own CREATE TABLE, nothing else (see
    0021_email_kinds): every row already satisfies the new condition (upgrade widens it;
    downgrade first deletes the rows it removes)."""
    (sql,) = bind.exec_driver_sql(f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'").one()
    pattern = re.compile(rf"(CONSTRAINT {CONSTRAINT} CHECK \()entity IN \([^)]*\)(\))")
    rewritten, found = pattern.subn(lambda m: m.group(1) + condition + m.group(2), sql)
    if found != 1:
        raise RuntimeError(f"{CONSTRAINT} not found in the {TABLE} table's schema")
    (version,) = bind.exec_driver_sql("PRAGMA schema_version").one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (rewritten, TABLE))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    (check,) = bind.exec_driver_sql("PRAGMA quick_check").one()
    if check != "ok":
        raise RuntimeError(f"SQLite quick_check after changing {CONSTRAINT}: {check}")


def _delete_seller_entries() -> None:
    bind = op.get_bind()
    delete = f"DELETE FROM {TABLE} WHERE entity = 'seller'"
    if bind.dialect.name != "sqlite":
        op.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER catalogue_history_append_only")
        op.execute(delete)
        op.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER catalogue_history_append_only")
        return
    trigger = f"{TABLE}_append_only_delete"
    op.execute(f"DROP TRIGGER {trigger}")
    op.execute(delete)
    op.execute(
        f"CREATE TRIGGER {trigger} BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END"
    )


def upgrade() -> None:
    _set_constraint(ENTITIES_AFTER)


def downgrade() -> None:
    _delete_seller_entries()
    _set_constraint(ENTITIES_BEFORE)
