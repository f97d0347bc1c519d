"""The reporting side of the ledger (issue 20).

Refund facts for the dashboards: `dash_refund_facts`, refunds per UTC day
refunded, event, method and currency, kept in step with `refunds` by triggers exactly as
`dash_payment_facts` is kept with `payments` (migration 0007), so the finance dashboard shows
payments, refunds and net per currency from summaries.

Frozen: the SQL below is the specification of orders_core/summaries.py for this table as it was
at this revision (a migration never imports live code).

Triggers: insert, update and delete of refunds (the last two are refused by the append-only
guard of 0016_ledger, but a repair as the owner must keep the summary exact); an order moved to
another event moves its refunds (the only key taken from the order); PostgreSQL's TRUNCATE of
refunds (the demo's reset) empties the table.

Balances due for finance: `ix_orders_balance_due`, a partial index on (created_at, id) of the
orders whose payment state is `partially_paid` (a paid organiser order owing a balance after added
tickets, or a part payment), so the pending list and the receivables find them without a scan.

Revision ID: 0017_ledger_reports
Revises: 0016_ledger
"""

from alembic import op
import sqlalchemy as sa

revision = "0017_ledger_reports"
down_revision = "0016_ledger"
branch_labels = None
depends_on = None

TABLE = "dash_refund_facts"
BALANCE_DUE = "payment_state = 'partially_paid'"
KEYS = "day, event_id, method, currency"
UPSERT = (
    f"INSERT INTO {TABLE} ({KEYS}, refunds, amount_cents) "
    f"SELECT {KEYS}, SUM(refunds), SUM(amount_cents) FROM ({{parts}}) d WHERE true GROUP BY {KEYS} "
    "HAVING SUM(refunds) <> 0 OR SUM(amount_cents) <> 0 "
    f"ON CONFLICT ({KEYS}) DO UPDATE SET refunds = {TABLE}.refunds + excluded.refunds, "
    f"amount_cents = {TABLE}.amount_cents + excluded.amount_cents"
)


def _day(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
    return f"date({column})"


def _part(dialect: str, *, r: str, o: str, sign: int, source: str) -> str:
    """One signed contribution: the refund row `r` of order `o`."""
    minus = "-" if sign < 0 else ""
    return (
        f"SELECT {_day(f'{r}.refunded_at', dialect)} AS day, {o}.event_id AS event_id, {r}.method AS method, "
        f"{r}.currency AS currency, {minus}(1) AS refunds, "
        f"{minus}(CAST(ROUND({r}.amount * 100) AS BIGINT)) AS amount_cents {source}"
    )


def _upsert(*parts: str) -> str:
    return UPSERT.format(parts=" UNION ALL ".join(parts))


def _recompute(dialect: str) -> str:
    day = _day("r.refunded_at", dialect)
    return (
        f"SELECT {day} AS day, o.event_id AS event_id, r.method AS method, r.currency AS currency, "
        "SUM(1) AS refunds, SUM(CAST(ROUND(r.amount * 100) AS BIGINT)) AS amount_cents "
        f"FROM refunds r JOIN orders o ON o.id = r.order_id GROUP BY {day}, o.event_id, r.method, r.currency"
    )


def _postgresql_ddl() -> list[str]:
    d = "postgresql"
    new = "FROM new_rows n JOIN orders o ON o.id = n.order_id"
    old = "FROM old_rows x JOIN orders o ON o.id = x.order_id"
    bodies = {
        ("refunds", "insert"): _upsert(_part(d, r="n", o="o", sign=1, source=new)),
        ("refunds", "delete"): _upsert(_part(d, r="x", o="o", sign=-1, source=old)),
        ("refunds", "update"): _upsert(
            _part(d, r="x", o="o", sign=-1, source=old), _part(d, r="n", o="o", sign=1, source=new)
        ),
        # Only orders whose event changed: every other order update adds nothing here.
        ("orders", "update"): _upsert(
            _part(
                d,
                r="c",
                o="x",
                sign=-1,
                source="FROM old_rows x JOIN new_rows n ON n.id = x.id AND n.event_id <> x.event_id "
                "JOIN refunds c ON c.order_id = x.id",
            ),
            _part(
                d,
                r="c",
                o="n",
                sign=1,
                source="FROM new_rows n JOIN old_rows x ON x.id = n.id AND n.event_id <> x.event_id "
                "JOIN refunds c ON c.order_id = n.id",
            ),
        ),
    }
    referencing = {
        "insert": "NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    ddl = []
    for (table, operation), body in bodies.items():
        name = f"dash_refunds_{table}_{operation}" if table == "orders" else f"dash_refunds_{operation}"
        ddl.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$"
        )
        ddl.append(
            f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} REFERENCING {referencing[operation]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    ddl.append(
        "CREATE OR REPLACE FUNCTION dash_refunds_truncate() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN DELETE FROM {TABLE}; RETURN NULL; END $$"
    )
    ddl.append(
        "CREATE TRIGGER dash_refunds_truncate AFTER TRUNCATE ON refunds "
        "FOR EACH STATEMENT EXECUTE FUNCTION dash_refunds_truncate()"
    )
    return ddl


def _sqlite_ddl() -> list[str]:
    d = "sqlite"

    def of(row: str) -> str:
        return f"FROM orders o WHERE o.id = {row}.order_id"

    bodies = {
        "dash_refunds_insert": ("AFTER INSERT ON refunds", _upsert(_part(d, r="NEW", o="o", sign=1, source=of("NEW")))),
        "dash_refunds_delete": (
            "AFTER DELETE ON refunds",
            _upsert(_part(d, r="OLD", o="o", sign=-1, source=of("OLD"))),
        ),
        "dash_refunds_update": (
            "AFTER UPDATE ON refunds",
            _upsert(
                _part(d, r="OLD", o="o", sign=-1, source=of("OLD")),
                _part(d, r="NEW", o="o", sign=1, source=of("NEW")),
            ),
        ),
        "dash_refunds_orders_update": (
            "AFTER UPDATE OF event_id ON orders",
            _upsert(
                _part(d, r="c", o="OLD", sign=-1, source="FROM refunds c WHERE c.order_id = OLD.id"),
                _part(d, r="c", o="NEW", sign=1, source="FROM refunds c WHERE c.order_id = NEW.id"),
            ),
        ),
    }
    return [f"CREATE TRIGGER {name} {when} FOR EACH ROW BEGIN\n  {body};\nEND" for name, (when, body) in bodies.items()]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "event_id", "method", "currency", name=op.f(f"pk_{TABLE}")),
    )
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in _postgresql_ddl() if dialect == "postgresql" else _sqlite_ddl():
        op.execute(statement)
    # A database upgraded with refunds already in it starts with an exact summary.
    op.execute(f"INSERT INTO {TABLE} ({KEYS}, refunds, amount_cents) {_recompute(dialect)}")
    op.create_index(
        "ix_orders_balance_due",
        "orders",
        ["created_at", "id"],
        unique=False,
        postgresql_where=sa.text(BALANCE_DUE),
        sqlite_where=sa.text(BALANCE_DUE),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_balance_due", table_name="orders")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name, table in (
            ("dash_refunds_insert", "refunds"),
            ("dash_refunds_delete", "refunds"),
            ("dash_refunds_update", "refunds"),
            ("dash_refunds_truncate", "refunds"),
            ("dash_refunds_orders_update", "orders"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in ("dash_refunds_insert", "dash_refunds_delete", "dash_refunds_update", "dash_refunds_orders_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table(TABLE)
