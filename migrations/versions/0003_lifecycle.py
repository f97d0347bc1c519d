"""lifecycle (issue 5): a payment says why it was recorded, and an order has at most one
settlement payment (the one that made it paid), so validating twice can never pay twice even
if two requests slip past every check: the database refuses the second.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SETTLEMENT = sa.text("purpose = 'settlement'")


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=12), nullable=False, server_default="payment"))
        batch_op.create_check_constraint(op.f("ck_payments_purpose"), "purpose IN ('payment', 'settlement')")
    op.create_index(
        "uq_payments_settlement_order_id",
        "payments",
        ["order_id"],
        unique=True,
        sqlite_where=SETTLEMENT,
        postgresql_where=SETTLEMENT,
    )


def downgrade() -> None:
    op.drop_index("uq_payments_settlement_order_id", table_name="payments")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payments_purpose"), type_="check")
        batch_op.drop_column("purpose")
