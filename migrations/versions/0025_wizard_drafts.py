"""Issue 18: the wizard's drafts on the server, and the Attendees page's indexes.

- `wizard_drafts`: one row per new-order wizard run (its token is in the page's address), the
  JSON of its progress, owned by the user who typed it; purged after some days.
- `ix_attendees_event_name`: an event's attendees in name order, a page at a time.
- `ix_attendees_search_trgm` (PostgreSQL): a pg_trgm GIN index on the attendee's folded names and
  email, with `orders_fold(text)` (lower case without accents) of 0023_search_fold, the grid
  search's own folding, so that the search of a 600k-attendee event is served by an index.

Revision ID: 0025_wizard_drafts
Revises: 0024_seat_plan
"""

from alembic import op
import sqlalchemy as sa


revision = "0025_wizard_drafts"
down_revision = "0024_seat_plan"
branch_labels = None
depends_on = None

# The searched text of an attendee, exactly as queries/attendees.py writes it (an expression index
# is used only when the query repeats its expression).
ATTENDEE_SEARCH_SQL = (
    "orders_fold(first_name || ' ' || last_name || ' ' || email || ' ' || last_name || ' ' || first_name)"
)


def upgrade() -> None:
    op.create_table(
        "wizard_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wizard_drafts")),
        sa.UniqueConstraint("token", name=op.f("uq_wizard_drafts_token")),
    )
    op.create_index("ix_wizard_drafts_user_email", "wizard_drafts", ["user_email"])
    op.create_index("ix_wizard_drafts_updated_at", "wizard_drafts", ["updated_at"])
    op.create_index("ix_attendees_event_name", "attendees", ["event_id", "last_name", "first_name", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_attendees_search_trgm ON attendees USING gin ({ATTENDEE_SEARCH_SQL} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_attendees_search_trgm")
    op.drop_index("ix_attendees_event_name", table_name="attendees")
    op.drop_index("ix_wizard_drafts_updated_at", table_name="wizard_drafts")
    op.drop_index("ix_wizard_drafts_user_email", table_name="wizard_drafts")
    op.drop_table("wizard_drafts")
