"""The summary tables, kept exactly in step with the base tables by triggers: the grid's
`order_summary` (migration 0002), the dashboards' facts (migration 0007) and the refunds'
facts (migration 0017_ledger_reports).

At a million orders a plain GROUP BY over `orders` costs ~400 ms on PostgreSQL; the grid's count
and totals and the dashboards read these small tables instead. Every summary is one GROUP BY of
a base table (optionally joined to the row's order), and stores counts and money in whole cents
(integers), so that SQLite's binary floats can never drift the sums.

One specification per table (`ALL_SUMMARIES`) gives the recomputation query, used by
`rebuild_summaries` (after a load with triggers off, or to repair) and by the `orders check`
invariants. The triggers themselves are frozen in their migrations (a migration never imports
live code); a change to a summary here needs a migration that changes its triggers too.

Rows whose counts fall to zero are left in place (they add nothing to any figure); the
invariants compare non-zero rows only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Summary:
    table: str
    base: str  # the table whose rows are summed: orders, order_lines, payments or refunds
    keys: tuple[tuple[str, str], ...]  # (column, expression); {r} = base row, {o} = its order
    values: tuple[tuple[str, str], ...]  # (column, expression) summed
    # Only the base rows meeting this condition count (None: every row); {r}/{o} as in `keys`.
    where: str | None = None

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
    # Issue 20: money given back, the same way as payments (migration 0017_ledger_reports).
    Summary(
        "dash_refund_facts",
        "refunds",
        keys=(
            ("day", "{day:{r}.refunded_at}"),
            ("event_id", "{o}.event_id"),
            ("method", "{r}.method"),
            ("currency", "{r}.currency"),
        ),
        values=(("refunds", "1"), ("amount_cents", _cents("{r}.amount"))),
    ),
)

# Issue 19: what each buyer still owes on open invoices, for the finance dashboard's top debtors
# (migration 0037_receivables): ~1 row per buyer who owes, read in order of the amount by an index
# instead of grouping ~100,000 open invoices on every visit. The condition is queries.due's
# `open_invoice`; the key is the one top_debtors groups by.
OPEN_INVOICE = (
    "{o}.payment_mode = 'invoice' AND {o}.payment_state IN ('unpaid', 'partially_paid') "
    "AND {o}.status <> 'cancelled' AND {o}.total_ttc > {o}.amount_paid AND {o}.deleted_at IS NULL"
)
DEBTOR_FACTS = Summary(
    "dash_debtor_facts",
    "orders",
    keys=(
        ("currency", "{o}.currency"),
        ("company", "COALESCE({o}.company_name, '')"),
        ("email", "COALESCE(LOWER({o}.buyer_email), '')"),
    ),
    values=(("orders", "1"), ("due_cents", _cents("({o}.total_ttc - {o}.amount_paid)"))),
    where=OPEN_INVOICE,
)
# The same open invoices per event, currency and due date (NO_DUE_DATE when they have none): the
# ageing by due date and the expected cash.
NO_DUE_DATE = "9999-12-31"
DUE_FACTS = Summary(
    "dash_due_facts",
    "orders",
    keys=(
        ("event_id", "{o}.event_id"),
        ("currency", "{o}.currency"),
        ("due_date", f"COALESCE({{o}}.due_date, '{NO_DUE_DATE}')"),
    ),
    values=DEBTOR_FACTS.values,
    where=OPEN_INVOICE,
)
SUMMARIES = (*SUMMARIES, DEBTOR_FACTS, DUE_FACTS)

# Issue 4: the grid's count and per-currency totals (queries/grid.py), kept by migration 0002's triggers.
ORDER_SUMMARY = Summary(
    "order_summary",
    "orders",
    # dash_order_facts without the discount code and the amount paid: the same rows, fewer columns.
    keys=tuple(key for key in SUMMARIES[0].keys if key[0] != "discount_code"),
    values=tuple(value for value in SUMMARIES[0].values if value[0] != "amount_paid_cents"),
)

ALL_SUMMARIES: tuple[Summary, ...] = (ORDER_SUMMARY, *SUMMARIES)


def _expr(template: str, dialect: str, r: str, o: str) -> str:
    expression = template.replace("{r}", r).replace("{o}", o)
    while "{day:" in expression:
        start = expression.index("{day:")
        end = expression.index("}", start)
        expression = expression[:start] + _day(expression[start + 5 : end], dialect) + expression[end + 1 :]
    return expression


def _where(summary: Summary, dialect: str, o: str) -> str:
    return f" WHERE {_expr(summary.where, dialect, 'r', o)}" if summary.where else ""


def recompute_sql(summary: Summary, dialect: str) -> str:
    """The summary's rows computed from the base tables (keys, summed values)."""
    o = "o" if summary.joins_order else "r"
    join = " JOIN orders o ON o.id = r.order_id" if summary.joins_order else ""
    keys = [_expr(e, dialect, "r", o) for _, e in summary.keys]
    selected = [f"{k} AS {n}" for k, (n, _) in zip(keys, summary.keys)]
    selected += [f"SUM({_expr(e, dialect, 'r', o)}) AS {n}" for n, e in summary.values]
    where = _where(summary, dialect, o)
    return f"SELECT {', '.join(selected)} FROM {summary.base} r{join}{where} GROUP BY {', '.join(keys)}"


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


def differing_keys_sql(summary: Summary, dialect: str) -> str:
    """(NULL, the keys as text) of every key where the stored summary and its recomputation
    disagree (a count or a sum), zero rows left aside."""
    keys = ", ".join(summary.key_columns)
    o = "o" if summary.joins_order else "r"
    join = " JOIN orders o ON o.id = r.order_id" if summary.joins_order else ""
    key_exprs = [_expr(e, dialect, "r", o) for _, e in summary.keys]
    computed = [f"{k} AS {n}" for k, (n, _) in zip(key_exprs, summary.keys)]
    computed += [f"-SUM({_expr(e, dialect, 'r', o)}) AS {n}" for n, e in summary.values]
    signed = (
        f"SELECT {keys}, {', '.join(summary.value_columns)} FROM {summary.table} UNION ALL "
        f"SELECT {', '.join(computed)} FROM {summary.base} r{join}{_where(summary, dialect, o)} "
        f"GROUP BY {', '.join(key_exprs)}"
    )
    detail = " || ' ' || ".join(f"CAST({n} AS VARCHAR(64))" for n in summary.key_columns)
    nonzero = " OR ".join(f"SUM({n}) <> 0" for n in summary.value_columns)
    return f"SELECT NULL, {detail} FROM ({signed}) d GROUP BY {keys} HAVING {nonzero}"


def rebuild_summaries(conn: Connection) -> None:
    """Recompute every summary table from the base tables (after a load with triggers off,
    or to repair); runs in the caller's transaction."""
    dialect = conn.dialect.name
    for summary in ALL_SUMMARIES:
        conn.execute(text(f"DELETE FROM {summary.table}"))
        columns = ", ".join(summary.key_columns + summary.value_columns)
        conn.execute(text(f"INSERT INTO {summary.table} ({columns}) {recompute_sql(summary, dialect)}"))
        if dialect == "postgresql":
            conn.execute(text(f"ANALYZE {summary.table}"))
