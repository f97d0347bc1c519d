"""Invoicing many locked orders at once (bulk validation of invoice orders without an invoice, the
demo's load): the same documents `issue.invoice_for_order` issues one by one, written set-based -
the series' counter moved once for all of them (numbers consecutive in order-id order, gapless,
given back by a rollback), the invoices inserted in one multi-row statement returning their ids,
their lines and their `invoice_issued` history entries in one insert each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders_core import bulk
from orders_core.documents.issue import _buyer, _event, cents
from orders_core.documents.numbering import format_numbers, series_of
from orders_core.documents.seller import require_complete, seller_settings, seller_snapshot
from orders_core.models import Counter, Event, Invoice, Order, OrderLine
from orders_core.payment_terms import local_day
from orders_core.permissions import Actor
from orders_core.services.guards import id_chunks

ZERO = Decimal("0.00")
# What an invoice copies from its order and its lines (issue._buyer reads the buyer's columns).
ORDER_COLUMNS = (
    Order.id,
    Order.event_id,
    Order.number,
    Order.due_date,
    Order.currency,
    Order.language,
    Order.buyer_first_name,
    Order.buyer_last_name,
    Order.company_name,
    Order.billing_address,
    Order.billing_postcode,
    Order.billing_city,
    Order.billing_country,
    Order.buyer_email,
    Order.vat_number,
)
LINE_COLUMNS = (
    OrderLine.id,
    OrderLine.order_id,
    OrderLine.name,
    OrderLine.quantity,
    OrderLine.unit_price_ht,
    OrderLine.discount_amount,
    OrderLine.tax_rate,
    OrderLine.total_ht,
    OrderLine.total_ttc,
)


def _reserve(session: Session, name: str, count: int) -> int:
    """Move the counter `name` on by `count` under its row lock; returns the first value taken."""
    statement = update(Counter).where(Counter.name == name).values(value=Counter.value + count).returning(Counter.value)
    last = session.execute(statement).scalar_one_or_none()
    if last is None:
        try:
            with session.begin_nested():  # another transaction may create the row at the same time
                session.execute(insert(Counter).values(name=name, value=0))
        except IntegrityError:
            pass
        last = session.execute(statement).scalar_one()
    return int(last) - count + 1


def invoice_orders(session: Session, order_ids: Sequence[int], *, actor: Actor, now: datetime) -> list[int]:
    """Issue the invoice of each of these locked orders (the caller chose them: none has a
    standing invoice, each bills something); returns the invoices' ids, in order-id order."""
    ids = sorted(set(order_ids))
    if not ids:
        return []
    settings = seller_settings(session)
    require_complete(settings)
    seller = seller_snapshot(settings)
    pattern = settings.invoice_pattern
    series = series_of(pattern, now.date())
    # Plain rows, not ORM objects: the columns a document copies (several times faster at 10,000).
    orders: dict[int, Any] = {}
    lines: dict[int, list[Any]] = {}
    for _part, condition in id_chunks(session, Order.id, ids):
        orders.update({o.id: o for o in session.execute(select(*ORDER_COLUMNS).where(condition))})
    for _part, condition in id_chunks(session, OrderLine.order_id, ids):
        for line in session.execute(select(*LINE_COLUMNS).where(condition).order_by(OrderLine.id)):
            lines.setdefault(line.order_id, []).append(line)
    ids = [i for i in ids if lines.get(i)]  # an order without lines bills nothing
    if not ids:
        return []
    events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_({orders[i].event_id for i in ids})))}
    first = _reserve(session, f"invoice:{series}", len(ids))
    numbers = format_numbers(pattern, now.date(), range(first, first + len(ids)))
    # What an invoice copies from its event, once per event (shared by its orders' rows).
    event_snapshots = {event_id: _event(event) for event_id, event in events.items()}
    service_days = {event_id: local_day(event.starts_at, event.timezone) for event_id, event in events.items()}
    rows: list[dict[str, Any]] = []
    for number, order_id in zip(numbers, ids, strict=True):
        order, event = orders[order_id], events[orders[order_id].event_id]
        billed = lines[order_id]
        rows.append(
            dict(
                number=number,
                series=series,
                kind="invoice",
                order_id=order_id,
                corrects_id=None,
                issued_at=now,
                issued_by=actor.label,
                due_date=order.due_date,
                service_date=service_days[event.id],
                currency=order.currency,
                total_ht=sum((cents(line.total_ht) for line in billed), ZERO),
                total_tax=sum((cents(line.total_ttc) - cents(line.total_ht) for line in billed), ZERO),
                total_ttc=sum((cents(line.total_ttc) for line in billed), ZERO),
                language=order.language or "fr",
                payment_reference=str(order.number),  # as issue.py: the order number the emails ask for
                reason="",
                seller=seller,
                buyer=_buyer(order),
                event=event_snapshots[event.id],
            )
        )
    # COPY on PostgreSQL (a multi-row INSERT ... RETURNING of three JSON snapshots a row is several
    # times slower), then the new ids read back by their numbers.
    bulk.insert_rows(session.connection(), "invoices", rows)
    issued = {row["number"] for row in rows}
    invoice_of: dict[int, int] = {}
    for _part, condition in id_chunks(session, Invoice.order_id, ids):
        query = select(Invoice.id, Invoice.order_id, Invoice.number).where(
            condition, Invoice.kind == "invoice", Invoice.series == series
        )
        invoice_of.update({order_id: id_ for id_, order_id, number in session.execute(query) if number in issued})
    line_rows = [
        dict(
            invoice_id=invoice_of[order_id],
            position=position,
            order_line_id=line.id,
            description=line.name,
            quantity=line.quantity,
            unit_price_ht=cents(line.unit_price_ht),
            discount_ht=cents(line.discount_amount),
            tax_rate=line.tax_rate,
            total_ht=cents(line.total_ht),
            total_tax=cents(line.total_ttc) - cents(line.total_ht),
            total_ttc=cents(line.total_ttc),
        )
        for order_id in ids
        for position, line in enumerate(lines[order_id], start=1)
    ]
    bulk.insert_rows(session.connection(), "invoice_lines", line_rows)
    history = [
        dict(
            order_id=row["order_id"],
            at=now,
            actor=actor.email,
            action="invoice_issued",
            details={"number": row["number"], "total_ttc": str(row["total_ttc"]), "currency": row["currency"]},
            reason=None,
        )
        for row in rows
    ]
    bulk.insert_rows(session.connection(), "order_history", history)
    return [invoice_of[i] for i in ids]
