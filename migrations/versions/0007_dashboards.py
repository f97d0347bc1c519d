"""dashboards (issue 9): summary tables kept in step by triggers, and saved views.

Revision ID: 0007
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa

from orders_core.summaries import drop_trigger_ddl, rebuild_summaries, trigger_ddl

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def _facts(name: str, keys: list[sa.Column], values: list[str]) -> None:
    op.create_table(
        name,
        *keys,
        *[sa.Column(v, sa.BigInteger(), nullable=False) for v in values],
        sa.PrimaryKeyConstraint(*[k.name for k in keys], name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    day = lambda: sa.Column("day", sa.Date(), nullable=False)
    event = lambda: sa.Column("event_id", sa.Integer(), nullable=False)
    string = lambda name, size: sa.Column(name, sa.String(length=size), nullable=False)
    deleted = lambda: sa.Column("deleted", sa.Boolean(), nullable=False)
    _facts(
        "dash_order_facts",
        [
            day(),
            event(),
            string("status", 20),
            string("payment_mode", 10),
            string("source", 10),
            string("currency", 3),
            string("discount_code", 64),
            deleted(),
        ],
        ["orders", "total_ht_cents", "total_ttc_cents", "amount_paid_cents"],
    )
    _facts(
        "dash_utm_facts",
        [
            day(),
            event(),
            string("currency", 3),
            string("utm_source", 100),
            string("utm_medium", 100),
            string("utm_campaign", 100),
            string("discount_code", 64),
            deleted(),
        ],
        ["orders", "paid_orders", "abandoned_orders", "paid_ht_cents", "paid_ttc_cents"],
    )
    _facts(
        "dash_line_facts",
        [
            day(),
            event(),
            sa.Column("tariff_id", sa.Integer(), nullable=False),
            string("kind", 10),
            string("status", 20),
            string("currency", 3),
            string("discount_code", 64),
            deleted(),
        ],
        ["lines", "quantity", "total_ht_cents", "total_ttc_cents", "discount_cents"],
    )
    _facts(
        "dash_payment_facts",
        [day(), event(), string("method", 20), string("currency", 3)],
        ["payments", "amount_cents"],
    )
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("page", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("shared_with_role", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_email", "page", "name", name=op.f("uq_saved_views_user_email_page_name")),
    )
    op.create_index("ix_saved_views_page_role", "saved_views", ["page", "role"], unique=False)

    bind = op.get_bind()
    for statement in trigger_ddl(bind.dialect.name):
        op.execute(statement)
    # A database upgraded with orders already in it starts with exact summaries.
    rebuild_summaries(bind)


def downgrade() -> None:
    for statement in drop_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_saved_views_page_role", table_name="saved_views")
    op.drop_table("saved_views")
    for name in ("dash_payment_facts", "dash_line_facts", "dash_utm_facts", "dash_order_facts"):
        op.drop_table(name)
