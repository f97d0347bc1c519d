"""PostgreSQL writes each CSV line of the grid export itself (issue 19: a million rows in
seconds). Reading 25 typed columns a row costs Python ~7 µs (Decimal, datetime and enum parsing)
before a cell is formatted; one ready line of text a row costs it well under 1 µs, and
PostgreSQL formats in C. The rules are exactly those of the Python path
(queries.export_cells.Cells.csv_rows, written by `csv.writer`), which SQLite and the XLSX use and
which a test compares with this one byte for byte on the same data:

- a text: control characters removed and a leading `'` before = + - @ tab CR (queries.cells);
  quoted as `csv.writer` quotes (QUOTE_MINIMAL: the separator, a quote, CR or LF inside);
- money to the cent (a decimal comma with `;`), times in the export's zone to the second, the
  due date as ISO, labels translated (by the caller, bound as texts), NULL as an empty cell.

The custom form values stay in Python (custom_values.CustomLayout.cells: display and masking
rules), appended to the line from the JSON object the query selects with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, String, Text, case, cast, func, literal, literal_column, select, type_coerce

from orders_core.models import Event, Order, OrderLine, Refund
from orders_core.permissions import Actor
from orders_core.scope import personal
from queries.cells import safe_text
from queries.custom_values import CustomLayout, values_by_order, values_of_order
from queries.grid import GridFilters, filter_conditions
from queries.sql import AnySelect, refunded_sum

CONTROL_CHARACTERS = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"  # queries.cells._CONTROL (PostgreSQL holds no NUL)
TIME_FORMAT = "YYYY-MM-DD HH24:MI:SS"
# The export's sort (its lines in the grid's order, after the aggregates' hash joins) in memory:
# ~320 MB for 1M orders; past it PostgreSQL sorts on disk, slower. This transaction only.
SORT_MEMORY = "SET LOCAL work_mem = '512MB'"


def csv_field(text: str, separator: str) -> str:
    """A text as `csv.writer` (QUOTE_MINIMAL, `"` doubled) writes it among other fields."""
    if separator in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_cell(value: Any, separator: str) -> ColumnElement[str]:
    """A text column as a CSV field: `safe_text` then quoting, done only for the few values that
    need either (one regular expression test for the others)."""
    value = type_coerce(value, Text)
    cleaned = func.regexp_replace(value, CONTROL_CHARACTERS, "", "g", type_=Text)
    starts = func.substr(cleaned, 1, 1, type_=Text).in_(["=", "+", "-", "@", "\t", "\r"])
    safe = case((starts, literal("'", Text) + cleaned), else_=cleaned)
    doubled = func.replace(safe, '"', '""', type_=Text)
    quoted = case((safe.regexp_match(f'[{separator}"\r\n]'), literal('"', Text) + doubled + '"'), else_=safe)
    needs_work = value.regexp_match(f'[\\x01-\\x1f{separator}"]|^[=+@-]')
    return func.coalesce(case((needs_work, quoted), else_=value), "", type_=Text)


def _label_cell(value: Any, labels: Mapping[str, str], separator: str) -> ColumnElement[str]:
    """A stored code as its translated label (made safe and quoted here), an unknown code as
    any text."""
    raw = type_coerce(value, String)
    return case(
        {code: literal(csv_field(safe_text(label), separator)) for code, label in labels.items()},
        value=raw,
        else_=_text_cell(raw, separator),
    )


def _money_cell(value: Any, decimal_comma: bool) -> ColumnElement[str]:
    text = cast(value, Text)  # NUMERIC(12, 2) prints its two decimals
    return func.coalesce(func.replace(text, ".", ",", type_=Text) if decimal_comma else text, "", type_=Text)


def _time_cell(value: Any, zone: str) -> ColumnElement[str]:
    return func.coalesce(func.to_char(func.timezone(zone, value), TIME_FORMAT, type_=Text), "", type_=Text)


def csv_lines(
    filters: GridFilters,
    principal: Actor,
    layout: CustomLayout,
    labels: Mapping[str, Mapping[str, str]],
    yes_no: tuple[str, str],
    separator: str,
) -> AnySelect:
    """The export's rows as (CSV line without its end, custom values as JSON text when there are custom
    columns), in the export's order. `labels`: per label column (status, payment_mode,
    payment_state, source), stored code -> translated label."""
    decimal_comma = separator == ";"
    zone = filters.timezone

    def text(value: Any) -> ColumnElement[str]:
        return _text_cell(value, separator)

    # Without a search, the lines' count and the custom values come from one aggregate each over
    # the exported orders (`ids`), joined: a lookup per order cost ~20 µs of the ~47 µs a row took
    # at 1M orders. With a search (few orders, a filter too costly to run three times), a lookup
    # per order.
    per_order = bool(filters.search)
    ids = select(Order.id).where(*filter_conditions(filters, principal=principal)).correlate(None)
    counts = (
        select(OrderLine.order_id, func.count().label("lines"))
        .where(OrderLine.order_id.in_(ids))
        .group_by(OrderLine.order_id)
        .subquery("line_counts")
    )
    lines: ColumnElement[Any]
    if per_order:
        lines = select(func.count()).select_from(OrderLine).where(OrderLine.order_id == Order.id).scalar_subquery()
    else:
        lines = func.coalesce(counts.c.lines, 0)
    # The refunds likewise joined per order: a correlated subquery is parallel-restricted, and with
    # it PostgreSQL built every line in one process (11.6 s for 1M rows; joined: a parallel plan,
    # 8.8 s on 2 cores).
    refunded: ColumnElement[Any]
    if per_order:
        refunded = refunded_sum(in_sql=True)
    else:
        refunds = (
            select(Refund.order_id, func.sum(Refund.amount).label("amount"))
            .group_by(Refund.order_id)
            .subquery("refunds_by_order")
        )
        refunded = func.coalesce(refunds.c.amount, 0)
    paid = Order.amount_paid + refunded
    balance = func.greatest(Order.total_ttc - paid, literal_column("0.00"))
    yes, no = (csv_field(safe_text(word), separator) for word in yes_no)
    cells = [
        cast(Order.number, Text),
        cast(lines, Text),
        text(personal(Order.buyer_first_name, principal)),
        text(personal(Order.buyer_last_name, principal)),
        text(personal(Order.buyer_email, principal)),
        text(Order.discount_code),
        _label_cell(Order.payment_mode, labels["mode"], separator),
        _label_cell(Order.status, labels["status"], separator),
        _time_cell(Order.paid_at, zone),
        _time_cell(Order.created_at, zone),
        case((Order.terms_accepted, literal(yes)), else_=literal(no)),
        text(Order.currency),
        _money_cell(Order.total_ht, decimal_comma),
        _money_cell(Order.total_ttc, decimal_comma),
        _money_cell(Order.amount_paid, decimal_comma),
        _money_cell(balance, decimal_comma),
        _label_cell(Order.payment_state, labels["payment_state"], separator),
        func.coalesce(func.to_char(Order.due_date, "YYYY-MM-DD"), ""),
        text(Event.name),
        _label_cell(Order.source, labels["source"], separator),
        text(personal(Order.company_name, principal)),
        text(Order.utm_source),
        text(Order.utm_medium),
        text(Order.utm_campaign),
        _time_cell(Order.deleted_at, zone),
    ]
    query = (
        select(func.concat_ws(separator, *cells).label("line"))
        .join_from(Order, Event, Event.id == Order.event_id)
        .where(*filter_conditions(filters, principal=principal))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if not per_order:
        query = query.outerjoin(counts, counts.c.order_id == Order.id).outerjoin(
            refunds, refunds.c.order_id == Order.id
        )
    # the custom values as JSON text: parsed once per distinct value (queries.export._line_pieces)
    if layout.columns and per_order:
        query = query.add_columns(cast(values_of_order(layout), Text))
    elif layout.columns:
        custom = values_by_order(layout, ids)
        query = query.add_columns(cast(custom.c.custom, Text)).outerjoin(custom, custom.c.order_id == Order.id)
    return query
