"""The sales journal for the accountant (issue 21): one row per document and VAT rate, over the
Invoices page's filtered set, with HT, VAT and TTC summed exactly in SQL (`money_sum`); credit
notes come negative, as the database stores them, so a column's sum is the period's net.

As CSV: UTF-8 with a BOM, `;` and a decimal comma by default (French Excel) or `,` and a decimal
point; texts pass through `queries.cells.safe_text` (a buyer named `=HYPERLINK(...)` stays text),
amounts are numbers we write ourselves."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, func, select

from orders_core.i18n import N_, _, as_utc
from orders_core.models import Invoice, InvoiceLine, Order
from orders_core.permissions import Actor, require
from queries.cells import safe_text
from queries.export import csv_pieces
from queries.invoices import VIEW, InvoiceFilters, _conditions
from queries.sql import AnySelect, money_sum

JOURNAL_COLUMNS = ["issued_on", "number", "kind", "buyer", "currency", "tax_rate", "total_ht", "total_tax", "total_ttc"]
HEADERS = [
    N_("Date"),
    N_("Document number"),
    N_("Kind"),
    N_("Buyer"),
    N_("Currency"),
    N_("VAT rate (%)"),
    N_("Total excl. tax"),
    N_("VAT"),
    N_("Total incl. tax"),
]
KIND_LABELS = {"invoice": N_("Invoice"), "credit_note": N_("Credit note")}
MONEY = ("total_ht", "total_tax", "total_ttc")
CHUNK = 5_000


def _lines_summed(filters: InvoiceFilters, principal: Actor, *columns: Any) -> AnySelect:
    """`columns` then HT, VAT and TTC summed over the lines of the filtered documents (the caller
    groups): the journal and its per-rate totals read the same rows."""
    return (
        select(*columns, *(money_sum(getattr(InvoiceLine, key)).label(key) for key in MONEY))
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Order, Order.id == Invoice.order_id)
        .where(*_conditions(filters, principal))
    )


def _query(filters: InvoiceFilters, principal: Actor) -> AnySelect:
    company = func.nullif(Invoice.buyer["company"].as_string(), "")
    return (
        _lines_summed(
            filters,
            principal,
            Invoice.id,
            Invoice.issued_at,
            Invoice.number,
            Invoice.kind,
            func.coalesce(company, Invoice.buyer["name"].as_string(), "").label("buyer"),
            Invoice.currency,
            InvoiceLine.tax_rate,
        )
        # PostgreSQL reads the document's other columns through its primary key (it cannot group
        # by a JSON column such as the buyer).
        .group_by(Invoice.id, InvoiceLine.tax_rate)
        .order_by(Invoice.issued_at, Invoice.id, InvoiceLine.tax_rate)
    )


def _chunks(
    engine: Engine, filters: InvoiceFilters, principal: Actor, chunk_size: int
) -> Iterator[list[dict[str, Any]]]:
    """The journal's records (JOURNAL_COLUMNS), a chunk at a time from a server-side cursor."""
    zone = ZoneInfo(filters.cleaned().timezone)
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk_size).execute(_query(filters, principal))
        for rows in result.partitions():
            yield [
                {
                    "issued_on": as_utc(row.issued_at).astimezone(zone).date(),
                    "number": row.number,
                    "kind": row.kind,
                    "buyer": row.buyer,
                    "currency": row.currency,
                    "tax_rate": Decimal(str(row.tax_rate)).normalize(),
                    "total_ht": row.total_ht,
                    "total_tax": row.total_tax,
                    "total_ttc": row.total_ttc,
                }
                for row in rows
            ]


def sales_journal(engine: Engine, filters: InvoiceFilters, *, principal: Actor) -> pd.DataFrame:
    """JOURNAL_COLUMNS, oldest document first then by rate: the issue date is the calendar day
    in the filters' zone, the rate and amounts exact Decimals."""
    require(principal, VIEW)
    records = [record for chunk in _chunks(engine, filters, principal, CHUNK) for record in chunk]
    return pd.DataFrame(records, columns=JOURNAL_COLUMNS)


def _number(value: Decimal, decimal_comma: bool) -> str:
    text = f"{value:f}"
    return text.replace(".", ",") if decimal_comma else text


def _row(record: dict[str, Any], decimal_comma: bool) -> list[str]:
    return [
        record["issued_on"].isoformat(),
        safe_text(record["number"]),
        safe_text(_(KIND_LABELS[record["kind"]])),
        safe_text(record["buyer"]),
        safe_text(record["currency"]),
        _number(record["tax_rate"], decimal_comma),
        *(_number(record[key].quantize(Decimal("0.01")), decimal_comma) for key in MONEY),
    ]


def journal_csv(
    engine: Engine, filters: InvoiceFilters, *, principal: Actor, separator: str = ";", chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """The journal as CSV pieces, one a chunk of rows, streamed from the database; refuses at once
    (`NotAllowed`) a role without `invoices.view`, before reading a row."""
    if separator not in (";", ","):
        raise ValueError("separator must be ';' or ','")
    require(principal, VIEW)
    decimal_comma = separator == ";"
    rows = (
        [_row(record, decimal_comma) for record in chunk] for chunk in _chunks(engine, filters, principal, chunk_size)
    )
    return csv_pieces([safe_text(_(h)) for h in HEADERS], rows, separator)


VAT_COLUMNS = ["currency", "tax_rate", "total_ht", "total_tax", "total_ttc"]


def vat_totals(engine: Engine, filters: InvoiceFilters, *, principal: Actor) -> pd.DataFrame:
    """The journal's sums per currency and VAT rate (credit notes netted): what the VAT return
    of the period takes, exact Decimals, one row per (currency, rate), never across currencies."""
    require(principal, VIEW)
    query = (
        _lines_summed(filters, principal, Invoice.currency, InvoiceLine.tax_rate)
        .group_by(Invoice.currency, InvoiceLine.tax_rate)
        .order_by(Invoice.currency, InvoiceLine.tax_rate)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(
        [{**row._asdict(), "tax_rate": Decimal(str(row.tax_rate)).normalize()} for row in rows], columns=VAT_COLUMNS
    )
