"""The invariants of domain.md, checked on any database (`orders check`).

Each invariant is a query returning the order numbers that break it, with a message; money is
compared in whole cents so SQLite's float storage cannot hide or invent a difference."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from sqlalchemy import Connection, text
from sqlalchemy.exc import DataError, NotSupportedError

from orders_core.money import tax_of, to_money
from orders_core.payment_state import state_sql
from orders_core.status import ADMITTING_KINDS, BOX_OFFICE_METHODS, PaymentMode, Source, Status
from orders_core.summaries import ORDER_SUMMARY, SUMMARIES, Summary, differing_keys_sql, mismatch_sql


@dataclass(frozen=True)
class Violation:
    invariant: str
    order_number: int | None
    message: str

    def __str__(self) -> str:
        where = f"order {self.order_number}" if self.order_number is not None else "database"
        return f"{where}: {self.message} [{self.invariant}]"


def _cents(expr: str) -> str:
    # A non-finite amount (NaN on PostgreSQL) cannot become cents: NULL here, reported by
    # `amounts_finite` instead of failing every other check.
    finite = f"({expr}) > -10000000000 AND ({expr}) < 10000000000"
    return f"CAST(ROUND(CASE WHEN {finite} THEN ({expr}) END * 100) AS BIGINT)"


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


_ADMITTING = _quoted(sorted(ADMITTING_KINDS))
# Each order's payments and refunds in cents (LEFT JOINs on `orders o`).
_LEDGER = f"""LEFT JOIN (SELECT order_id, SUM({_cents("amount")}) AS paid FROM payments GROUP BY order_id) p
                ON p.order_id = o.id
              LEFT JOIN (SELECT order_id, SUM({_cents("amount")}) AS refunded FROM refunds GROUP BY order_id) r
                ON r.order_id = o.id"""
_STATE = state_sql(_cents("o.total_ttc"), "COALESCE(p.paid, 0)", "COALESCE(r.refunded, 0)", "o.status")
_SETTLEMENT = "SELECT 1 FROM payments s WHERE s.order_id = o.id AND s.purpose = 'settlement'"


def _not_finite(*columns: str) -> str:
    """True when any column is NaN, infinite or beyond NUMERIC(12, 2) (NaN compares greater than
    every number on PostgreSQL; SQLite stores Infinity as a float)."""
    return " OR ".join(f"NOT ({c} > -10000000000 AND {c} < 10000000000)" for c in columns)


# name -> (SQL returning (number, detail), or such SQL per dialect; message template)
SQL_INVARIANTS: dict[str, tuple[str | dict[str, str], str]] = {
    "amounts_finite": (
        f"""SELECT number, 'order totals or amount paid' FROM orders
            WHERE {_not_finite("total_ht", "total_ttc", "amount_paid")}
            UNION ALL
            SELECT o.number, 'payment ' || CAST(p.id AS VARCHAR(12)) FROM payments p JOIN orders o ON o.id = p.order_id
            WHERE {_not_finite("p.amount")}
            UNION ALL
            SELECT NULL, 'bank transaction ' || CAST(id AS VARCHAR(12)) || ', statement line '
                         || CAST(line_number AS VARCHAR(12)) FROM bank_transactions
            WHERE {_not_finite("amount", "allocated")}""",
        "an amount is not a finite number within NUMERIC(12, 2): {detail}",
    ),
    "number_range": (
        "SELECT number, number FROM orders WHERE number NOT BETWEEN 1000000 AND 9999999",
        "order number {detail} is not a 7-digit number",
    ),
    "status_value": (
        f"SELECT number, status FROM orders WHERE status NOT IN ({_quoted(Status)})",
        "unknown status '{detail}'",
    ),
    "payment_mode_value": (
        f"SELECT number, payment_mode FROM orders WHERE payment_mode NOT IN ({_quoted(PaymentMode)})",
        "unknown payment mode '{detail}'",
    ),
    "source_value": (
        f"SELECT number, source FROM orders WHERE source NOT IN ({_quoted(Source)})",
        "unknown source '{detail}'",
    ),
    "currency_code": (
        "SELECT number, currency FROM orders WHERE LENGTH(currency) <> 3 OR UPPER(currency) <> currency",
        "currency '{detail}' is not an ISO 4217 code",
    ),
    "free_iff_zero_total": (
        f"""SELECT number, payment_mode || ' with total ' || CAST(total_ttc AS VARCHAR(20)) FROM orders
            WHERE (payment_mode = 'free' AND {_cents("total_ttc")} <> 0)
               OR ({_cents("total_ttc")} = 0 AND payment_mode NOT IN ('free', 'undefined'))""",
        "payment mode is 'free' exactly when the total is zero, found {detail}",
    ),
    "undefined_only_for_unfinished_carts": (
        "SELECT number, status FROM orders WHERE payment_mode = 'undefined' "
        "AND status NOT IN ('cart_incomplete', 'cancelled')",
        "payment mode 'undefined' on an order in status '{detail}'",
    ),
    "box_office_only_for_desk_settlements": (
        f"""SELECT o.number, o.source FROM orders o WHERE o.payment_mode = '{PaymentMode.BOX_OFFICE.value}'
            AND (o.source <> '{Source.ORGANIZER.value}' OR NOT EXISTS ({_SETTLEMENT}
                 AND s.method IN ({_quoted(BOX_OFFICE_METHODS)})))""",
        "payment mode 'box_office' on an order (source '{detail}') not settled at the desk by cash, card or cheque",
    ),
    "paid_at_iff_paid": (
        "SELECT number, status FROM orders WHERE (status = 'paid' AND paid_at IS NULL) "
        "OR (status <> 'paid' AND paid_at IS NOT NULL "
        "    AND NOT (status = 'cancelled' AND EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = orders.id)))",
        "paid_at must be set exactly when the order is paid (status '{detail}')",
    ),
    "paid_after_created": (
        "SELECT number, number FROM orders WHERE paid_at < created_at",
        "payment date is before the creation date",
    ),
    "order_has_lines": (
        "SELECT o.number, o.number FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)",
        "the order has no line",
    ),
    "totals_are_sums_of_lines": (
        f"""SELECT o.number, CAST(o.total_ttc AS VARCHAR(20)) FROM orders o
            JOIN (SELECT order_id, SUM({_cents("total_ht")}) AS ht, SUM({_cents("total_ttc")}) AS ttc
                  FROM order_lines GROUP BY order_id) s ON s.order_id = o.id
            WHERE s.ht <> {_cents("o.total_ht")} OR s.ttc <> {_cents("o.total_ttc")}""",
        "order totals (TTC {detail}) are not the sums of its lines",
    ),
    "line_currency_is_order_currency": (
        """SELECT o.number, t.currency FROM order_lines l JOIN orders o ON o.id = l.order_id
           JOIN tariffs t ON t.id = l.tariff_id WHERE t.currency <> o.currency""",
        "a line's tariff is priced in {detail}, not in the order's currency",
    ),
    # Rule 17. Assigned seats cannot be sold twice (the database refuses it); this catches the
    # free-text seats sold before seat plans (migration 0024 left them unassigned).
    "seat_sold_once": (
        f"""SELECT number, seat FROM (
              SELECT o.number, i.seat, ROW_NUMBER() OVER (
                       PARTITION BY o.event_id, i.seat ORDER BY o.created_at, i.id) AS sale
              FROM order_items i JOIN orders o ON o.id = i.order_id
              WHERE o.status <> '{Status.CANCELLED.value}' AND o.deleted_at IS NULL AND i.seat IS NOT NULL) s
            WHERE sale > 1""",
        "seat {detail} was already sold to an earlier order of its event",
    ),
    "seat_assignment_matches_ticket": (
        f"""SELECT o.number, s.label FROM seat_assignments a JOIN orders o ON o.id = a.order_id
            JOIN seats s ON s.id = a.seat_id JOIN order_items i ON i.id = a.order_item_id
            WHERE o.status = '{Status.CANCELLED.value}' OR o.deleted_at IS NOT NULL OR i.order_id <> a.order_id
               OR i.seat IS NULL OR i.seat <> s.label""",
        "seat {detail} is held by a cancelled or deleted order, or by a ticket showing another seat",
    ),
    "line_kind_is_tariff_kind": (
        """SELECT o.number, l.kind FROM order_lines l JOIN orders o ON o.id = l.order_id
           JOIN tariffs t ON t.id = l.tariff_id WHERE t.kind <> l.kind""",
        "a line of kind '{detail}' does not match its tariff's kind",
    ),
    "one_item_per_admitting_unit": (
        f"""SELECT o.number, l.name FROM order_lines l JOIN orders o ON o.id = l.order_id
            WHERE (l.kind IN ({_ADMITTING}) AND l.quantity <>
                    (SELECT COUNT(*) FROM order_items i WHERE i.order_line_id = l.id))
               OR (l.kind NOT IN ({_ADMITTING}) AND EXISTS
                    (SELECT 1 FROM order_items i WHERE i.order_line_id = l.id))""",
        "line '{detail}' does not have one holder per badge/ticket unit",
    ),
    "item_belongs_to_its_line_order": (
        """SELECT o.number, i.id FROM order_items i JOIN order_lines l ON l.id = i.order_line_id
           JOIN orders o ON o.id = i.order_id WHERE l.order_id <> i.order_id""",
        "order item {detail} points at a line of another order",
    ),
    "attendees_only_for_paid_orders": (
        "SELECT o.number, o.status FROM attendees a JOIN orders o ON o.id = a.order_id "
        "WHERE o.status <> 'paid' AND a.cancelled_at IS NULL GROUP BY o.number, o.status",
        "attendees (not cancelled) exist while the order is '{detail}'",
    ),
    "attendee_per_unit_of_settled_paid_order": (
        f"""SELECT o.number, COUNT(*) FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE o.status = 'paid' AND {_cents("o.amount_paid")} >= {_cents("o.total_ttc")}
              AND NOT EXISTS (SELECT 1 FROM attendees a WHERE a.order_item_id = i.id)
            GROUP BY o.number""",
        "paid and settled, but {detail} holder(s) have no attendee record",
    ),
    # Issue 20: a ticket cancelled from a paid order leaves its attendee marked cancelled, never live.
    "live_attendee_holds_a_ticket": (
        """SELECT o.number, a.id FROM attendees a JOIN orders o ON o.id = a.order_id
           WHERE a.order_item_id IS NULL AND a.cancelled_at IS NULL""",
        "attendee {detail} is not cancelled but holds no ticket of its order",
    ),
    "attendee_matches_its_order": (
        """SELECT o.number, a.id FROM attendees a JOIN orders o ON o.id = a.order_id
           LEFT JOIN order_items i ON i.id = a.order_item_id
           WHERE a.event_id <> o.event_id OR (i.id IS NOT NULL AND i.order_id <> a.order_id)""",
        "attendee {detail} belongs to another event or order item than its order's",
    ),
    # Issue 20: one ledger. amount_paid = payments - refunds; the payment state derives from it.
    "amount_paid_is_payments_minus_refunds": (
        f"""SELECT o.number, CAST(o.amount_paid AS VARCHAR(20)) FROM orders o {_LEDGER}
            WHERE COALESCE(p.paid, 0) - COALESCE(r.refunded, 0) <> {_cents("o.amount_paid")}""",
        "amount paid {detail} is not its payments minus its refunds",
    ),
    "payment_state_matches_ledger": (
        f"""SELECT o.number, o.payment_state FROM orders o {_LEDGER}
            WHERE o.payment_state <> {_STATE}""",
        "payment state '{detail}' does not follow from its payments and refunds",
    ),
    "paid_iff_payments_cover_total": (
        f"""SELECT o.number, o.status FROM orders o {_LEDGER}
            WHERE (o.status = 'paid' AND {_cents("o.total_ttc")} > 0 AND NOT EXISTS ({_SETTLEMENT}))
               OR (o.status NOT IN ('paid', 'cancelled') AND (EXISTS ({_SETTLEMENT})
                   OR ({_cents("o.total_ttc")} > 0
                       AND COALESCE(p.paid, 0) - COALESCE(r.refunded, 0) >= {_cents("o.total_ttc")})))""",
        "status '{detail}': an order is paid exactly when payments covered its total (or it is free)",
    ),
    "one_settlement_per_order": (
        """SELECT o.number, COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id
           WHERE p.purpose = 'settlement' GROUP BY o.number HAVING COUNT(*) > 1""",
        "{detail} payments each claim to have made the order paid",
    ),
    "refund_currency_is_order_currency": (
        "SELECT o.number, r.currency FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.currency <> o.currency",
        "a refund in {detail} on an order in another currency",
    ),
    "payment_currency_is_order_currency": (
        "SELECT o.number, p.currency FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.currency <> o.currency",
        "a payment in {detail} on an order in another currency",
    ),
    "paid_orders_are_settled_unless_organizer_added_tickets": (
        f"""SELECT number, CAST(total_ttc - amount_paid AS VARCHAR(20)) FROM orders
            WHERE status = 'paid' AND {_cents("amount_paid")} < {_cents("total_ttc")}
              AND (source <> 'organizer' OR notes = '')
              AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = orders.id)""",
        "paid with a balance due of {detail}: only organiser orders with a dated note may owe",
    ),
    "history_exists": (
        "SELECT o.number, o.number FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM order_history h WHERE h.order_id = o.id)",
        "the order has no history entry",
    ),
    "discount_code_exists": (
        """SELECT o.number, o.discount_code FROM orders o WHERE o.discount_code IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM discount_codes d WHERE d.event_id = o.event_id
                           AND UPPER(d.code) = UPPER(o.discount_code))""",
        "discount code '{detail}' is not a code of the order's event",
    ),
    # Issue 4: the grid's summary table (kept by triggers) equals a recomputation from orders.
    "order_summary_matches_orders": (
        {dialect: differing_keys_sql(ORDER_SUMMARY, dialect) for dialect in ("sqlite", "postgresql")},
        "the order summary differs from the orders it counts for {detail}",
    ),
}


# Issue 21: documents. Amounts in cents; a credit note's are negative, so the sum of an order's
# documents is what they bill it for now.
_NOT_BILLED = _quoted(sorted({Status.CANCELLED, Status.CART_INCOMPLETE, Status.FAILED}))
_DOCUMENT_LINES = f"""LEFT JOIN (SELECT invoice_id, SUM({_cents("total_ht")}) AS ht, SUM({_cents("total_tax")}) AS tax,
                                  SUM({_cents("total_ttc")}) AS ttc FROM invoice_lines GROUP BY invoice_id) l
                       ON l.invoice_id = i.id"""
SQL_INVARIANTS.update(
    {
        "document_totals_are_sums_of_lines": (
            f"""SELECT o.number, i.number FROM invoices i JOIN orders o ON o.id = i.order_id {_DOCUMENT_LINES}
                WHERE COALESCE(l.ht, 0) <> {_cents("i.total_ht")} OR COALESCE(l.tax, 0) <> {_cents("i.total_tax")}
                   OR COALESCE(l.ttc, 0) <> {_cents("i.total_ttc")}
                   OR {_cents("i.total_ht")} + {_cents("i.total_tax")} <> {_cents("i.total_ttc")}""",
            "document {detail}: its totals are not the sums of its lines (HT + VAT = TTC)",
        ),
        # What an order's documents bill it for (invoices less credit notes) is nothing once it is
        # cancelled or deleted, and never more than the order's total nor less than zero while it
        # stands (less is allowed: a commercial gesture credits part of an invoice on purpose).
        "documents_bill_what_the_order_bills": (
            f"""SELECT o.number, CAST(SUM({_cents("i.total_ttc")}) AS VARCHAR(20)) FROM orders o
                JOIN invoices i ON i.order_id = o.id
                GROUP BY o.id, o.number, o.total_ttc, o.status, o.deleted_at
                HAVING SUM({_cents("i.total_ttc")}) < 0
                    OR (o.deleted_at IS NULL AND o.status NOT IN ({_NOT_BILLED})
                        AND SUM({_cents("i.total_ttc")}) > {_cents("o.total_ttc")})
                    OR ((o.deleted_at IS NOT NULL OR o.status IN ({_NOT_BILLED})) AND SUM({_cents("i.total_ttc")}) <> 0)""",
            "its invoices less its credit notes bill {detail} cents, not what the order bills",
        ),
    }
)


def _line_arithmetic(conn: Connection) -> Iterator[Violation]:
    """Each line: total HT = quantity x unit price - discount; TTC = HT + tax rounded half-up.
    Checked in Decimal rather than SQL, because SQLite's ROUND works on binary floats."""
    rows = conn.execution_options(yield_per=20000).execute(
        text("""SELECT o.number, l.name, l.quantity, l.unit_price_ht, l.discount_amount, l.tax_rate,
                       l.total_ht, l.total_ttc
                FROM order_lines l JOIN orders o ON o.id = l.order_id""")
    )
    for number, name, quantity, unit, discount, rate, total_ht, total_ttc in rows:
        unit, discount, total_ht, total_ttc = (_decimal(v, 2) for v in (unit, discount, total_ht, total_ttc))
        expected_ht = to_money(unit * quantity) - discount
        expected_ttc = expected_ht + tax_of(expected_ht, _decimal(rate, 3))
        if total_ht != expected_ht or total_ttc != expected_ttc:
            yield Violation(
                "line_arithmetic",
                number,
                f"line '{name}' totals {total_ht} / {total_ttc}, expected {expected_ht} / {expected_ttc}",
            )


def _decimal(value: float | Decimal | int | str, places: int) -> Decimal:
    # SQLite hands back floats: going through a fixed-point string is exact at these scales.
    if isinstance(value, float):
        return Decimal(f"{value:.{places}f}")
    return Decimal(value)


PY_INVARIANTS: dict[str, Callable[[Connection], Iterator[Violation]]] = {
    "line_arithmetic": _line_arithmetic,
}


def _summary_matches(summary: Summary) -> Callable[[Connection], Iterator[Violation]]:
    """Issue 9: a dashboard summary table equals its recomputation from the base tables (the
    day expression differs per database, hence a Python check rather than fixed SQL)."""

    def check(conn: Connection) -> Iterator[Violation]:
        for _, rows in conn.execute(text(mismatch_sql(summary, conn.dialect.name))):
            yield Violation(
                f"{summary.table}_match_base_tables",
                None,
                f"{rows} row(s) of summary table {summary.table} differ from a recomputation "
                f"from {summary.base} (repair: rebuild_summaries)",
            )

    return check


PY_INVARIANTS.update({f"{s.table}_match_base_tables": _summary_matches(s) for s in SUMMARIES})

INVARIANTS = [*SQL_INVARIANTS, *PY_INVARIANTS]


def check_database(conn: Connection, only: list[str] | None = None) -> list[Violation]:
    """Every violation of every invariant (or of those named in `only`)."""
    violations: list[Violation] = []
    for name, (sql, message) in SQL_INVARIANTS.items():
        if only and name not in only:
            continue
        if isinstance(sql, dict):  # a dialect-specific query: {"sqlite": ..., "postgresql": ...}
            sql = sql[conn.dialect.name]
        violations.extend(
            _guarded(
                conn,
                name,
                partial(_sql_violations, conn, name, sql, message),
            )
        )
    for name, check in PY_INVARIANTS.items():
        if only and name not in only:
            continue
        violations.extend(_guarded(conn, name, partial(_py_violations, conn, check)))
    return violations


def _sql_violations(conn: Connection, name: str, sql: str, message: str) -> list[Violation]:
    return [Violation(name, number, message.format(detail=detail)) for number, detail in conn.execute(text(sql))]


def _py_violations(conn: Connection, check: Callable[[Connection], Iterable[Violation]]) -> list[Violation]:
    return list(check(conn))


def _guarded(conn: Connection, name: str, run: Callable[[], list[Violation]]) -> list[Violation]:
    """One check; data it cannot even compute on (NaN cents on PostgreSQL) is a violation of its
    own, and the other checks still run (the checker only reads: the failed transaction is rolled
    back and the next check starts a fresh one)."""
    try:
        return run()
    except (DataError, NotSupportedError) as error:  # the data, not the schema or the server
        conn.rollback()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        return [Violation(name, None, f"could not be checked: {reason}")]
