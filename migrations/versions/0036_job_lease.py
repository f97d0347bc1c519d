"""A lease on a claimed background job (issue 19): a worker killed mid-job (no graceful stop)
left its job `running` for ever; now the claim runs out at `lease_until` unless the worker
renews it with each chunk, and another worker takes the job over where it was.

Idempotent: the column is added only when missing.

Revision ID: 0036_job_lease
Revises: 0034_grid_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_job_lease"
down_revision = "0034_grid_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("background_jobs")}
    if "lease_until" not in columns:
        with op.batch_alter_table("background_jobs") as batch_op:
            batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("background_jobs") as batch_op:
        batch_op.drop_column("lease_until")
