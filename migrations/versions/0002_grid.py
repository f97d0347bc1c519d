"""grid (issue 4): the order summary kept in step by triggers, and trigram search indexes.

`order_summary` holds, per (UTC creation day, event, status, payment mode, source, currency,
deleted flag), the number of orders and their totals HT / TTC in whole cents. Triggers on
`orders` keep it exactly in step with every INSERT, UPDATE, DELETE (and TRUNCATE on
PostgreSQL), so the grid counts and sums a large filtered set by reading a few thousand
summary rows instead of scanning the orders. On PostgreSQL the triggers are statement-level
with transition tables: a COPY of 5,000 orders or an UPDATE of 10,000 costs one aggregated
upsert, not one per row. Zero rows are kept (harmless, they add nothing).

On PostgreSQL, pg_trgm GIN indexes make substring search on buyer / company / holder names
and emails an index scan.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEY = ("day", "event_id", "status", "payment_mode", "source", "currency", "deleted")
_KEY_SQL = ", ".join(KEY)

# The searchable text of an order and of an order item; queries/grid.py builds the very same
# expressions so that PostgreSQL picks these indexes.
ORDER_SEARCH_SQL = "(buyer_first_name || ' ' || buyer_last_name || ' ' || buyer_email || ' ' || company_name)"
ITEM_SEARCH_SQL = "(holder_first_name || ' ' || holder_last_name)"


def _sqlite_row(prefix: str) -> str:
    return (
        f"date({prefix}.created_at), {prefix}.event_id, {prefix}.status, {prefix}.payment_mode, "
        f"{prefix}.source, {prefix}.currency, ({prefix}.deleted_at IS NOT NULL)"
    )


def _sqlite_upsert(prefix: str, sign: str) -> str:
    return f"""
        INSERT INTO order_summary ({_KEY_SQL}, orders, total_ht_cents, total_ttc_cents)
        VALUES ({_sqlite_row(prefix)}, {sign}1,
                {sign}CAST(ROUND({prefix}.total_ht * 100) AS INTEGER),
                {sign}CAST(ROUND({prefix}.total_ttc * 100) AS INTEGER))
        ON CONFLICT ({_KEY_SQL}) DO UPDATE SET
            orders = orders + excluded.orders,
            total_ht_cents = total_ht_cents + excluded.total_ht_cents,
            total_ttc_cents = total_ttc_cents + excluded.total_ttc_cents;"""


_SQLITE_COLUMNS = "created_at, event_id, status, payment_mode, source, currency, total_ht, total_ttc, deleted_at"

SQLITE_TRIGGERS = {
    "order_summary_insert": f"""
        CREATE TRIGGER order_summary_insert AFTER INSERT ON orders BEGIN
        {_sqlite_upsert("NEW", "+")}
        END""",
    "order_summary_update": f"""
        CREATE TRIGGER order_summary_update AFTER UPDATE OF {_SQLITE_COLUMNS} ON orders BEGIN
        {_sqlite_upsert("OLD", "-")}
        {_sqlite_upsert("NEW", "+")}
        END""",
    "order_summary_delete": f"""
        CREATE TRIGGER order_summary_delete AFTER DELETE ON orders BEGIN
        {_sqlite_upsert("OLD", "-")}
        END""",
}

_PG_ROW = (
    "(created_at AT TIME ZONE 'UTC')::date, event_id, status, payment_mode, source, currency, (deleted_at IS NOT NULL)"
)


def _pg_apply(deltas: str) -> str:
    return f"""
        INSERT INTO order_summary AS s ({_KEY_SQL}, orders, total_ht_cents, total_ttc_cents)
        SELECT {_KEY_SQL}, SUM(n), SUM(ht), SUM(ttc) FROM ({deltas}) d
        GROUP BY {_KEY_SQL}
        HAVING SUM(n) <> 0 OR SUM(ht) <> 0 OR SUM(ttc) <> 0
        ON CONFLICT ({_KEY_SQL}) DO UPDATE SET
            orders = s.orders + excluded.orders,
            total_ht_cents = s.total_ht_cents + excluded.total_ht_cents,
            total_ttc_cents = s.total_ttc_cents + excluded.total_ttc_cents;"""


def _pg_select(table: str, sign: str) -> str:
    return (
        f"SELECT (created_at AT TIME ZONE 'UTC')::date AS day, event_id, status, payment_mode, source, currency, "
        f"(deleted_at IS NOT NULL) AS deleted, {sign}1 AS n, "
        f"{sign}ROUND(total_ht * 100)::bigint AS ht, {sign}ROUND(total_ttc * 100)::bigint AS ttc FROM {table}"
    )


PG_FUNCTIONS = {
    "order_summary_on_insert": _pg_apply(_pg_select("new_rows", "")),
    "order_summary_on_update": _pg_apply(f"{_pg_select('old_rows', '-')} UNION ALL {_pg_select('new_rows', '')}"),
    "order_summary_on_delete": _pg_apply(_pg_select("old_rows", "-")),
    "order_summary_on_truncate": "DELETE FROM order_summary;",
}
PG_TRIGGERS = {
    "order_summary_on_insert": "AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows",
    "order_summary_on_update": "AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "order_summary_on_delete": "AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows",
    "order_summary_on_truncate": "AFTER TRUNCATE ON orders",
}

REBUILD_SQL = {
    "sqlite": f"""
        INSERT INTO order_summary ({_KEY_SQL}, orders, total_ht_cents, total_ttc_cents)
        SELECT date(created_at), event_id, status, payment_mode, source, currency, (deleted_at IS NOT NULL),
               COUNT(*), SUM(CAST(ROUND(total_ht * 100) AS INTEGER)), SUM(CAST(ROUND(total_ttc * 100) AS INTEGER))
        FROM orders GROUP BY 1, 2, 3, 4, 5, 6, 7""",
    "postgresql": f"""
        INSERT INTO order_summary ({_KEY_SQL}, orders, total_ht_cents, total_ttc_cents)
        SELECT {_KEY_SQL}, SUM(n), SUM(ht), SUM(ttc) FROM ({_pg_select("orders", "")}) d
        GROUP BY {_KEY_SQL}""",
}


def upgrade() -> None:
    op.create_table(
        "order_summary",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_mode", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("total_ht_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_ttc_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_order_summary")),
    )
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.execute(REBUILD_SQL["postgresql" if dialect == "postgresql" else "sqlite"])
    if dialect == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nRETURN NULL;\nEND $$"
            )
            op.execute(f"CREATE TRIGGER {name} {PG_TRIGGERS[name]} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_orders_search_trgm ON orders USING gin ({ORDER_SEARCH_SQL} gin_trgm_ops)")
        op.execute(f"CREATE INDEX ix_order_items_search_trgm ON order_items USING gin ({ITEM_SEARCH_SQL} gin_trgm_ops)")
    else:
        for body in SQLITE_TRIGGERS.values():
            op.execute(body)
    # The discount-code and source filters of the grid, first page by creation date.
    op.create_index(
        "ix_orders_discount_code_created_at",
        "orders",
        ["discount_code", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_index("ix_orders_source_created_at", "orders", ["source", sa.text("created_at DESC"), sa.text("id DESC")])


def downgrade() -> None:
    op.drop_index("ix_orders_source_created_at", table_name="orders")
    op.drop_index("ix_orders_discount_code_created_at", table_name="orders")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_order_items_search_trgm")
        op.execute("DROP INDEX IF EXISTS ix_orders_search_trgm")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON orders")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("order_summary")
