"""roles and outbox (issue 13, items 6 and 9; issue 15's worker).

Outbox: every email gets its Message-ID when it is queued (existing rows without one get one
here), unique, so a retry after a crash resends the very same ID; `first_failed_at` starts the
retry window (a schedule of days); `claimed_by` names the sender holding a `sending` row.

Append-only tables: `order_history`, `catalogue_history` and `payments` refuse UPDATE and DELETE
by trigger on SQLite too (PostgreSQL had it for the two logs; `payments` gets it here). On
PostgreSQL the app's role is also denied UPDATE, DELETE and TRUNCATE on them by privileges,
granted by `orders db upgrade` (not here: the role is configuration, not schema).

Revision ID: 0013_roles_outbox
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa

revision = "0013_roles_outbox"
down_revision = "0010"
branch_labels = None
depends_on = None

# Frozen copy: the tables this revision makes append-only (orders_core/privileges.py keeps the
# live list; a test checks both agree with the triggers found in a migrated database).
APPEND_ONLY = ("order_history", "catalogue_history", "payments")
PG_ALREADY_PROTECTED = ("order_history", "catalogue_history")


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
    random_part = (
        "substr(md5(random()::text), 1, 16)" if bind.dialect.name == "postgresql" else "lower(hex(randomblob(8)))"
    )
    op.execute(
        f"UPDATE outbox_emails SET message_id = '<' || id || '.' || {random_part} || '@localhost>' "
        "WHERE message_id IS NULL"
    )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.alter_column("message_id", existing_type=sa.String(length=255), nullable=False)
        batch_op.create_index("uq_outbox_emails_message_id", ["message_id"], unique=True)

    if bind.dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION payments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'payments is append-only: % refused', TG_OP;
            END $$""")
        op.execute("""
            CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments
            FOR EACH ROW EXECUTE FUNCTION payments_append_only()""")
    else:
        for table in APPEND_ONLY:
            for ddl in _sqlite_triggers(table):
                op.execute(ddl)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER payments_append_only ON payments")
        op.execute("DROP FUNCTION payments_append_only()")
    else:
        for table in APPEND_ONLY:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_append_only_{operation}")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index("uq_outbox_emails_message_id")
        batch_op.alter_column("message_id", existing_type=sa.String(length=255), nullable=True)
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("first_failed_at")
