"""email kinds (issues 15 and 20): the refund and "order expired" emails get templates of their own.

- `email_templates.kind` takes two more values, `refund` (the refund email, issue 20) and
  `order_expired` (the worker's expiry, issue 15): the CHECK constraint `ck_email_templates_kind`
  is widened, the same way as 0020_box_office widened `ck_orders_payment_mode`: on PostgreSQL
  dropped and added again; on SQLite its text is changed in the table's CREATE TABLE (see
  `_sqlite_rewrite_check`), so indexes and the other CHECKs stay as they are.
- `outbox_emails.kind` has no CHECK (it already holds `refund` and `order_expired` emails
  rendered from the built-in texts): nothing to change there.
- Downgrade: the templates of the two kinds are deleted (the emails already rendered from them
  stay in the outbox, their link cleared, as when a template is deleted in the app; from then
  on those emails use the built-in texts again), then the constraint is narrowed again.

Revision ID: 0021_email_kinds
Revises: 0020_box_office
"""

import re

from alembic import op

revision = "0021_email_kinds"
down_revision = "0020_box_office"
branch_labels = None
depends_on = None

# Frozen copies of orders_core.status.EmailKind at this revision.
KINDS_BEFORE = ("payment_details", "order_confirmation", "tickets", "payment_reminder", "order_changed")
NEW_KINDS = ("refund", "order_expired")
KINDS_AFTER = (*KINDS_BEFORE, *NEW_KINDS)
TABLE = "email_templates"
CONSTRAINT = "ck_email_templates_kind"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_constraint(kinds: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table(TABLE) as batch:
            batch.drop_constraint(op.f(CONSTRAINT), type_="check")
            batch.create_check_constraint(op.f(CONSTRAINT), _in("kind", kinds))
        return
    _sqlite_rewrite_check(bind, _in("kind", kinds))


def _sqlite_rewrite_check(bind, condition: str) -> None:
    """SQLite: the CHECK's text is changed in the table's own CREATE TABLE, nothing else (why not
    a batch rebuild: see 0020_box_office). SQLite documents this edit of sqlite_schema as safe for
    CHECK constraints: no stored row changes format, and every row already satisfies the new
    condition (upgrade widens it; downgrade first deletes the rows of the kinds it removes)."""
    (sql,) = bind.exec_driver_sql(f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'").one()
    pattern = re.compile(rf"(CONSTRAINT {CONSTRAINT} CHECK \()kind IN \([^)]*\)(\))")
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


def upgrade() -> None:
    _set_constraint(KINDS_AFTER)


def downgrade() -> None:
    kinds = _in("kind", NEW_KINDS)
    op.execute(
        f"UPDATE outbox_emails SET template_id = NULL WHERE template_id IN (SELECT id FROM {TABLE} WHERE {kinds})"
    )
    op.execute(f"DELETE FROM {TABLE} WHERE {kinds}")
    _set_constraint(KINDS_BEFORE)
