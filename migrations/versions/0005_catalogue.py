"""catalogue (issue 7): the catalogue log, append-only like order_history.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        # No foreign key: a deleted tariff or code keeps its log.
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("entity IN ('event', 'tariff', 'discount_code')", name=op.f("ck_catalogue_history_entity")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_catalogue_history_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_history")),
    )
    with op.batch_alter_table("catalogue_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalogue_history_event_id"), ["event_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Like order_history: nobody, not even a BI tool with write access, edits the log.
        op.execute("""
            CREATE FUNCTION catalogue_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'catalogue_history is append-only: % refused', TG_OP;
            END $$""")
        op.execute("""
            CREATE TRIGGER catalogue_history_append_only BEFORE UPDATE OR DELETE ON catalogue_history
            FOR EACH ROW EXECUTE FUNCTION catalogue_history_append_only()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER catalogue_history_append_only ON catalogue_history")
        op.execute("DROP FUNCTION catalogue_history_append_only()")
    with op.batch_alter_table("catalogue_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_history_event_id"))
    op.drop_table("catalogue_history")
