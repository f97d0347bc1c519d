"""Summary tables of the dashboards, kept exactly in step with the base tables by triggers.

At a million orders a plain GROUP BY over `orders` costs ~400 ms on PostgreSQL; the dashboards
read these small tables instead. Every summary is one GROUP BY of a base table (optionally
joined to the row's order), and stores counts and money in whole cents (integers), so that
SQLite's binary floats can never drift the sums.

The same specification generates three things, so they cannot disagree:
- the triggers (migration 0007): statement-level with transition tables on PostgreSQL (one
  aggregated upsert per COPY batch or UPDATE statement), row-level on SQLite;
- the recomputation query, used by `rebuild_summaries` and by the `orders check` invariants.

Rows whose counts fall to zero are left in place (they add nothing to any figure); the
invariants compare non-zero rows only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text


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


def stored_sql(summary: Summary) -> str:
    """The summary's non-zero rows as stored."""
    columns = ", ".join(summary.key_columns + summary.value_columns)
    nonzero = " OR ".join(f"{n} <> 0" for n in summary.value_columns)
    return f"SELECT {columns} FROM {summary.table} WHERE {nonzero}"


def mismatch_sql(summary: Summary, dialect: str) -> str:
    """(NULL, number of rows that differ) when the stored summary is not its recomputation."""
    stored, computed = stored_sql(summary), recompute_sql(summary, dialect)
    only_stored = f"SELECT * FROM ({stored}) s1 EXCEPT SELECT * FROM ({computed}) c1"
    only_computed = f"SELECT * FROM ({computed}) c2 EXCEPT SELECT * FROM ({stored}) s2"
    return (
        f"SELECT NULL, n FROM (SELECT (SELECT COUNT(*) FROM ({only_stored}) a) + "
        f"(SELECT COUNT(*) FROM ({only_computed}) b) AS n) d WHERE n > 0"
    )


def rebuild_summaries(conn: Connection) -> None:
    """Recompute every summary table from the base tables (after a load with triggers off,
    or to repair); runs in the caller's transaction."""
    dialect = conn.dialect.name
    for summary in SUMMARIES:
        conn.execute(text(f"DELETE FROM {summary.table}"))
        columns = ", ".join(summary.key_columns + summary.value_columns)
        conn.execute(text(f"INSERT INTO {summary.table} ({columns}) {recompute_sql(summary, dialect)}"))
        if dialect == "postgresql":
            conn.execute(text(f"ANALYZE {summary.table}"))


def rebuild_order_summary_sqlite(conn: Connection) -> None:
    """Recompute the grid's `order_summary` (migration 0002) on SQLite, after a bulk load that
    ran with the row triggers off."""
    conn.execute(text("DELETE FROM order_summary"))
    conn.execute(
        text("""
        INSERT INTO order_summary (day, event_id, status, payment_mode, source, currency, deleted,
                                   orders, total_ht_cents, total_ttc_cents)
        SELECT date(created_at), event_id, status, payment_mode, source, currency, (deleted_at IS NOT NULL),
               COUNT(*), SUM(CAST(ROUND(total_ht * 100) AS INTEGER)), SUM(CAST(ROUND(total_ttc * 100) AS INTEGER))
        FROM orders GROUP BY 1, 2, 3, 4, 5, 6, 7""")
    )


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

    def add(table: str, op: str, sql: str) -> None:
        statements.setdefault((table, op), []).append(sql)

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
    for (table, op), sqls in statements.items():
        name = f"dash_{table}_{op}"
        body = ";\n  ".join(sqls)
        ddl.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$"
        )
        referencing = {
            "insert": "NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[op]
        ddl.append(
            f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} REFERENCING {referencing} "
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

    def add(table: str, op: str, sql: str) -> None:
        statements.setdefault((table, op), []).append(sql)

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
    for (table, op), sqls in statements.items():
        body = ";\n  ".join(sqls)
        ddl.append(f"CREATE TRIGGER dash_{table}_{op} AFTER {op.upper()} ON {table} FOR EACH ROW BEGIN\n  {body};\nEND")
    return ddl


def trigger_ddl(dialect: str) -> list[str]:
    return postgresql_trigger_ddl() if dialect == "postgresql" else sqlite_trigger_ddl()


def drop_trigger_ddl(dialect: str) -> list[str]:
    names = sorted({(f"dash_{s.base}", s.base) for s in SUMMARIES} | {("dash_orders", "orders")})
    ddl = []
    for prefix, table in names:
        for op in ("insert", "update", "delete", "truncate"):
            if dialect == "postgresql":
                ddl.append(f"DROP TRIGGER IF EXISTS {prefix}_{op} ON {table}")
                ddl.append(f"DROP FUNCTION IF EXISTS {prefix}_{op}()")
            elif op != "truncate":
                ddl.append(f"DROP TRIGGER IF EXISTS {prefix}_{op}")
    return ddl
