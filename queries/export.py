"""Exports of exactly the grid's filtered set (all pages): CSV for French Excel (UTF-8 with BOM,
`;` and decimal comma by default, or `,` and decimal point) and XLSX with real numeric money
cells. Only roles with `orders.export` may export: `csv_stream` and `xlsx_stream` refuse any
other principal before reading a row. Issue 17: the principal's events only, and the buyer's
names, email and company masked for a principal who may not see people (as in the grid).

Streaming, no leftover file, no full copy in memory:
- CSV: rows come from a server-side cursor in chunks; each chunk is encoded and yielded as it
  comes (the `/export/orders.csv` route of web/exports.py hands the pieces to the download).
- XLSX is a zip archive whose directory is written last, so it cannot be sent before the last
  row. xlsxwriter in `constant_memory` mode writes each row as it comes to its row file, then
  assembles the workbook into a `SpooledTemporaryFile` (memory up to `SPOOL_BYTES`, then an
  anonymous file the system deletes on close), which is yielded in pieces. xlsxwriter's own
  working files live in a private temporary folder removed when the export ends, even when the
  download is cancelled.

Every text cell goes through `queries.cells.safe_text` (formula injection, control characters);
money and counts stay numbers."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from orders_core.i18n import N_, _, as_utc
from orders_core.models import Event, Order, OrderLine
from orders_core.payment_state import PAYMENT_STATE_LABELS, balance_due
from orders_core.permissions import Actor, require
from orders_core.scope import personal
from orders_core.status import PAYMENT_MODE_LABELS, SOURCE_LABELS, STATUS_LABELS
from queries.cells import safe_cell, safe_text
from queries.custom_values import custom_columns, custom_values_of
from queries.grid import GridFilters, filter_conditions, grid_count_and_totals
from queries.sql import AnySelect, refunded_sum

Progress = Callable[[int, int], None]
CHUNK = 10_000
SPOOL_BYTES = 8 * 1024 * 1024  # an XLSX bigger than this spills to an anonymous file
PIECE = 64 * 1024  # bytes per piece of a streamed XLSX
EXPORT = "orders.export"

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
DATES = {"paid_at", "created_at", "deleted_at"}


def headers(timezone: str | None = None) -> list[str]:
    """The column titles; the times' columns name the zone they are written in (issue 18 item 5)."""
    return [
        _("{column} ({zone})").format(column=_(label), zone=timezone) if timezone and key in DATES else _(label)
        for key, label in COLUMNS
    ]


def _query(filters: GridFilters, principal: Actor) -> AnySelect:
    lines = select(func.count()).select_from(OrderLine).where(OrderLine.order_id == Order.id).scalar_subquery()
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
        )
        .join(Event, Event.id == Order.event_id)
        .where(*filter_conditions(filters, principal=principal))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def export_chunks(
    engine: Engine, filters: GridFilters, chunk_size: int = CHUNK, *, principal: Actor
) -> Iterator[list[dict[str, Any]]]:
    """The filtered orders, newest first, as lists of at most `chunk_size` rows (dicts keyed as
    COLUMNS, money Decimal, balance_due computed exactly, `custom`: the order's custom form values
    by column key). Server-side cursor: bounded memory."""
    with engine.connect() as conn, engine.connect() as values_conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(_query(filters, principal))
        for partition in result.mappings().partitions(chunk_size):
            rows = []
            for row in partition:
                record = dict(row)
                paid = record["amount_paid"] + (record.pop("refunded") or 0)
                record["balance_due"] = balance_due(total=record["total_ttc"], paid=paid)
                rows.append(record)
            custom = custom_values_of(values_conn, [r["order_id"] for r in rows], principal=principal)
            for record in rows:
                record["custom"] = custom.get(record["order_id"], {})
            yield rows


def _custom_columns(engine: Engine, filters: GridFilters, principal: Actor) -> list[tuple[str, str]]:
    """The custom form fields of the exported events (all the principal's events when not
    filtered by event)."""
    return custom_columns(engine, list(filters.event_ids) or None, principal=principal)


class _Labels:
    """Translated labels computed once per export, not once per row."""

    def __init__(self) -> None:
        self.status = {s.value: _(label) for s, label in STATUS_LABELS.items()}
        self.mode = {m.value: _(label) for m, label in PAYMENT_MODE_LABELS.items()}
        self.payment_state = {s.value: _(label) for s, label in PAYMENT_STATE_LABELS.items()}
        self.source = {s.value: _(label) for s, label in SOURCE_LABELS.items()}
        self.yes, self.no = _("Yes"), _("No")


def _display(record: dict[str, Any], labels: _Labels, zone: ZoneInfo) -> dict[str, Any]:
    record["status"] = labels.status.get(record["status"], record["status"])
    record["payment_mode"] = labels.mode.get(record["payment_mode"], record["payment_mode"])
    record["payment_state"] = labels.payment_state.get(record["payment_state"], record["payment_state"])
    record["source"] = labels.source.get(record["source"], record["source"])
    record["terms_accepted"] = labels.yes if record["terms_accepted"] else labels.no
    # A calendar day in the event's timezone (never shifted): ISO, as accounting tools read it.
    record["due_date"] = record["due_date"].isoformat() if record["due_date"] is not None else None
    for key in DATES:
        value = record[key]
        record[key] = as_utc(value).astimezone(zone).replace(tzinfo=None) if value is not None else None
    return record


def _total(engine: Engine, filters: GridFilters, principal: Actor) -> int:
    return grid_count_and_totals(engine, filters, principal=principal)[0]


class _Export:
    """What an export needs before its first row, computed in the caller's context (locale):
    the translated header and labels, the custom columns, the total for the progress bar."""

    def __init__(self, engine: Engine, filters: GridFilters, principal: Actor, progress: Progress | None):
        require(principal, EXPORT)
        self.engine, self.filters, self.principal = engine, filters, principal
        self.extra = _custom_columns(engine, filters, principal)
        self.header = [safe_text(title) for title in headers(filters.timezone) + [label for _key, label in self.extra]]
        self.labels, self.zone = _Labels(), ZoneInfo(filters.timezone)
        self.keys = [key for key, _label in COLUMNS]
        self.progress = progress
        self.total = _total(engine, filters, principal) if progress else 0
        self.done = 0

    def chunks(self, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        """The rows ready to write (labels, local dates), one chunk at a time; counts them."""
        for chunk in export_chunks(self.engine, self.filters, chunk_size, principal=self.principal):
            yield [_display(record, self.labels, self.zone) for record in chunk]
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done, self.total)

    def custom(self, record: dict[str, Any]) -> list[Any]:
        return [safe_cell(record["custom"].get(key, "")) for key, _label in self.extra]


def _csv_row(export: _Export, record: dict[str, Any], decimal_comma: bool) -> list[Any]:
    row: list[Any] = []
    for key in export.keys:
        value = record[key]
        if value is None:
            row.append("")
        elif key in MONEY:
            row.append(f"{value:.2f}".replace(".", ",") if decimal_comma else f"{value:.2f}")
        elif key in DATES:
            row.append(value.strftime("%Y-%m-%d %H:%M:%S"))
        else:
            row.append(safe_cell(value))
    return row + export.custom(record)


def csv_pieces(header: list[str], chunks: Iterable[Iterable[list[Any]]], separator: str) -> Iterator[bytes]:
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


def _csv_pieces(export: _Export, separator: str, chunk_size: int) -> Iterator[bytes]:
    decimal_comma = separator == ";"
    rows = ((_csv_row(export, record, decimal_comma) for record in chunk) for chunk in export.chunks(chunk_size))
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
    workbook = safe_workbook(out, workdir)
    sheet = workbook.add_worksheet(_("Orders")[:31])
    sheet.freeze_panes(1, 0)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    money_formats: dict[str, object] = {}
    for column, title in enumerate(export.header):
        sheet.write_string(0, column, title, bold)
    row_no = 0
    for chunk in export.chunks(chunk_size):
        for record in chunk:
            row_no += 1
            currency = record["currency"]
            if currency not in money_formats:
                money_formats[currency] = workbook.add_format({"num_format": f'#,##0.00 "{safe_text(currency)}"'})
            for column, key in enumerate(export.keys):
                value = record[key]
                if value is None:
                    continue
                if key in MONEY:
                    sheet.write_number(row_no, column, float(Decimal(value)), money_formats[currency])
                elif key in DATES and isinstance(value, datetime):
                    sheet.write_datetime(row_no, column, value, date_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_no, column, value)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(row_no, column, float(value))
                else:
                    sheet.write_string(row_no, column, safe_text(str(value)))
            for offset, value in enumerate(export.custom(record), start=len(export.keys)):
                if value not in (None, ""):
                    sheet.write_string(row_no, offset, str(value))
    workbook.close()


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
