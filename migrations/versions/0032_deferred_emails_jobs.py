"""Issue 19: emails rendered by the sender, and background jobs with their progress.

- `outbox_emails.to_render`: set on an email queued without its text (a bulk validation's
  confirmations): what the sender needs to render it when it sends it (the moment it was
  queued and the facts of that moment, e.g. the amount paid). NULL once rendered, and for every
  email rendered when queued. Its subject and body are empty until then.
- `background_jobs`: work too large for one request (validating more than 10,000 orders), run
  by the worker in chunks; `done` of `total` is the progress a page shows, `result` the summary.

Idempotent: each object is created only when missing (a shared benchmark database may have
received them before this revision was stamped).

Revision ID: 0032_deferred_emails_jobs
Revises: 0031_totp_step
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_deferred_emails_jobs"
down_revision = "0031_totp_step"
branch_labels = None
depends_on = None

JOBS = "background_jobs"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "to_render" not in {c["name"] for c in inspector.get_columns("outbox_emails")}:
        with op.batch_alter_table("outbox_emails") as batch_op:
            batch_op.add_column(sa.Column("to_render", sa.JSON(), nullable=True))
    if not inspector.has_table(JOBS):
        op.create_table(
            JOBS,
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("kind", sa.String(length=40), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("actor", sa.JSON(), nullable=False),
            sa.Column("params", sa.JSON(), nullable=False),
            sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("done", sa.Integer(), nullable=False, server_default="0"),
            sa.Column("result", sa.JSON(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("claimed_by", sa.String(length=100), nullable=True),
            sa.CheckConstraint(
                "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_background_jobs_status")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
        )
        op.create_index("ix_background_jobs_status_id", JOBS, ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_background_jobs_status_id", table_name=JOBS)
    op.drop_table(JOBS)
    with op.batch_alter_table("outbox_emails") as batch_op:
        batch_op.drop_column("to_render")
