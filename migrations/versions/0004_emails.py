"""emails (issue 6): the outbox keeps the recipient's display name and the Message-ID it was
sent with (a retry after a crash reuses the same ID, so receivers can spot a duplicate), and is
listed newest first on the Emails page.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_outbox_emails_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_emails_created_at")
        batch_op.drop_column("message_id")
        batch_op.drop_column("recipient_name")
