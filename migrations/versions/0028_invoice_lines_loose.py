"""Issue 21: `invoice_lines.order_line_id` loses its foreign key.

An invoice line keeps the id of the order line it billed, but an order line is rewritten when
the order is modified (the wizard replaces its lines) or deleted when a partial cancellation
takes all of its units; the invoice, which never changes, must not block that nor follow it
(ON DELETE SET NULL would be an UPDATE of an issued document, which the triggers refuse). The id
stays as a plain, possibly dangling, reference: the invoice line carries its own description,
quantity and amounts.

On SQLite the table is rebuilt (batch mode), which drops its triggers: the append-only triggers
of 0027 are created again, with the same names and words.

Revision ID: 0028_invoice_lines_loose
Revises: 0027_documents
"""

from alembic import op


revision = "0028_invoice_lines_loose"
down_revision = "0027_documents"
branch_labels = None
depends_on = None

TABLE = "invoice_lines"
FOREIGN_KEY = "fk_invoice_lines_order_line_id_order_lines"


def _sqlite_triggers() -> list[str]:
    # Frozen copy of 0027's `_sqlite_triggers("invoice_lines")`.
    return [
        f"CREATE TRIGGER {TABLE}_append_only_{operation.lower()} BEFORE {operation} ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def _drop_sqlite_triggers() -> None:
    for operation in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only_{operation}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(FOREIGN_KEY, TABLE, type_="foreignkey")
        return
    _drop_sqlite_triggers()  # the rebuild copies the rows: an INSERT, but the old table is dropped
    with op.batch_alter_table(TABLE, recreate="always") as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
    for ddl in _sqlite_triggers():
        op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(FOREIGN_KEY, TABLE, "order_lines", ["order_line_id"], ["id"])
        return
    _drop_sqlite_triggers()
    with op.batch_alter_table(TABLE, recreate="always") as batch_op:
        batch_op.create_foreign_key(FOREIGN_KEY, "order_lines", ["order_line_id"], ["id"])
    for ddl in _sqlite_triggers():
        op.execute(ddl)
