"""The overview's to-do list counted from small partial indexes (issue 19).

One partial index per item of the list counted on `orders`, holding exactly the orders of that
item but for its date and the principal's events: the item's fixed conditions are the index's
WHERE, and its keys are the fixed column then the event (or the event then the date), so each
count is an index-only range per event on both databases. queries/overview.py writes the very
same conditions, with literal values (SQLite uses a partial index only when the query carries the
same terms; PostgreSQL's generic plans do not see bound values).

- `ix_orders_todo_overdue`: still owing, not cancelled, with a due date (on event, due date);
- `ix_orders_todo_balance_due`: paid orders partially paid (on status, event);
- `ix_orders_todo_refund_due`: overpaid orders (on payment state, event);
- `ix_orders_todo_approvals`: orders waiting for an administrator (on status, event);
- `ix_orders_todo_follow_ups`: orders carrying a follow-up date (on event, follow-up date).
Deleted orders are in none of them.

Idempotent: each index is created only when missing (a shared benchmark database may have
received them before this revision was stamped).

Revision ID: 0033_todo_indexes
Revises: 0032_deferred_emails_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_todo_indexes"
down_revision = "0032_deferred_emails_jobs"
branch_labels = None
depends_on = None

# Frozen copies of the conditions of queries/overview.py at this revision.
INDEXES = {
    "ix_orders_todo_overdue": (
        ["event_id", "due_date"],
        "due_date IS NOT NULL AND payment_state IN ('unpaid', 'partially_paid') AND status <> 'cancelled'"
        " AND deleted_at IS NULL",
    ),
    "ix_orders_todo_balance_due": (
        ["status", "event_id"],
        "status = 'paid' AND payment_state = 'partially_paid' AND deleted_at IS NULL",
    ),
    "ix_orders_todo_refund_due": (["payment_state", "event_id"], "payment_state = 'overpaid' AND deleted_at IS NULL"),
    "ix_orders_todo_approvals": (["status", "event_id"], "status = 'pending_admin' AND deleted_at IS NULL"),
    "ix_orders_todo_follow_ups": (["event_id", "follow_up_on"], "follow_up_on IS NOT NULL AND deleted_at IS NULL"),
}


def upgrade() -> None:
    existing = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("orders")}
    for name, (columns, where) in INDEXES.items():
        if name not in existing:
            op.create_index(name, "orders", columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="orders")
