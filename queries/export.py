"""Exports of exactly the grid's filtered set (all pages): CSV for French Excel (UTF-8 with BOM,
`;` and decimal comma by default, or `,` and decimal point) and XLSX with real numeric money
cells. Rows are streamed from a server-side cursor in chunks and written as they come, so a
million-row export never holds the set in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from orders_core.i18n import N_, _, as_utc
from orders_core.models import Event, Order, OrderLine
from orders_core.status import PAYMENT_MODE_LABELS, SOURCE_LABELS, STATUS_LABELS
from queries.custom_values import custom_columns, custom_values_of
from queries.grid import GridFilters, grid_count_and_totals
from queries.grid import _conditions as filter_conditions

Progress = Callable[[int, int], None]
CHUNK = 10_000

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


def headers() -> list[str]:
    return [_(label) for _key, label in COLUMNS]


def _query(filters: GridFilters):
    lines = select(func.count()).select_from(OrderLine).where(OrderLine.order_id == Order.id).scalar_subquery()
    return (
        select(
            Order.number,
            lines.label("lines"),
            Order.buyer_first_name,
            Order.buyer_last_name,
            Order.buyer_email,
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
            Event.name.label("event_name"),
            Order.source,
            Order.company_name,
            Order.utm_source,
            Order.utm_medium,
            Order.utm_campaign,
            Order.deleted_at,
            Order.id.label("order_id"),
        )
        .join(Event, Event.id == Order.event_id)
        .where(*filter_conditions(filters))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def export_chunks(engine: Engine, filters: GridFilters, chunk_size: int = CHUNK) -> Iterator[list[dict]]:
    """The filtered orders, newest first, as lists of at most `chunk_size` rows (dicts keyed as
    COLUMNS, money Decimal, balance_due computed exactly, `custom`: the order's custom form values
    by column key). Server-side cursor: bounded memory."""
    with engine.connect() as conn, engine.connect() as values_conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(_query(filters))
        for partition in result.mappings().partitions(chunk_size):
            rows = []
            for row in partition:
                record = dict(row)
                record["balance_due"] = record["total_ttc"] - record["amount_paid"]
                rows.append(record)
            custom = custom_values_of(values_conn, [r["order_id"] for r in rows])
            for record in rows:
                record["custom"] = custom.get(record["order_id"], {})
            yield rows


def _custom_columns(engine: Engine, filters: GridFilters) -> list[tuple[str, str]]:
    """The custom form fields of the exported events (all events when not filtered by event)."""
    return custom_columns(engine, list(filters.event_ids) or None)


class _Labels:
    """Translated labels computed once per export, not once per row."""

    def __init__(self):
        self.status = {s.value: _(label) for s, label in STATUS_LABELS.items()}
        self.mode = {m.value: _(label) for m, label in PAYMENT_MODE_LABELS.items()}
        self.source = {s.value: _(label) for s, label in SOURCE_LABELS.items()}
        self.yes, self.no = _("Yes"), _("No")


def _display(record: dict, labels: _Labels, zone: ZoneInfo) -> dict:
    record["status"] = labels.status.get(record["status"], record["status"])
    record["payment_mode"] = labels.mode.get(record["payment_mode"], record["payment_mode"])
    record["source"] = labels.source.get(record["source"], record["source"])
    record["terms_accepted"] = labels.yes if record["terms_accepted"] else labels.no
    for key in DATES:
        value = record[key]
        record[key] = as_utc(value).astimezone(zone).replace(tzinfo=None) if value is not None else None
    return record


def _total(engine: Engine, filters: GridFilters) -> int:
    return grid_count_and_totals(engine, filters)[0]


def export_csv(
    engine: Engine,
    filters: GridFilters,
    out: BinaryIO,
    *,
    separator: str = ";",
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> int:
    """Write the filtered set as CSV (UTF-8 with BOM) to a binary stream; returns the row count.
    With `;` numbers use a decimal comma (French Excel), with `,` a decimal point. Dates are in
    the filters' timezone."""
    if separator not in (";", ","):
        raise ValueError("separator must be ';' or ','")
    decimal_comma = separator == ";"
    total = _total(engine, filters) if progress else 0
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=separator, quoting=csv.QUOTE_MINIMAL)
    extra = _custom_columns(engine, filters)
    writer.writerow(headers() + [label for _key, label in extra])
    labels, zone, done = _Labels(), ZoneInfo(filters.timezone), 0
    keys = [key for key, _label in COLUMNS]
    for chunk in export_chunks(engine, filters, chunk_size):
        rows = []
        for record in chunk:
            record = _display(record, labels, zone)
            row = []
            for key in keys:
                value = record[key]
                if value is None:
                    row.append("")
                elif key in MONEY:
                    row.append(f"{value:.2f}".replace(".", ",") if decimal_comma else f"{value:.2f}")
                elif key in DATES:
                    row.append(value.strftime("%Y-%m-%d %H:%M:%S"))
                else:
                    row.append(value)
            row.extend(record["custom"].get(key, "") for key, _label in extra)
            rows.append(row)
        writer.writerows(rows)
        done += len(chunk)
        if progress:
            progress(done, total)
    text.flush()
    text.detach()  # leave the caller's stream open
    return done


def export_xlsx(
    engine: Engine,
    filters: GridFilters,
    out: BinaryIO | str,
    *,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> int:
    """Write the filtered set as an XLSX workbook (openpyxl write-only mode: rows go to disk as
    they come). Money cells are numbers with a currency format; returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    total = _total(engine, filters) if progress else 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Orders"))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    extra = _custom_columns(engine, filters)
    header = []
    for title in headers() + [label for _key, label in extra]:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    labels, zone, done = _Labels(), ZoneInfo(filters.timezone), 0
    keys = [key for key, _label in COLUMNS]
    formats: dict[str, str] = {}
    for chunk in export_chunks(engine, filters, chunk_size):
        for record in chunk:
            record = _display(record, labels, zone)
            currency = record["currency"]
            money_format = formats.setdefault(currency, f'#,##0.00 "{currency}"')
            row = []
            for key in keys:
                value = record[key]
                if key in MONEY and value is not None:
                    cell = WriteOnlyCell(sheet, value=Decimal(value))
                    cell.number_format = money_format
                    row.append(cell)
                elif key in DATES and isinstance(value, datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    row.append(cell)
                else:
                    row.append(value)
            row.extend(record["custom"].get(key, "") for key, _label in extra)
            sheet.append(row)
        done += len(chunk)
        if progress:
            progress(done, total)
    workbook.save(out)
    return done
