"""The Attendees page's exports (issue 18): exactly the filtered attendees of one event, as CSV
(UTF-8 with BOM, `;` and Excel's French reading by default, or `,`) or XLSX, streamed in pieces
like the grid's exports (queries/export.py, whose streaming and spooling it shares). Only roles
with `attendees.export` may export: both streams refuse any other principal before reading a row;
an event outside the principal's scope exports no row (issue 17).
Every text cell goes through `queries.cells.safe_text` (never a formula); dates are in the
chosen timezone, which the headers name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from orders_core.i18n import N_, _, as_utc
from orders_core.permissions import Actor, require
from orders_core.status import STATUS_LABELS
from queries.attendees import AttendeeFilters, attendee_chunks, attendee_count
from queries.cells import safe_cell, safe_text
from queries.export import CHUNK, Progress, csv_pieces, safe_workbook, spooled_pieces

EXPORT = "attendees.export"
COLUMNS: list[tuple[str, str]] = [
    ("first_name", N_("First name")),
    ("last_name", N_("Last name")),
    ("email", N_("Email")),
    ("tariff", N_("Tariff")),
    ("attendance", N_("Attendance")),
    ("registered_at", N_("Registered on ({zone})")),
    ("cancelled_at", N_("Cancelled on ({zone})")),
    ("order_number", N_("Order number")),
    ("order_status", N_("Order status")),
]
DATES = {"registered_at", "cancelled_at"}


class _Export:
    """What an export needs before its first row, in the caller's context (locale): the
    translated header and labels, the total for the progress callback."""

    def __init__(
        self, engine: Engine, filters: AttendeeFilters, principal: Actor, timezone: str, progress: Progress | None
    ):
        require(principal, EXPORT)
        self.engine, self.filters, self.zone = engine, filters.cleaned(), ZoneInfo(timezone)
        self.principal = principal
        self.header = [safe_text(_(title).format(zone=timezone)) for _key, title in COLUMNS]
        self.keys = [key for key, _title in COLUMNS]
        self.status = {s.value: _(label) for s, label in STATUS_LABELS.items()}
        self.registered, self.cancelled = _("Registered"), _("Cancelled")
        self.progress = progress
        self.total = attendee_count(engine, self.filters, principal=principal) if progress else 0
        self.done = 0

    def _display(self, record: dict[str, Any]) -> dict[str, Any]:
        record["attendance"] = self.cancelled if record["cancelled_at"] is not None else self.registered
        record["order_status"] = self.status.get(record["order_status"], record["order_status"])
        for key in DATES:
            value = record[key]
            record[key] = as_utc(value).astimezone(self.zone).replace(tzinfo=None) if value is not None else None
        return record

    def chunks(self, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
        for chunk in attendee_chunks(self.engine, self.filters, chunk_size, principal=self.principal):
            yield [self._display(record) for record in chunk]
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done, self.total)


def _csv_row(export: _Export, record: dict[str, Any]) -> list[Any]:
    row: list[Any] = []
    for key in export.keys:
        value = record[key]
        if value is None:
            row.append("")
        elif key in DATES:
            row.append(value.strftime("%Y-%m-%d %H:%M:%S"))
        else:
            row.append(safe_cell(value))
    return row


def _csv_pieces(export: _Export, separator: str, chunk_size: int) -> Iterator[bytes]:
    rows = ((_csv_row(export, record) for record in chunk) for chunk in export.chunks(chunk_size))
    return csv_pieces(export.header, rows, separator)


def csv_stream(
    engine: Engine,
    filters: AttendeeFilters,
    *,
    principal: Actor,
    timezone: str,
    separator: str = ";",
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[bytes]:
    """The filtered attendees as CSV in pieces; refuses at once (`NotAllowed`) a principal without
    `attendees.export`."""
    if separator not in (";", ","):
        raise ValueError("separator must be ';' or ','")
    return _csv_pieces(_Export(engine, filters, principal, timezone, progress), separator, chunk_size)


def _write_xlsx(export: _Export, out: BinaryIO, chunk_size: int, workdir: str) -> None:
    workbook = safe_workbook(out, workdir)
    sheet = workbook.add_worksheet(_("Attendees")[:31])
    sheet.freeze_panes(1, 0)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for column, title in enumerate(export.header):
        sheet.write_string(0, column, title, bold)
    row_no = 0
    for chunk in export.chunks(chunk_size):
        for record in chunk:
            row_no += 1
            for column, key in enumerate(export.keys):
                value = record[key]
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(row_no, column, value, date_format)
                elif isinstance(value, int):
                    sheet.write_number(row_no, column, value)
                else:
                    sheet.write_string(row_no, column, safe_text(str(value)))
    workbook.close()


def _xlsx_pieces(export: _Export, chunk_size: int) -> Iterator[bytes]:
    return spooled_pieces(lambda out, workdir: _write_xlsx(export, out, chunk_size, workdir), "attendees-xlsx-")


def xlsx_stream(
    engine: Engine,
    filters: AttendeeFilters,
    *,
    principal: Actor,
    timezone: str,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[bytes]:
    """The filtered attendees as an XLSX workbook in pieces; refuses at once (`NotAllowed`) a
    principal without `attendees.export`. Texts are texts, never formulas."""
    return _xlsx_pieces(_Export(engine, filters, principal, timezone, progress), chunk_size)
