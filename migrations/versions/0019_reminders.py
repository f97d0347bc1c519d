"""The reminder ladder (issue 15).

- `reminder_ladder_steps`: an event's edited ladder, one row per step (`due_soon`, `first`,
  `second`, `final`) with its offset in days from the due date and whether it is on; an event
  without rows uses the default ladder (-3, +1, +7, +21 days).
- `payment_reminders`: each step sent to an order, at most once (UNIQUE(order_id, step)): two
  workers, or a worker and a finance click, never send the same step twice.
- `orders.reminders_paused_until` (date) and `orders.reminders_pause_note`: finance paused the
  ladder on this order up to and including that day, and why ("promised to pay on the 15th").

Revision ID: 0019_reminders
Revises: 0018_due_dates
"""

from alembic import op
import sqlalchemy as sa

revision = "0019_reminders"
down_revision = "0018_due_dates"
branch_labels = None
depends_on = None

# Frozen copies of orders_core.reminders at this revision.
STEPS = ("due_soon", "first", "second", "final")
MIN_OFFSET, MAX_OFFSET = -60, 365
NOTE_LIMIT = 1000
STEP_CHECK = "step IN (" + ", ".join(f"'{s}'" for s in STEPS) + ")"


def upgrade() -> None:
    op.create_table(
        "reminder_ladder_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(STEP_CHECK, name=op.f("ck_reminder_ladder_steps_step")),
        sa.CheckConstraint(
            f"offset_days BETWEEN {MIN_OFFSET} AND {MAX_OFFSET}",
            name=op.f("ck_reminder_ladder_steps_offset_days_range"),
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_reminder_ladder_steps_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_ladder_steps")),
        sa.UniqueConstraint("event_id", "step", name=op.f("uq_reminder_ladder_steps_event_id_step")),
    )
    op.create_index(op.f("ix_reminder_ladder_steps_event_id"), "reminder_ladder_steps", ["event_id"])
    op.create_table(
        "payment_reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("outbox_email_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(STEP_CHECK, name=op.f("ck_payment_reminders_step")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_payment_reminders_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["outbox_email_id"], ["outbox_emails.id"], name=op.f("fk_payment_reminders_outbox_email_id_outbox_emails")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_reminders")),
        sa.UniqueConstraint("order_id", "step", name=op.f("uq_payment_reminders_order_id_step")),
    )
    op.add_column("orders", sa.Column("reminders_paused_until", sa.Date(), nullable=True))
    op.execute(
        "ALTER TABLE orders ADD COLUMN reminders_pause_note TEXT DEFAULT '' NOT NULL "
        f"CONSTRAINT ck_orders_reminders_pause_note_limit CHECK (length(reminders_pause_note) <= {NOTE_LIMIT})"
    )


def downgrade() -> None:
    for column in ("reminders_pause_note", "reminders_paused_until"):
        op.execute(f"ALTER TABLE orders DROP COLUMN {column}")
    op.drop_table("payment_reminders")
    op.drop_index(op.f("ix_reminder_ladder_steps_event_id"), table_name="reminder_ladder_steps")
    op.drop_table("reminder_ladder_steps")
