"""Due dates, payment terms and follow-ups (issue 15).

- `orders.due_date` (date): the day an invoice order's money is due, set from its event's
  payment terms; NULL on orders that are not paid on invoice.
- `orders.follow_up_on` (date) and `orders.follow_up_note`: any order can carry a reminder for
  the team ("call back on the 15th").
- `events.payment_terms_days`: days after the order the money is due; `events.payment_due_days_before_event`:
  the last day before the event it is due; the earlier of the two wins (NULL: that rule is off).
- `events.expire_after_days`: grace days past the due date after which an unpaid invoice order
  is cancelled by the worker (NULL: expiry is off, the default).
- Partial indexes on the due and follow-up dates: finance's "overdue" and "follow-up due" find
  the few orders carrying one without a scan.

Revision ID: 0018_due_dates
Revises: 0017_ledger_reports
"""

from alembic import op
import sqlalchemy as sa

revision = "0018_due_dates"
down_revision = "0017_ledger_reports"
branch_labels = None
depends_on = None

NOTE_LIMIT = 1000  # frozen copy of orders_core.inputs' follow-up note limit at this revision
DAYS_LIMIT = 3650
EVENT_DAYS = ("payment_terms_days", "payment_due_days_before_event", "expire_after_days")


def upgrade() -> None:
    op.add_column("orders", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("orders", sa.Column("follow_up_on", sa.Date(), nullable=True))
    op.execute(
        "ALTER TABLE orders ADD COLUMN follow_up_note TEXT DEFAULT '' NOT NULL "
        f"CONSTRAINT ck_orders_follow_up_note_limit CHECK (length(follow_up_note) <= {NOTE_LIMIT})"
    )
    for column in EVENT_DAYS:
        op.execute(
            f"ALTER TABLE events ADD COLUMN {column} INTEGER "
            f"CONSTRAINT ck_events_{column}_limit CHECK ({column} BETWEEN 0 AND {DAYS_LIMIT})"
        )
    for name, column in (("ix_orders_due_date", "due_date"), ("ix_orders_follow_up_on", "follow_up_on")):
        op.create_index(
            name,
            "orders",
            [column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade() -> None:
    op.drop_index("ix_orders_follow_up_on", table_name="orders")
    op.drop_index("ix_orders_due_date", table_name="orders")
    # A column's own CHECK goes with it on both databases (SQLite's DROP COLUMN accepts it).
    for table, columns in (("events", EVENT_DAYS), ("orders", ("follow_up_note", "follow_up_on", "due_date"))):
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
