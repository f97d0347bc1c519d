"""Exports of exactly the grid's filtered set (all pages): CSV for French Excel (UTF-8 with BOM,
`;` and decimal comma by default, or `,` and decimal point) and XLSX with real numeric money
cells. Only roles with `orders.export` may export: `csv_stream` and `xlsx_stream` refuse any
other principal before reading a row. Issue 17: the principal's events only, and the buyer's
names, email and company masked for a principal who may not see people (as in the grid).

Streaming, no leftover file, no full copy in memory (issue 19: 1M rows of CSV in seconds):
- one statement reads the whole export (lines' count, refunds and custom values per order with
  it, no second query per chunk) through one server-side cursor, a chunk at a time;
- CSV: on PostgreSQL the database writes each line (queries.export_sql), elsewhere the chunk is
  formatted column by column (queries.export_cells) for `csv.writer`; each chunk is encoded and
  yielded as it comes (the `/export/orders.csv` route of web/exports.py hands the pieces to the
  download). Both ways give the same bytes (a test compares them).
- XLSX is a zip archive whose directory is written last, so it cannot be sent before the last
  row. queries.xlsx_sheet writes each chunk's rows, a column at a time, to its row file (the
  cells xlsxwriter's `constant_memory` mode wrote, without its per-cell calls), then assembles the workbook into
  a `SpooledTemporaryFile` (memory up to `SPOOL_BYTES`, then an anonymous file the system
  deletes on close), which is yielded in pieces. The row file lives in a private temporary
  folder removed when the export ends, even when the download is cancelled. (The attendees' and
  dashboards' smaller exports still use xlsxwriter: `safe_workbook`.)

Every text cell goes through `queries.cells.safe_text` (formula injection, control characters);
money and counts stay numbers."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import Engine, func, select

from orders_core import db
from orders_core.i18n import N_, _
from orders_core.models import Event, Order, OrderLine
from orders_core.permissions import Actor, require
from orders_core.scope import personal
from queries.cells import safe_text
from queries.custom_values import CustomLayout, custom_layout, values_of_order
from queries.export_cells import CUSTOM, KEYS, KINDS, ORDER_ID, Cells
from queries.export_sql import SORT_MEMORY, csv_field, csv_lines
from queries.grid import GridFilters, filter_conditions, grid_count_and_totals
from queries.sql import AnySelect, refunded_sum
from queries.xlsx_sheet import Sheet

Progress = Callable[[int, int], None]
T = TypeVar("T")
CHUNK = 10_000
SPOOL_BYTES = 8 * 1024 * 1024  # an XLSX bigger than this spills to an anonymous file
PIECE = 64 * 1024  # bytes per piece of a streamed XLSX
KNOWN_CUSTOM = 20_000  # custom values' JSON texts whose CSV cells a CSV export remembers
XLSX_ROWS = 2_000  # rows of a chunk whose XLSX cells are built at once (memory)
EXPORT = "orders.export"
# Where the database writes the CSV lines itself (queries.export_sql); elsewhere Python does.
SQL_CSV_DIALECTS = frozenset({"postgresql"})

# (key, header) in the grid's (seed's) order; money keys are written as numbers.
COLUMNS: list[tuple[str, str]] = [
    ("number", N_("Order number")),
    ("lines", N_("Lines")),
    ("buyer_first_name", N_("First name")),
    ("buyer_last_name", N_("Last name")),
    ("buyer_email", N_("Email")),
    ("discount_code", N_("Discount code")),
    ("payment_mode", N_("Payment mode")),
    ("status", N_("Status")),
    ("paid_at", N_("Payment date")),
    ("created_at", N_("Creation date")),
    ("terms_accepted", N_("Terms accepted")),
    ("currency", N_("Currency")),
    ("total_ht", N_("Total excl. tax")),
    ("total_ttc", N_("Total incl. tax")),
    ("amount_paid", N_("Amount paid")),
    ("balance_due", N_("Balance due")),
    ("payment_state", N_("Payment state")),
    ("due_date", N_("Due date (event's time zone)")),
    ("event_name", N_("Event")),
    ("source", N_("Source")),
    ("company_name", N_("Company")),
    ("utm_source", N_("UTM source")),
    ("utm_medium", N_("UTM medium")),
    ("utm_campaign", N_("UTM campaign")),
    ("deleted_at", N_("Deleted on")),
]
MONEY = {"total_ht", "total_ttc", "amount_paid", "balance_due"}
MONEY_KINDS = {"money", "balance"}
DATES = {"paid_at", "created_at", "deleted_at"}
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def headers(timezone: str | None = None) -> list[str]:
    """The column titles; the times' columns name the zone they are written in (issue 18 item 5)."""
    return [
        _("{column} ({zone})").format(column=_(label), zone=timezone) if timezone and key in DATES else _(label)
        for key, label in COLUMNS
    ]


def _query(filters: GridFilters, principal: Actor, layout: CustomLayout) -> AnySelect:
    """One statement for the whole export (rows as queries.export_cells reads them): the lines'
    count, the refunds and the custom values come per order with it, no second query per chunk."""
    lines = select(func.count()).select_from(OrderLine).where(OrderLine.order_id == Order.id).scalar_subquery()
    custom = [values_of_order(layout).label("custom")] if layout.columns else []
    return (
        select(
            Order.number,
            lines.label("lines"),
            personal(Order.buyer_first_name, principal),
            personal(Order.buyer_last_name, principal),
            personal(Order.buyer_email, principal),
            Order.discount_code,
            Order.payment_mode,
            Order.status,
            Order.paid_at,
            Order.created_at,
            Order.terms_accepted,
            Order.currency,
            Order.total_ht,
            Order.total_ttc,
            Order.amount_paid,
            refunded_sum().label("refunded"),
            Order.payment_state,
            Order.due_date,
            Event.name.label("event_name"),
            Order.source,
            personal(Order.company_name, principal),
            Order.utm_source,
            Order.utm_medium,
            Order.utm_campaign,
            Order.deleted_at,
            Order.id.label("order_id"),
            *custom,
        )
        .join(Event, Event.id == Order.event_id)
        .where(*filter_conditions(filters, principal=principal))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def _layout(engine: Engine, filters: GridFilters, principal: Actor) -> CustomLayout:
    """The custom form fields of the exported events (all the principal's events when not
    filtered by event)."""
    return custom_layout(engine, list(filters.event_ids) or None, principal=principal)


def _raw_chunks(
    engine: Engine, query: AnySelect, chunk_size: int, setup: Sequence[str] = ()
) -> Generator[Sequence[Sequence[Any]]]:
    """The rows of `query`, `chunk_size` at a time, streamed (bounded memory, the first chunk
    comes before the last row is read: `db.stream_partitions`); `setup`: statements run first in
    the same transaction (SET LOCAL)."""
    with engine.connect() as conn:
        for statement in setup:
            conn.exec_driver_sql(statement)
        yield from db.stream_partitions(conn, query, chunk_size)


def _read_ahead(chunks: Generator[T]) -> Iterator[T]:
    """`chunks`, the next one read by a worker thread while the caller formats this one (the
    database and the driver work while Python writes; at most one chunk ahead, so memory stays
    flat). Every step of `chunks`, its closing included, runs in that one thread (a SQLite
    connection stays in the thread that opened it)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-read") as reader:
        try:
            ahead = reader.submit(next, chunks, None)
            while (chunk := ahead.result()) is not None:
                ahead = reader.submit(next, chunks, None)
                yield chunk
        finally:
            ahead.cancel()
            reader.submit(chunks.close).result()


def export_chunks(
    engine: Engine, filters: GridFilters, chunk_size: int = CHUNK, *, principal: Actor
) -> Iterator[list[dict[str, Any]]]:
    """The filtered orders, newest first, as lists of at most `chunk_size` rows (dicts keyed as
    COLUMNS, money Decimal, balance_due computed exactly, `custom`: the order's custom form values
    by column key, masked as the grid masks people). Server-side cursor: bounded memory."""
    layout = _layout(engine, filters, principal)
    keys = [key for key, _label in layout.columns]
    cells = Cells(filters.timezone, layout, principal)
    for chunk in _raw_chunks(engine, _query(filters, principal, layout), chunk_size):
        balances = cells.balances(list(zip(*chunk, strict=True)))
        rows = []
        for row, balance in zip(chunk, balances, strict=True):
            record = dict(zip(KEYS, row, strict=False))
            record["balance_due"], record["order_id"] = balance, row[ORDER_ID]
            custom = layout.cells(row[CUSTOM], principal) if layout.columns else []
            record["custom"] = {key: value for key, value in zip(keys, custom, strict=True) if value != ""}
            rows.append(record)
        yield rows


def _total(engine: Engine, filters: GridFilters, principal: Actor) -> int:
    return grid_count_and_totals(engine, filters, principal=principal)[0]


class _Export:
    """What an export needs before its first row, computed in the caller's context (locale):
    the translated header and labels, the custom columns, the total for the progress bar."""

    def __init__(self, engine: Engine, filters: GridFilters, principal: Actor, progress: Progress | None):
        require(principal, EXPORT)
        self.engine, self.filters, self.principal = engine, filters, principal
        self.layout = _layout(engine, filters, principal)
        extra = [label for _key, label in self.layout.columns]
        self.header = [safe_text(title) for title in headers(filters.timezone) + extra]
        self.cells = Cells(filters.timezone, self.layout, principal)
        self.progress = progress
        # A progress bar needs the total; a mere row counter (the download's audit, web.export_audit
        # .RowCount) does not, and a count of a million rows costs a scan before the first byte.
        self.total = _total(engine, filters, principal) if progress and getattr(progress, "needs_total", True) else 0
        self.done = 0

    def chunks(
        self, chunk_size: int, query: AnySelect | None = None, setup: Sequence[str] = ()
    ) -> Iterator[Sequence[Sequence[Any]]]:
        """The selected rows (of `_query`, or of `query` after `setup`), one chunk at a time;
        counts them."""
        query = _query(self.filters, self.principal, self.layout) if query is None else query
        for chunk in _read_ahead(_raw_chunks(self.engine, query, chunk_size, setup)):
            yield chunk
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done, self.total)


def csv_pieces(header: list[str], chunks: Iterable[Iterable[Sequence[Any]]], separator: str) -> Iterator[bytes]:
    """CSV in pieces, one a chunk of rows: UTF-8 with a BOM (Excel then reads UTF-8), the header
    first. Shared by every streamed CSV export (orders, attendees); cells come already safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, quoting=csv.QUOTE_MINIMAL)
    buffer.write("\ufeff")
    writer.writerow(header)
    for rows in chunks:
        writer.writerows(rows)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no row at all: the header alone
        yield buffer.getvalue().encode("utf-8")


def _line_pieces(export: _Export, separator: str, chunk_size: int) -> Iterator[bytes]:
    """PostgreSQL's ready lines (queries.export_sql) in pieces of one chunk, after the BOM and
    header; the custom cells appended here, from the order's values as JSON text: the same
    values give the same cells, computed once (KNOWN_CUSTOM at most remembered)."""
    cells = export.cells
    query = csv_lines(export.filters, export.principal, export.layout, cells.labels, cells.yes_no, separator)
    layout, principal = export.layout, export.principal
    empty = separator * len(layout.columns)
    known: dict[str, str] = {}

    def custom(values: str) -> str:
        if len(known) > KNOWN_CUSTOM:
            known.clear()
        shown = layout.cells(json.loads(values), principal)
        text = known[values] = separator + separator.join(csv_field(safe_text(v), separator) for v in shown)
        return text

    writer = io.StringIO()
    csv.writer(writer, delimiter=separator).writerow(export.header)
    head = "\ufeff" + writer.getvalue()  # rides with the first chunk, or alone when no row
    for chunk in export.chunks(chunk_size, query, [SORT_MEMORY]):
        if layout.columns:
            lines = [line + (empty if j is None else known[j] if j in known else custom(j)) for line, j in chunk]
        else:
            lines = [line for (line,) in chunk]
        lines.append("")
        yield (head + "\r\n".join(lines)).encode("utf-8")
        head = ""
    if head:
        yield head.encode("utf-8")


def _csv_pieces(export: _Export, separator: str, chunk_size: int) -> Iterator[bytes]:
    if export.engine.dialect.name in SQL_CSV_DIALECTS:
        return _line_pieces(export, separator, chunk_size)
    decimal_comma = separator == ";"
    rows = (export.cells.csv_rows(chunk, decimal_comma) for chunk in export.chunks(chunk_size))
    return csv_pieces(export.header, rows, separator)


def csv_stream(
    engine: Engine,
    filters: GridFilters,
    *,
    principal: Actor,
    separator: str = ";",
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[bytes]:
    """The filtered set as CSV (UTF-8 with BOM), in pieces of one chunk of rows each. Refuses at
    once (`NotAllowed`) a principal without `orders.export`. With `;` numbers use a decimal comma
    (French Excel), with `,` a decimal point. Dates are in the filters' timezone."""
    if separator not in (";", ","):
        raise ValueError("separator must be ';' or ','")
    return _csv_pieces(_Export(engine, filters, principal, progress), separator, chunk_size)


def export_csv(
    engine: Engine,
    filters: GridFilters,
    out: BinaryIO,
    *,
    principal: Actor,
    separator: str = ";",
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> int:
    """`csv_stream` written to a binary stream; returns the row count."""
    export = _Export(engine, filters, principal, progress)
    if separator not in (";", ","):
        raise ValueError("separator must be ';' or ','")
    for piece in _csv_pieces(export, separator, chunk_size):
        out.write(piece)
    return export.done


def _write_xlsx(export: _Export, out: BinaryIO, chunk_size: int, workdir: str) -> None:
    """The rows as queries.xlsx_sheet writes them, a column at a time (each column's kind decided
    once), XLSX_ROWS at a time (their cells' texts are in memory together); money in its
    currency's number format."""
    sheet = Sheet(out, workdir, _("Orders")[:31], export.header)
    moment = sheet.style(DATE_FORMAT)
    money: dict[Any, int] = {}  # currency -> style
    kinds = [kind for _key, kind in KINDS]
    currency_at = KEYS.index("currency")
    for whole in export.chunks(chunk_size):
        for start in range(0, len(whole), XLSX_ROWS):
            chunk = whole[start : start + XLSX_ROWS]
            columns = export.cells.xlsx_columns(chunk)
            for currency in dict.fromkeys(columns[currency_at]):  # in order of appearance
                if currency not in money:
                    money[currency] = sheet.style(f'#,##0.00 "{safe_text(currency)}"')
            styles = [money[currency] for currency in columns[currency_at]]
            cells = []
            for column, (kind, values) in enumerate(zip(kinds, columns, strict=True)):
                if kind in MONEY_KINDS:
                    cells.append(sheet.numbers(column, values, styles))
                elif kind == "moment":
                    cells.append(sheet.times(column, values, moment))
                elif kind == "number":
                    cells.append(sheet.numbers(column, values))
                else:
                    cells.append(sheet.texts(column, values))
            custom = list(zip(*export.cells.custom(chunk), strict=True))  # rows -> columns
            for offset, values in enumerate(custom, start=len(kinds)):
                cells.append(sheet.texts(offset, [value or None for value in values]))  # "": no cell
            sheet.add_rows(cells)
    sheet.close()


def safe_workbook(out: BinaryIO, workdir: str) -> Any:
    """An xlsxwriter workbook that streams its rows to `workdir` and never turns a text into a
    formula, a link or a number (shared by every XLSX export)."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,  # each row goes to the row file as it is written
            "tmpdir": workdir,
            "strings_to_formulas": False,  # a text is a text, whatever it starts with
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def spooled_pieces(write: Callable[[BinaryIO, str], None], prefix: str) -> Iterator[bytes]:
    """What `write(out, workdir)` produces, in pieces: spooled in memory up to SPOOL_BYTES, then
    on disk, and read back once the workbook is closed (a ZIP is only whole at the end)."""
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as workdir,
        tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool,
    ):
        write(spool, workdir)  # type: ignore[arg-type]
        spool.seek(0)
        while piece := spool.read(PIECE):
            yield piece


def _xlsx_pieces(export: _Export, chunk_size: int) -> Iterator[bytes]:
    return spooled_pieces(lambda out, workdir: _write_xlsx(export, out, chunk_size, workdir), "orders-xlsx-")


def xlsx_stream(
    engine: Engine,
    filters: GridFilters,
    *,
    principal: Actor,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[bytes]:
    """The filtered set as an XLSX workbook, in pieces (see the module's docstring for where it
    is assembled). Refuses at once (`NotAllowed`) a principal without `orders.export`. Money cells
    are numbers with their currency's format; texts are texts, never formulas."""
    return _xlsx_pieces(_Export(engine, filters, principal, progress), chunk_size)


def export_xlsx(
    engine: Engine,
    filters: GridFilters,
    out: BinaryIO,
    *,
    principal: Actor,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> int:
    """`xlsx_stream` written to a binary stream; returns the row count."""
    export = _Export(engine, filters, principal, progress)
    for piece in _xlsx_pieces(export, chunk_size):
        out.write(piece)
    return export.done
