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
from sqlalchemy import Engine, select

from orders_core.i18n import N_, _, as_utc
from orders_core.models import Invoice, InvoiceLine, Order
from orders_core.permissions import Actor, require
from queries.cells import safe_text
from queries.export import csv_pieces
from queries.invoices import VIEW, InvoiceFilters, _conditions, buyer_name
from queries.sql import money_sum

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


def sales_journal(engine: Engine, filters: InvoiceFilters, *, actor: Actor) -> pd.DataFrame:
    """JOURNAL_COLUMNS, oldest document first then by rate: the issue date is the calendar day
    in the filters' zone, the rate and amounts exact Decimals."""
    require(actor, VIEW)
    zone = ZoneInfo(filters.cleaned().timezone)
    query = (
        select(
            Invoice.id,
            Invoice.issued_at,
            Invoice.number,
            Invoice.kind,
            Invoice.buyer,
            Invoice.currency,
            InvoiceLine.tax_rate,
            money_sum(InvoiceLine.total_ht).label("total_ht"),
            money_sum(InvoiceLine.total_tax).label("total_tax"),
            money_sum(InvoiceLine.total_ttc).label("total_ttc"),
        )
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Order, Order.id == Invoice.order_id)
        .where(*_conditions(filters))
        # PostgreSQL reads the document's other columns through its primary key (and cannot
        # group by a JSON column such as the buyer).
        .group_by(Invoice.id, InvoiceLine.tax_rate)
        .order_by(Invoice.issued_at, Invoice.id, InvoiceLine.tax_rate)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    records = [
        {
            "issued_on": as_utc(row.issued_at).astimezone(zone).date(),
            "number": row.number,
            "kind": row.kind,
            "buyer": buyer_name(row.buyer),
            "currency": row.currency,
            "tax_rate": Decimal(str(row.tax_rate)).normalize(),
            "total_ht": row.total_ht,
            "total_tax": row.total_tax,
            "total_ttc": row.total_ttc,
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=JOURNAL_COLUMNS)


def _number(value: Decimal, decimal_comma: bool) -> str:
    text = f"{value:f}"
    return text.replace(".", ",") if decimal_comma else text


def _row(record: dict[Any, Any], decimal_comma: bool) -> list[str]:
    return [
        record["issued_on"].isoformat(),
        safe_text(record["number"]),
        safe_text(_(KIND_LABELS[record["kind"]])),
        safe_text(record["buyer"]),
        safe_text(record["currency"]),
        _number(record["tax_rate"], decimal_comma),
        *(_number(record[key].quantize(Decimal("0.01")), decimal_comma) for key in MONEY),
    ]


def journal_csv(engine: Engine, filters: InvoiceFilters, *, actor: Actor, separator: str = ";") -> Iterator[bytes]:
    """The journal as CSV pieces; refuses (`NotAllowed`) a role without `invoices.view` before
    reading a row."""
    if separator not in (";", ","):
        raise ValueError("separator must be ';' or ','")
    journal = sales_journal(engine, filters, actor=actor)
    decimal_comma = separator == ";"
    rows = [_row(record, decimal_comma) for record in journal.to_dict("records")]
    return csv_pieces([safe_text(_(h)) for h in HEADERS], [rows], separator)
