"""Bank reconciliation (issue 10): statements, their incoming transactions, and the
allocations of each transaction to orders.

Revision ID: 0010
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=254), nullable=False),
        sa.Column("lines_read", sa.Integer(), nullable=False),
        sa.Column("lines_new", sa.Integer(), nullable=False),
        sa.Column("lines_duplicate", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
    )
    op.create_table(
        "bank_transactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=500), nullable=False),
        sa.Column("bank_id", sa.String(length=100), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("allocated", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('unmatched', 'partial', 'matched', 'ignored')", name=op.f("ck_bank_transactions_status")
        ),
        sa.CheckConstraint(
            "amount > 0 AND allocated >= 0 AND allocated <= amount", name=op.f("ck_bank_transactions_allocation")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["bank_statements.id"], name=op.f("fk_bank_transactions_statement_id_bank_statements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_transactions")),
        sa.UniqueConstraint("checksum", name=op.f("uq_bank_transactions_checksum")),
    )
    with op.batch_alter_table("bank_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_transactions_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "bank_allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_bank_allocations_order_id_orders")),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_bank_allocations_payment_id_payments")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["bank_transactions.id"],
            name=op.f("fk_bank_allocations_transaction_id_bank_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_allocations")),
    )
    with op.batch_alter_table("bank_allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_allocations_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_allocations_transaction_id"), ["transaction_id"], unique=False)


def downgrade() -> None:
    op.drop_table("bank_allocations")
    op.drop_table("bank_transactions")
    op.drop_table("bank_statements")
