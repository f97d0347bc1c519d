"""The units held per tariff read from an index of the line summary (issue 19: the order page).

"Add a ticket" (queries.wizard.add_ticket_context) sums, per capacity-limited tariff of the
order's event, the quantity of the lines held by orders (`dash_line_facts`, not deleted, in a
holding status). The summary's primary key starts with the day, so that sum read every row of
the summary (~33,000 at a million orders, 13 ms). `ix_dash_line_facts_tariff` holds the sum's
columns in its keys: an index-only range per tariff on both databases.

Idempotent: created only when missing (a shared benchmark database may have received it before
this revision was stamped).

Revision ID: 0039_page_reads
Revises: 0038_validation_speed
"""

import sqlalchemy as sa
from alembic import op

revision = "0039_page_reads"
down_revision = "0038_validation_speed"
branch_labels = None
depends_on = None

NAME = "ix_dash_line_facts_tariff"
COLUMNS = ["event_id", "tariff_id", "deleted", "status", "quantity"]


def upgrade() -> None:
    if NAME not in {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("dash_line_facts")}:
        op.create_index(NAME, "dash_line_facts", COLUMNS)


def downgrade() -> None:
    op.drop_index(NAME, table_name="dash_line_facts")
