"""teams, audit and two-factor sign-in (issue 17).

- `users.all_events` (true: every event, the default for existing users) and `user_events`
  (the events of a user whose `all_events` is false; none = no event at all).
- `users.totp_secret` / `users.totp_enabled_at` and `user_recovery_codes` (hashed, used once).
- `audit_log`: sign-ins, failed sign-ins, exports, role and scope changes, users added or
  deactivated, personal-data erasures. Append-only, as the ledger: a trigger refuses UPDATE and
  DELETE (named and worded as those of 0013).
- `app_settings`: a key and a JSON value (the two-factor obligation lives there).

Revision ID: 0030_teams_audit
Revises: 0029_seller_history
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_teams_audit"
down_revision = "0029_seller_history"
branch_labels = None
depends_on = None

# Frozen copy of the table this revision makes append-only (orders_core/privileges.py keeps the
# live list).
AUDIT = "audit_log"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("all_events", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "user_events",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_user_events_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_user_events_event_id_events", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "event_id", name="pk_user_events"),
    )
    op.create_table(
        "user_recovery_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_recovery_codes_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_recovery_codes"),
    )
    op.create_index("ix_user_recovery_codes_user_id", "user_recovery_codes", ["user_id"])
    op.create_table(
        AUDIT,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=False, server_default=""),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", AUDIT, ["at"])
    op.create_index("ix_audit_log_action_at", AUDIT, ["action", "at"])
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_app_settings"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {AUDIT}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{AUDIT} is append-only: % refused', TG_OP;
            END $$""")
        op.execute(
            f"CREATE TRIGGER {AUDIT}_append_only BEFORE UPDATE OR DELETE ON {AUDIT} "
            f"FOR EACH ROW EXECUTE FUNCTION {AUDIT}_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {AUDIT}_append_only_{operation.lower()} BEFORE {operation} ON {AUDIT} "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {AUDIT}_append_only ON {AUDIT}")
        op.execute(f"DROP FUNCTION {AUDIT}_append_only()")
    op.drop_table("app_settings")
    op.drop_index("ix_audit_log_action_at", table_name=AUDIT)
    op.drop_index("ix_audit_log_at", table_name=AUDIT)
    op.drop_table(AUDIT)
    op.drop_index("ix_user_recovery_codes_user_id", table_name="user_recovery_codes")
    op.drop_table("user_recovery_codes")
    op.drop_table("user_events")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("all_events")
