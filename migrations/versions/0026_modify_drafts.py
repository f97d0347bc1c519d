"""Issue 18: the modify wizard's drafts. A draft row also names the order it modifies
(`order_id`, empty for a new order's draft), so that `?modify=N&draft=...` reopens only a draft of
that order, and a new-order address never opens a modification.

No foreign key: orders are only ever soft-deleted, and SQLite cannot add one without rebuilding
the table; the draft service checks the order when it saves the draft.

Revision ID: 0026_modify_drafts
Revises: 0025_wizard_drafts
"""

from alembic import op
import sqlalchemy as sa


revision = "0026_modify_drafts"
down_revision = "0025_wizard_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("wizard_drafts", sa.Column("order_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("wizard_drafts", "order_id")  # SQLite >= 3.35 drops a plain column in place
