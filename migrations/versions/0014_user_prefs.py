"""Users pick their time zone (issue 14): `users.timezone`, an IANA name, NULL until chosen
(the app then uses the browser's zone, else Europe/Paris).

Revision ID: 0014_user_prefs
Revises: 0013_roles_outbox
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_user_prefs"
down_revision = "0013_roles_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("timezone")
