"""The finance dashboard's receivables at a million orders (issue 19).

- `dash_debtor_facts`: per currency, company and buyer email (lower case), and `dash_due_facts`:
  per event, currency and due date (9999-12-31: none), the open invoices and what they still
  owe, in whole cents, kept in step with `orders` by triggers like the other dashboard facts
  (migration 0007); only open invoices count (queries.due.open_invoice: an
  invoice order, not deleted or cancelled, unpaid or partially paid, still owing part of its
  total). The top debtors are read from it in order of the amount by `ix_dash_debtor_facts_owed`
  instead of grouping every open invoice (~100,000 at 1M orders, ~0.5-1 s) on each visit; the
  ageing by due date and the expected cash group the few due-date rows.
- `ix_orders_open_invoices`: a partial index holding only the open invoices, keyed by currency
  and due date (on PostgreSQL covering what the ageing, the expected cash and the debtors of a
  few events read, so they are index-only scans instead of a scan of every order);
  `ix_orders_open_invoice_buyers`: the same orders by lower(buyer_email), for the top debtors'
  names and oldest due dates.

Frozen: the SQL below is the specification of orders_core/summaries.py (DEBTOR_FACTS, DUE_FACTS) as it was
at this revision (a migration never imports live code). Idempotent: each object is created only
when missing (a shared benchmark database may have received the index by hand).

Revision ID: 0037_receivables
Revises: 0036_job_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_receivables"
down_revision = "0036_job_lease"
branch_labels = None
depends_on = None

OPEN = (
    "{o}.payment_mode = 'invoice' AND {o}.payment_state IN ('unpaid', 'partially_paid') "
    "AND {o}.status <> 'cancelled' AND {o}.total_ttc > {o}.amount_paid AND {o}.deleted_at IS NULL"
)
NO_DUE_DATE = "9999-12-31"  # the key of open invoices without a due date (a key is never NULL)
# table -> (key columns and their expressions on order row {o}); the values are the same for both.
TABLES = {
    "dash_debtor_facts": (
        ("currency", "{o}.currency"),
        ("company", "COALESCE({o}.company_name, '')"),
        ("email", "COALESCE(LOWER({o}.buyer_email), '')"),
    ),
    "dash_due_facts": (
        ("event_id", "{o}.event_id"),
        ("currency", "{o}.currency"),
        ("due_date", f"COALESCE({{o}}.due_date, '{NO_DUE_DATE}')"),
    ),
}
VALUES = (("orders", "1"), ("due_cents", "CAST(ROUND(({o}.total_ttc - {o}.amount_paid) * 100) AS BIGINT)"))
INDEX = "ix_orders_open_invoices"
INDEX_WHERE = OPEN.replace("{o}.", "")
BUYERS = "ix_orders_open_invoice_buyers"
# Not the names: with them PostgreSQL would scan this index for the top debtors' names rather
# than look the few buyers up by `ix_orders_open_invoice_buyers`.
COVERED = ["event_id", "total_ttc", "amount_paid", "company_name", "buyer_email"]


def _keys(table: str) -> str:
    return ", ".join(name for name, _ in TABLES[table])


def _part(table: str, o: str, *, sign: int, source: str) -> str:
    """One signed contribution of order row `o`, if it is an open invoice."""
    minus = "-" if sign < 0 else ""
    columns = [f"{expr.replace('{o}', o)} AS {name}" for name, expr in TABLES[table]]
    columns += [f"{minus}({expr.replace('{o}', o)}) AS {name}" for name, expr in VALUES]
    return f"SELECT {', '.join(columns)}{(' ' + source) if source else ''} WHERE {OPEN.replace('{o}', o)}"


def _upsert(table: str, *parts: str) -> str:
    keys = _keys(table)
    return (
        f"INSERT INTO {table} ({keys}, orders, due_cents) "
        f"SELECT {keys}, SUM(orders), SUM(due_cents) FROM ({' UNION ALL '.join(parts)}) d WHERE true "
        f"GROUP BY {keys} HAVING SUM(orders) <> 0 OR SUM(due_cents) <> 0 "
        f"ON CONFLICT ({keys}) DO UPDATE SET orders = {table}.orders + excluded.orders, "
        f"due_cents = {table}.due_cents + excluded.due_cents"
    )


def _recompute(table: str) -> str:
    keys = [expr.replace("{o}", "r") for _, expr in TABLES[table]]
    columns = [f"{expr} AS {name}" for expr, (name, _) in zip(keys, TABLES[table])]
    columns += [f"SUM({expr.replace('{o}', 'r')}) AS {name}" for name, expr in VALUES]
    return f"SELECT {', '.join(columns)} FROM orders r WHERE {OPEN.replace('{o}', 'r')} GROUP BY {', '.join(keys)}"


def _postgresql_ddl() -> list[str]:
    def bodies(table: str) -> dict[str, str]:
        return {
            "insert": _upsert(table, _part(table, "n", sign=1, source="FROM new_rows n")),
            "delete": _upsert(table, _part(table, "x", sign=-1, source="FROM old_rows x")),
            "update": _upsert(
                table,
                _part(table, "x", sign=-1, source="FROM old_rows x"),
                _part(table, "n", sign=1, source="FROM new_rows n"),
            ),
        }

    referencing = {
        "insert": "NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    ddl = []
    for operation in ("insert", "delete", "update"):
        name = f"dash_receivables_orders_{operation}"
        body = ";\n  ".join(bodies(table)[operation] for table in TABLES)
        ddl.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$"
        )
        ddl.append(f"DROP TRIGGER IF EXISTS {name} ON orders")
        ddl.append(
            f"CREATE TRIGGER {name} AFTER {operation.upper()} ON orders REFERENCING {referencing[operation]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    # TRUNCATE (the demo's reset) fires none of the above.
    emptied = "; ".join(f"DELETE FROM {table}" for table in TABLES)
    ddl.append(
        "CREATE OR REPLACE FUNCTION dash_receivables_orders_truncate() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN {emptied}; RETURN NULL; END $$"
    )
    ddl.append("DROP TRIGGER IF EXISTS dash_receivables_orders_truncate ON orders")
    ddl.append(
        "CREATE TRIGGER dash_receivables_orders_truncate AFTER TRUNCATE ON orders "
        "FOR EACH STATEMENT EXECUTE FUNCTION dash_receivables_orders_truncate()"
    )
    return ddl


def _sqlite_ddl() -> list[str]:
    ddl = []
    for table in TABLES:
        bodies = {
            "insert": ("AFTER INSERT ON orders", _upsert(table, _part(table, "NEW", sign=1, source=""))),
            "delete": ("AFTER DELETE ON orders", _upsert(table, _part(table, "OLD", sign=-1, source=""))),
            "update": (
                "AFTER UPDATE ON orders",
                _upsert(table, _part(table, "OLD", sign=-1, source=""), _part(table, "NEW", sign=1, source="")),
            ),
        }
        for operation, (when, body) in bodies.items():
            name = f"{table}_orders_{operation}"
            ddl.append(f"DROP TRIGGER IF EXISTS {name}")
            ddl.append(f"CREATE TRIGGER {name} {when} FOR EACH ROW BEGIN\n  {body};\nEND")
    return ddl


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    inspector = sa.inspect(bind)

    def money() -> list[sa.Column]:
        """The two measures every receivables table keeps (a Column belongs to one table)."""
        return [
            sa.Column("orders", sa.BigInteger(), nullable=False),
            sa.Column("due_cents", sa.BigInteger(), nullable=False),
        ]

    if not inspector.has_table("dash_debtor_facts"):
        op.create_table(
            "dash_debtor_facts",
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("company", sa.String(length=200), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            *money(),
            sa.PrimaryKeyConstraint("currency", "company", "email", name=op.f("pk_dash_debtor_facts")),
        )
        op.create_index("ix_dash_debtor_facts_owed", "dash_debtor_facts", ["currency", "due_cents"])
    if not inspector.has_table("dash_due_facts"):
        op.create_table(
            "dash_due_facts",
            sa.Column("event_id", sa.Integer(), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("due_date", sa.Date(), nullable=False),
            *money(),
            sa.PrimaryKeyConstraint("event_id", "currency", "due_date", name=op.f("pk_dash_due_facts")),
        )
    for statement in _postgresql_ddl() if dialect == "postgresql" else _sqlite_ddl():
        op.execute(statement)
    # A database upgraded with orders already in it starts with exact summaries.
    for table in TABLES:
        op.execute(f"DELETE FROM {table}")
        op.execute(f"INSERT INTO {table} ({_keys(table)}, orders, due_cents) {_recompute(table)}")
    existing = {ix["name"] for ix in inspector.get_indexes("orders")}
    if INDEX not in existing:
        op.create_index(
            INDEX,
            "orders",
            ["currency", "due_date"],
            postgresql_include=COVERED,
            postgresql_where=sa.text(INDEX_WHERE),
            sqlite_where=sa.text(INDEX_WHERE),
        )
    if BUYERS not in existing:
        op.create_index(
            BUYERS,
            "orders",
            [sa.text("lower(buyer_email)")],
            postgresql_where=sa.text(INDEX_WHERE),
            sqlite_where=sa.text(INDEX_WHERE),
        )


def downgrade() -> None:
    op.drop_index(BUYERS, table_name="orders")
    op.drop_index(INDEX, table_name="orders")
    if op.get_bind().dialect.name == "postgresql":
        for operation in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS dash_receivables_orders_{operation} ON orders")
            op.execute(f"DROP FUNCTION IF EXISTS dash_receivables_orders_{operation}()")
    else:
        for table in TABLES:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_orders_{operation}")
    for table in TABLES:
        op.drop_table(table)
