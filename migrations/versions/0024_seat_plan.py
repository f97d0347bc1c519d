"""Seat plans (issue 18, rule 17: a seat is sold once per event).

- `seats`: the plan of a seated event, one row per seat (section, row, number, label), the label
  unique per event.
- `seat_assignments`: one row per seat sold to an order that is neither cancelled nor deleted;
  UNIQUE(event_id, seat_id) makes the database refuse a second sale of a seat (the services turn
  that refusal into a message). Its (event_id, seat_id) foreign key to the plan keeps a sale on
  its own event's seats; deleting an order item deletes its row (ON DELETE CASCADE).
- Existing data: no event has a plan yet, so nothing is assigned. The free-text seats already
  in `order_items.seat` stay as they were, unassigned ("legacy" seats): the migration cannot fail
  on a database where a seat was sold twice. `orders check` reports every seat sold to more than
  one live order (invariant `seat_sold_once`); when an admin then adds a plan in the catalogue,
  the legacy seats whose text is a label of the new plan are assigned, the earliest sale of each
  seat first, and the later ones stay unassigned and reported until the desk moves them.
- Downgrade drops both tables; `order_items.seat` still holds every label sold.

Revision ID: 0024_seat_plan
Revises: 0023_search_fold
"""

from alembic import op
import sqlalchemy as sa

revision = "0024_seat_plan"
down_revision = "0023_search_fold"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seats",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("row", sa.String(length=10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_seats_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seats")),
        sa.UniqueConstraint("event_id", "label", name=op.f("uq_seats_event_id_label")),
        sa.UniqueConstraint("event_id", "id", name=op.f("uq_seats_event_id_id")),
    )
    op.create_table(
        "seat_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_seat_assignments_event_id_events")),
        sa.ForeignKeyConstraint(
            ["event_id", "seat_id"], ["seats.event_id", "seats.id"], name=op.f("fk_seat_assignments_event_id_seats")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_seat_assignments_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_seat_assignments_order_item_id_order_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_assignments")),
        sa.UniqueConstraint("event_id", "seat_id", name=op.f("uq_seat_assignments_event_id_seat_id")),
        sa.UniqueConstraint("order_item_id", name=op.f("uq_seat_assignments_order_item_id")),
    )
    op.create_index(op.f("ix_seat_assignments_order_id"), "seat_assignments", ["order_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_seat_assignments_order_id"), table_name="seat_assignments")
    op.drop_table("seat_assignments")
    op.drop_table("seats")
