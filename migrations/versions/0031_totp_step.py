"""two-factor sign-in: the last time step a TOTP code was accepted at (issue 17).

RFC 6238 §5.2: a code is accepted once. `users.totp_last_step` holds the 30-second step of the
last code accepted, so the same code (or an older one of the validity window) is refused.

Revision ID: 0031_totp_step
Revises: 0030_teams_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_totp_step"
down_revision = "0030_teams_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_last_step")
