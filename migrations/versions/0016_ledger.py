"""One money ledger (issue 20): refunds are rows of their own, append-only like payments, and
every order holds its payment state derived from the ledger.

- `refunds(id, order_id, amount > 0, currency, method, reference, refunded_at, reason,
  recorded_by, created_at)`: UPDATE and DELETE refused by trigger (SQLite and PostgreSQL); on
  PostgreSQL the app's role gets only SELECT and INSERT (orders_core/privileges.py).
- `orders.payment_state` (unpaid, partially_paid, paid, overpaid, partially_refunded, refunded),
  backfilled from the payments (there are no refunds yet). `payments.received_at` exists since
  0001.

The column is added with plain ALTER TABLE on both databases: a SQLite batch rebuild of `orders`
would drop its summary triggers.

Revision ID: 0016_ledger
Revises: 0015_limits
"""

from alembic import op
import sqlalchemy as sa

revision = "0016_ledger"
down_revision = "0015_limits"
branch_labels = None
depends_on = None

# Frozen copies (orders_core/payment_state.py and status.py keep the live ones).
STATES = ("unpaid", "partially_paid", "paid", "overpaid", "partially_refunded", "refunded")
METHODS = ("online", "bank_transfer", "cheque", "cash", "card", "other")
PAID_SUM = "(SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.order_id = orders.id)"
BACKFILL = (
    f"CASE WHEN {PAID_SUM} > total_ttc THEN 'overpaid' "
    f"WHEN {PAID_SUM} = total_ttc AND (total_ttc > 0 OR status = 'paid') THEN 'paid' "
    f"WHEN {PAID_SUM} > 0 THEN 'partially_paid' ELSE 'unpaid' END"
)


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount_positive")),
        sa.CheckConstraint(
            "method IN ({})".format(", ".join(f"'{m}'" for m in METHODS)), name=op.f("ck_refunds_method")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_refunds_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"], unique=False)
    states = ", ".join(f"'{s}'" for s in STATES)
    op.execute(
        "ALTER TABLE orders ADD COLUMN payment_state VARCHAR(20) DEFAULT 'unpaid' NOT NULL "
        f"CONSTRAINT ck_orders_payment_state CHECK (payment_state IN ({states}))"
    )
    op.execute(f"UPDATE orders SET payment_state = {BACKFILL}")
    # A refund that cancels the order marks its attendees cancelled (they are never deleted).
    op.add_column("attendees", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    if bind.dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION refunds_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'refunds is append-only: % refused', TG_OP;
            END $$""")
        op.execute("""
            CREATE TRIGGER refunds_append_only BEFORE UPDATE OR DELETE ON refunds
            FOR EACH ROW EXECUTE FUNCTION refunds_append_only()""")
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER refunds_append_only_{operation.lower()} BEFORE {operation} ON refunds "
                f"BEGIN SELECT RAISE(ABORT, 'refunds is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER refunds_append_only ON refunds")
        op.execute("DROP FUNCTION refunds_append_only()")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER refunds_append_only_{operation}")
    op.drop_column("attendees", "cancelled_at")
    op.drop_index("ix_refunds_order_id", table_name="refunds")
    op.drop_table("refunds")
    op.execute(
        "ALTER TABLE orders DROP CONSTRAINT ck_orders_payment_state"
        if bind.dialect.name == "postgresql"
        else "SELECT 1"
    )
    op.execute("ALTER TABLE orders DROP COLUMN payment_state")
