"""dashboards (issue 9): summary tables kept in step by triggers, and saved views.

Frozen: the summary specification and the trigger generator below are a copy of
orders_core/summaries.py as it was at this revision (a migration never imports live code, so
editing the application cannot change what this revision builds).

Revision ID: 0007
Revises: 0005
"""

from dataclasses import dataclass

from alembic import op
import sqlalchemy as sa
from sqlalchemy import text

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


# ---------------------------------------------------------------- frozen summaries.py


@dataclass(frozen=True)
class Summary:
    table: str
    base: str  # the table whose rows are summed: orders, order_lines or payments
    keys: tuple[tuple[str, str], ...]  # (column, expression); {r} = base row, {o} = its order
    values: tuple[tuple[str, str], ...]  # (column, expression) summed

    @property
    def joins_order(self) -> bool:
        return self.base != "orders"

    @property
    def key_columns(self) -> list[str]:
        return [name for name, _ in self.keys]

    @property
    def value_columns(self) -> list[str]:
        return [name for name, _ in self.values]


def _cents(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _day(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
    return f"date({column})"


# {day:X} is replaced by the dialect's "UTC day of X".
SUMMARIES: tuple[Summary, ...] = (
    Summary(
        "dash_order_facts",
        "orders",
        keys=(
            ("day", "{day:{o}.created_at}"),
            ("event_id", "{o}.event_id"),
            ("status", "{o}.status"),
            ("payment_mode", "{o}.payment_mode"),
            ("source", "{o}.source"),
            ("currency", "{o}.currency"),
            ("discount_code", "COALESCE({o}.discount_code, '')"),
            ("deleted", "({o}.deleted_at IS NOT NULL)"),
        ),
        values=(
            ("orders", "1"),
            ("total_ht_cents", _cents("{o}.total_ht")),
            ("total_ttc_cents", _cents("{o}.total_ttc")),
            ("amount_paid_cents", _cents("{o}.amount_paid")),
        ),
    ),
    Summary(
        "dash_utm_facts",
        "orders",
        keys=(
            ("day", "{day:{o}.created_at}"),
            ("event_id", "{o}.event_id"),
            ("currency", "{o}.currency"),
            ("utm_source", "COALESCE({o}.utm_source, '')"),
            ("utm_medium", "COALESCE({o}.utm_medium, '')"),
            ("utm_campaign", "COALESCE({o}.utm_campaign, '')"),
            ("discount_code", "COALESCE({o}.discount_code, '')"),
            ("deleted", "({o}.deleted_at IS NOT NULL)"),
        ),
        # The status is folded into the figures marketing needs, which keeps this table small.
        values=(
            ("orders", "1"),
            ("paid_orders", "CASE WHEN {o}.status = 'paid' THEN 1 ELSE 0 END"),
            ("abandoned_orders", "CASE WHEN {o}.status = 'cart_incomplete' THEN 1 ELSE 0 END"),
            ("paid_ht_cents", "CASE WHEN {o}.status = 'paid' THEN " + _cents("{o}.total_ht") + " ELSE 0 END"),
            ("paid_ttc_cents", "CASE WHEN {o}.status = 'paid' THEN " + _cents("{o}.total_ttc") + " ELSE 0 END"),
        ),
    ),
    Summary(
        "dash_line_facts",
        "order_lines",
        keys=(
            ("day", "{day:{o}.created_at}"),
            ("event_id", "{o}.event_id"),
            ("tariff_id", "{r}.tariff_id"),
            ("kind", "{r}.kind"),
            ("status", "{o}.status"),
            ("currency", "{o}.currency"),
            ("discount_code", "COALESCE({o}.discount_code, '')"),
            ("deleted", "({o}.deleted_at IS NOT NULL)"),
        ),
        values=(
            ("lines", "1"),
            ("quantity", "{r}.quantity"),
            ("total_ht_cents", _cents("{r}.total_ht")),
            ("total_ttc_cents", _cents("{r}.total_ttc")),
            ("discount_cents", _cents("{r}.discount_amount")),
        ),
    ),
    Summary(
        "dash_payment_facts",
        "payments",
        keys=(
            ("day", "{day:{r}.received_at}"),
            ("event_id", "{o}.event_id"),
            ("method", "{r}.method"),
            ("currency", "{r}.currency"),
        ),
        values=(("payments", "1"), ("amount_cents", _cents("{r}.amount"))),
    ),
)

SUMMARY_TABLES = [summary.table for summary in SUMMARIES]


def _expr(template: str, dialect: str, r: str, o: str) -> str:
    expression = template.replace("{r}", r).replace("{o}", o)
    while "{day:" in expression:
        start = expression.index("{day:")
        end = expression.index("}", start)
        expression = expression[:start] + _day(expression[start + 5 : end], dialect) + expression[end + 1 :]
    return expression


def _part(summary: Summary, dialect: str, *, r: str, o: str, sign: int, source: str) -> str:
    """SELECT of one signed contribution: keys and signed values, from `source`."""
    columns = [f"{_expr(e, dialect, r, o)} AS {n}" for n, e in summary.keys]
    columns += [f"{'-' if sign < 0 else ''}({_expr(e, dialect, r, o)}) AS {n}" for n, e in summary.values]
    return f"SELECT {', '.join(columns)}{(' ' + source) if source else ''}"


def _upsert(summary: Summary, parts: list[str]) -> str:
    """Add the grouped contributions of `parts` to the summary table."""
    keys = ", ".join(summary.key_columns)
    values = ", ".join(summary.value_columns)
    sums = ", ".join(f"SUM({n})" for n in summary.value_columns)
    nonzero = " OR ".join(f"SUM({n}) <> 0" for n in summary.value_columns)
    updates = ", ".join(f"{n} = {summary.table}.{n} + excluded.{n}" for n in summary.value_columns)
    union = " UNION ALL ".join(parts)
    return (
        f"INSERT INTO {summary.table} ({keys}, {values}) "
        f"SELECT {keys}, {sums} FROM ({union}) d WHERE true GROUP BY {keys} HAVING {nonzero} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def recompute_sql(summary: Summary, dialect: str) -> str:
    """The summary's rows computed from the base tables (keys, summed values)."""
    o = "o" if summary.joins_order else "r"
    join = " JOIN orders o ON o.id = r.order_id" if summary.joins_order else ""
    keys = [_expr(e, dialect, "r", o) for _, e in summary.keys]
    selected = [f"{k} AS {n}" for k, (n, _) in zip(keys, summary.keys)]
    selected += [f"SUM({_expr(e, dialect, 'r', o)}) AS {n}" for n, e in summary.values]
    return f"SELECT {', '.join(selected)} FROM {summary.base} r{join} GROUP BY {', '.join(keys)}"


def rebuild_summaries(conn) -> None:
    """Fill every summary table from the base tables (a database upgraded with orders in it)."""
    dialect = conn.dialect.name
    for summary in SUMMARIES:
        conn.execute(text(f"DELETE FROM {summary.table}"))
        columns = ", ".join(summary.key_columns + summary.value_columns)
        conn.execute(text(f"INSERT INTO {summary.table} ({columns}) {recompute_sql(summary, dialect)}"))
        if dialect == "postgresql":
            conn.execute(text(f"ANALYZE {summary.table}"))


# ---------------------------------------------------------------- triggers


def _children_parts(
    summary: Summary,
    dialect: str,
    *,
    old: str,
    new: str,
    from_old: str,
    from_new: str,
    where_old: str = "",
    where_new: str = "",
) -> list[str]:
    """Contributions of a child summary when its order row changes: minus with the old order,
    plus with the new one."""
    child = f"{summary.base} c"
    return [
        _part(summary, dialect, r="c", o=old, sign=-1, source=f"FROM {from_old}{child}{where_old}"),
        _part(summary, dialect, r="c", o=new, sign=1, source=f"FROM {from_new}{child}{where_new}"),
    ]


def postgresql_trigger_ddl() -> list[str]:
    """Functions and statement-level triggers (transition tables) of every summary."""
    d = "postgresql"
    statements: dict[tuple[str, str], list[str]] = {}

    def add(table: str, operation: str, sql: str) -> None:
        statements.setdefault((table, operation), []).append(sql)

    for s in SUMMARIES:
        if s.joins_order:
            join_new, join_old = " JOIN orders o ON o.id = n.order_id", " JOIN orders o ON o.id = x.order_id"
            add(s.base, "insert", _upsert(s, [_part(s, d, r="n", o="o", sign=1, source=f"FROM new_rows n{join_new}")]))
            add(s.base, "delete", _upsert(s, [_part(s, d, r="x", o="o", sign=-1, source=f"FROM old_rows x{join_old}")]))
            add(
                s.base,
                "update",
                _upsert(
                    s,
                    [
                        _part(s, d, r="x", o="o", sign=-1, source=f"FROM old_rows x{join_old}"),
                        _part(s, d, r="n", o="o", sign=1, source=f"FROM new_rows n{join_new}"),
                    ],
                ),
            )
            # The order's own keys (status, day, code, deleted...) move its children.
            add(
                "orders",
                "update",
                _upsert(
                    s,
                    _children_parts(
                        s,
                        d,
                        old="x",
                        new="n",
                        from_old="old_rows x JOIN ",
                        from_new="new_rows n JOIN ",
                        where_old=" ON c.order_id = x.id",
                        where_new=" ON c.order_id = n.id",
                    ),
                ),
            )
        else:
            add("orders", "insert", _upsert(s, [_part(s, d, r="n", o="n", sign=1, source="FROM new_rows n")]))
            add("orders", "delete", _upsert(s, [_part(s, d, r="x", o="x", sign=-1, source="FROM old_rows x")]))
            add(
                "orders",
                "update",
                _upsert(
                    s,
                    [
                        _part(s, d, r="x", o="x", sign=-1, source="FROM old_rows x"),
                        _part(s, d, r="n", o="n", sign=1, source="FROM new_rows n"),
                    ],
                ),
            )
    ddl = []
    for (table, operation), sqls in statements.items():
        name = f"dash_{table}_{operation}"
        body = ";\n  ".join(sqls)
        ddl.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$"
        )
        referencing = {
            "insert": "NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[operation]
        ddl.append(
            f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    # TRUNCATE (the demo's reset) fires no row or statement trigger of the above.
    truncated = {"orders": SUMMARY_TABLES, "order_lines": ["dash_line_facts"], "payments": ["dash_payment_facts"]}
    for table, summaries in truncated.items():
        name = f"dash_{table}_truncate"
        body = "; ".join(f"DELETE FROM {t}" for t in summaries)
        ddl.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN {body}; RETURN NULL; END $$"
        )
        ddl.append(f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return ddl


def sqlite_trigger_ddl() -> list[str]:
    """Row-level triggers: one upsert per summary and row."""
    d = "sqlite"
    statements: dict[tuple[str, str], list[str]] = {}

    def add(table: str, operation: str, sql: str) -> None:
        statements.setdefault((table, operation), []).append(sql)

    for s in SUMMARIES:
        if s.joins_order:
            add(
                s.base,
                "insert",
                _upsert(s, [_part(s, d, r="NEW", o="o", sign=1, source="FROM orders o WHERE o.id = NEW.order_id")]),
            )
            add(
                s.base,
                "delete",
                _upsert(s, [_part(s, d, r="OLD", o="o", sign=-1, source="FROM orders o WHERE o.id = OLD.order_id")]),
            )
            add(
                s.base,
                "update",
                _upsert(
                    s,
                    [
                        _part(s, d, r="OLD", o="o", sign=-1, source="FROM orders o WHERE o.id = OLD.order_id"),
                        _part(s, d, r="NEW", o="o", sign=1, source="FROM orders o WHERE o.id = NEW.order_id"),
                    ],
                ),
            )
            add(
                "orders",
                "update",
                _upsert(
                    s,
                    _children_parts(
                        s,
                        d,
                        old="OLD",
                        new="NEW",
                        from_old="",
                        from_new="",
                        where_old=" WHERE c.order_id = OLD.id",
                        where_new=" WHERE c.order_id = NEW.id",
                    ),
                ),
            )
        else:
            add("orders", "insert", _upsert(s, [_part(s, d, r="NEW", o="NEW", sign=1, source="")]))
            add("orders", "delete", _upsert(s, [_part(s, d, r="OLD", o="OLD", sign=-1, source="")]))
            add(
                "orders",
                "update",
                _upsert(
                    s,
                    [
                        _part(s, d, r="OLD", o="OLD", sign=-1, source=""),
                        _part(s, d, r="NEW", o="NEW", sign=1, source=""),
                    ],
                ),
            )
    ddl = []
    for (table, operation), sqls in statements.items():
        body = ";\n  ".join(sqls)
        ddl.append(
            f"CREATE TRIGGER dash_{table}_{operation} AFTER {operation.upper()} ON {table} FOR EACH ROW BEGIN\n  {body};\nEND"
        )
    return ddl


def trigger_ddl(dialect: str) -> list[str]:
    return postgresql_trigger_ddl() if dialect == "postgresql" else sqlite_trigger_ddl()


def drop_trigger_ddl(dialect: str) -> list[str]:
    names = sorted({(f"dash_{s.base}", s.base) for s in SUMMARIES} | {("dash_orders", "orders")})
    ddl = []
    for prefix, table in names:
        for operation in ("insert", "update", "delete", "truncate"):
            if dialect == "postgresql":
                ddl.append(f"DROP TRIGGER IF EXISTS {prefix}_{operation} ON {table}")
                ddl.append(f"DROP FUNCTION IF EXISTS {prefix}_{operation}()")
            elif operation != "truncate":
                ddl.append(f"DROP TRIGGER IF EXISTS {prefix}_{operation}")
    return ddl


# ---------------------------------------------------------------- the revision


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
