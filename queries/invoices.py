"""Read side of the issued documents (issue 21): finance's Invoices page (filtered by number, issue
date, status, event and kind, with totals per currency) and the Invoices tab of an order.

A document's status is derived, never stored:
- a credit note is `credit_note`;
- an invoice that a credit note corrects (wholly or in part) is `credited`;
- else `paid` when its order received its money (payment state paid, overpaid, partially or
  wholly refunded: the money came in, what went back is the credit notes' business), else
  `unpaid`.

Credit notes store negative amounts, so a total per currency over invoices and credit notes is
what the buyers owe after corrections. Totals are never summed across currencies.

Every function takes the principal: only roles with `invoices.view` read documents (marketers
never do: documents carry buyers' names and addresses), and only the documents of orders of the
principal's events (issue 17): `_conditions` applies the scope, a document of another event
reads like one that does not exist, and the event choice lists only the principal's events."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from orders_core.i18n import DEFAULT_TIMEZONE, as_utc, is_timezone
from orders_core.models import Event, Invoice, Order
from orders_core.payment_state import PaymentState
from orders_core.permissions import Actor, require
from orders_core.scope import event_condition
from queries.sql import money_sum

VIEW = "invoices.view"
STATUSES = ("paid", "unpaid", "credited")
KINDS = ("invoice", "credit_note")
MAX_SEARCH = 60
PAGE_ROWS = 500  # the page shows the newest documents of a filter; the totals cover them all
# The money came in (what went back out is the credit notes' business).
RECEIVED = (PaymentState.PAID, PaymentState.OVERPAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)

DOCUMENT_COLUMNS = [
    "id",
    "number",
    "kind",
    "status",
    "corrects_number",
    "order_id",
    "order_number",
    "event_id",
    "event_name",
    "buyer",
    "issued_at",
    "due_date",
    "currency",
    "total_ht",
    "total_tax",
    "total_ttc",
    "reason",
]
TOTAL_COLUMNS = ["currency", "documents", "total_ht", "total_tax", "total_ttc"]


@dataclass(frozen=True)
class InvoiceFilters:
    """What the Invoices page filters by. Dates are calendar days in `timezone`, both included."""

    search: str = ""  # part of a document number, any case
    issued_from: date | None = None
    issued_to: date | None = None
    status: str = ""  # "", or one of STATUSES
    event_id: int | None = None
    kind: str = ""  # "", or one of KINDS
    timezone: str = DEFAULT_TIMEZONE

    def cleaned(self) -> InvoiceFilters:
        """Unknown statuses, kinds and zones dropped, the search trimmed, the dates in order."""
        start, end = self.issued_from, self.issued_to
        if start is not None and end is not None and start > end:
            start, end = end, start
        return replace(
            self,
            search=self.search.strip()[:MAX_SEARCH],
            status=self.status if self.status in STATUSES else "",
            kind=self.kind if self.kind in KINDS else "",
            issued_from=start,
            issued_to=end,
            timezone=self.timezone if is_timezone(self.timezone) else DEFAULT_TIMEZONE,
        )


def _credited() -> ColumnElement[bool]:
    note = aliased(Invoice)
    return exists(select(note.id).where(note.corrects_id == Invoice.id))


def status_column() -> ColumnElement[str]:
    """The document's status (see the module's docstring), in SQL."""
    return case(
        (Invoice.kind == "credit_note", "credit_note"),
        (_credited(), "credited"),
        (Order.payment_state.in_([s.value for s in RECEIVED]), "paid"),
        else_="unpaid",
    )


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _conditions(filters: InvoiceFilters, principal: Actor) -> list[ColumnElement[bool]]:
    """The filters' conditions and the principal's scope, over `Invoice` joined to its `Order`."""
    f = filters.cleaned()
    conditions: list[ColumnElement[bool]] = [event_condition(Order.event_id, principal)]
    if f.search:
        escaped = f.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(func.lower(Invoice.number).like(f"%{escaped}%", escape="\\"))
    if f.issued_from is not None:
        conditions.append(Invoice.issued_at >= _day_start(f.issued_from, f.timezone))
    if f.issued_to is not None:
        conditions.append(Invoice.issued_at < _day_start(f.issued_to + timedelta(days=1), f.timezone))
    if f.kind:
        conditions.append(Invoice.kind == f.kind)
    if f.event_id is not None:
        conditions.append(Order.event_id == f.event_id)
    if f.status == "credited":
        conditions.append(and_(Invoice.kind == "invoice", _credited()))
    elif f.status == "paid":
        conditions += [Invoice.kind == "invoice", ~_credited(), Order.payment_state.in_([s.value for s in RECEIVED])]
    elif f.status == "unpaid":
        conditions += [Invoice.kind == "invoice", ~_credited(), Order.payment_state.not_in([s.value for s in RECEIVED])]
    return conditions


def _money(value: Any) -> Decimal:
    return Decimal("0.00") if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def buyer_name(buyer: dict[str, Any] | None) -> str:
    """The buyer as the document names them: the company, else the person."""
    buyer = buyer or {}
    return str(buyer.get("company") or buyer.get("name") or "")


@cache
def _documents_query() -> Select[Any]:
    """The documents' statement without its conditions, built once: building it (two aliases
    of the invoices) cost more than running it for one order (issue 19)."""
    corrected = aliased(Invoice)
    return (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            status_column().label("status"),
            corrected.number.label("corrects_number"),
            Invoice.order_id,
            Order.number.label("order_number"),
            Order.event_id,
            Event.name.label("event_name"),
            Invoice.buyer,
            Invoice.issued_at,
            Invoice.due_date,
            Invoice.currency,
            Invoice.total_ht,
            Invoice.total_tax,
            Invoice.total_ttc,
            Invoice.reason,
        )
        .join(Order, Order.id == Invoice.order_id)
        .join(Event, Event.id == Order.event_id)
        .outerjoin(corrected, corrected.id == Invoice.corrects_id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
    )


def _documents(
    engine: Engine, conditions: list[ColumnElement[bool]], limit: int | None, *, oldest_first: bool = False
) -> pd.DataFrame:
    query = _documents_query().where(*conditions)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    records = [
        {
            **row._asdict(),
            "buyer": buyer_name(row.buyer),
            "issued_at": as_utc(row.issued_at),
            "total_ht": _money(row.total_ht),
            "total_tax": _money(row.total_tax),
            "total_ttc": _money(row.total_ttc),
        }
        for row in rows
    ]
    if oldest_first:
        records.reverse()
    return pd.DataFrame(records, columns=DOCUMENT_COLUMNS)


def invoice_list(
    engine: Engine, filters: InvoiceFilters, *, principal: Actor, limit: int | None = PAGE_ROWS
) -> pd.DataFrame:
    """The filtered documents, newest first (at most `limit`): DOCUMENT_COLUMNS, money as Decimal."""
    require(principal, VIEW)
    return _documents(engine, _conditions(filters, principal), limit)


def invoice_totals(engine: Engine, filters: InvoiceFilters, *, principal: Actor) -> pd.DataFrame:
    """Per currency over the whole filtered set: the number of documents and the exact sums of
    HT, VAT and TTC (credit notes count negative). One row a currency, never a grand total."""
    require(principal, VIEW)
    query = (
        select(
            Invoice.currency,
            func.count(Invoice.id).label("documents"),
            money_sum(Invoice.total_ht).label("total_ht"),
            money_sum(Invoice.total_tax).label("total_tax"),
            money_sum(Invoice.total_ttc).label("total_ttc"),
        )
        .join(Order, Order.id == Invoice.order_id)
        .where(*_conditions(filters, principal))
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([row._asdict() for row in rows], columns=TOTAL_COLUMNS)


def invoice_ids(engine: Engine, filters: InvoiceFilters, *, principal: Actor) -> list[int]:
    """The ids of every filtered document, oldest first (what the ZIP of PDFs holds)."""
    require(principal, VIEW)
    query = (
        select(Invoice.id)
        .join(Order, Order.id == Invoice.order_id)
        .where(*_conditions(filters, principal))
        .order_by(Invoice.issued_at, Invoice.id)
    )
    with engine.connect() as conn:
        return list(conn.scalars(query))


def order_documents(engine: Engine, order_id: int, *, principal: Actor) -> pd.DataFrame:
    """The order's invoices and credit notes, oldest first (the order page's Invoices tab)."""
    require(principal, VIEW)
    conditions = [Invoice.order_id == order_id, event_condition(Order.event_id, principal)]
    return _documents(engine, conditions, None, oldest_first=True)


def document_order(engine: Engine, invoice_id: int, *, principal: Actor) -> int | None:
    """The order a document belongs to, or None when there is no such document (the download
    route checks it the way it checks any read: a document out of reach does not exist)."""
    require(principal, VIEW)
    with engine.connect() as conn:
        return conn.scalar(
            select(Invoice.order_id)
            .join(Order, Order.id == Invoice.order_id)
            .where(Invoice.id == invoice_id, event_condition(Order.event_id, principal))
        )


def invoice_events(engine: Engine, *, principal: Actor) -> list[tuple[int, str]]:
    """The principal's events that have documents, by name: the Invoices page's event choice."""
    require(principal, VIEW)
    query = (
        select(Event.id, Event.name)
        .where(
            event_condition(Event.id, principal),
            exists(select(Invoice.id).join(Order, Order.id == Invoice.order_id).where(Order.event_id == Event.id)),
        )
        .order_by(Event.name, Event.id)
    )
    with engine.connect() as conn:
        return [(row.id, row.name) for row in conn.execute(query)]
