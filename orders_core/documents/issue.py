"""Issuing invoices and credit notes. A document is issued in the transaction of the change that
asks for it (the order is locked by then), with its gapless number, and never changes after:
a correction is a credit note naming the invoice it corrects, then a new invoice while the order
still stands. PDFs are not rendered here (orders_core/documents/files.py renders them later).

Credit notes store negative amounts; `quantities` of a partial credit note are positive units of
the invoice's lines. What an invoice still bills is its lines less the units credited so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core import history
from orders_core.documents.numbering import next_number
from orders_core.documents.seller import require_complete, seller_settings, seller_snapshot
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.i18n import _
from orders_core.inputs import NOTE_LIMIT, clean_text
from orders_core.models import Event, Invoice, InvoiceLine, Order, OrderLine
from orders_core.payment_terms import local_day
from orders_core.permissions import Actor, require
from orders_core.services.guards import lock_by_id
from orders_core.status import Status

CENT = Decimal("0.01")
# An order in these states bills nothing: its invoice is credited, none is issued.
NOT_BILLED = {Status.CANCELLED, Status.CART_INCOMPLETE, Status.FAILED}


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Remaining:
    """What one invoice line still bills: its units and amounts less what was credited."""

    line: InvoiceLine
    quantity: int
    total_ht: Decimal
    total_tax: Decimal
    total_ttc: Decimal


def documents_of(session: Session, order_id: int) -> list[Invoice]:
    """The order's invoices and credit notes, oldest first."""
    return list(session.scalars(select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id)))


def remaining_lines(session: Session, invoice: Invoice) -> list[Remaining]:
    """Each line of `invoice` with what its credit notes have not yet taken back."""
    credited: dict[int, list[InvoiceLine]] = {}
    credit_notes = session.scalars(select(Invoice).where(Invoice.corrects_id == invoice.id)).all()
    for note in credit_notes:
        for line in note.lines:
            credited.setdefault(line.position, []).append(line)
    remaining = []
    for line in invoice.lines:
        taken = credited.get(line.position, [])
        remaining.append(
            Remaining(
                line=line,
                quantity=line.quantity - sum(t.quantity for t in taken),
                total_ht=line.total_ht + sum((t.total_ht for t in taken), Decimal("0")),
                total_tax=line.total_tax + sum((t.total_tax for t in taken), Decimal("0")),
                total_ttc=line.total_ttc + sum((t.total_ttc for t in taken), Decimal("0")),
            )
        )
    return remaining


def standing_invoice(session: Session, order_id: int) -> Invoice | None:
    """The order's latest invoice that its credit notes have not fully taken back, if any."""
    for invoice in reversed(documents_of(session, order_id)):
        if invoice.kind == "invoice" and any(
            r.total_ttc != 0 or r.quantity > 0 for r in remaining_lines(session, invoice)
        ):
            return invoice
    return None


def _buyer(order: Order) -> dict[str, Any]:
    name = f"{order.buyer_first_name} {order.buyer_last_name}".strip()
    return {
        "name": name,
        "company": order.company_name,
        "address": order.billing_address,
        "postcode": order.billing_postcode,
        "city": order.billing_city,
        "country": order.billing_country,
        "email": order.buyer_email,
        "vat_number": order.vat_number,
        "is_business": bool(order.company_name or order.vat_number),
    }


def _event(event: Event) -> dict[str, Any]:
    return {
        "name": event.name,
        "starts_at": event.starts_at.isoformat(),
        "timezone": event.timezone,
        "venue": event.venue,
    }


def _new_document(
    session: Session, *, order: Order, actor: Actor, kind: str, now: datetime, corrects: Invoice | None, reason: str
) -> Invoice:
    settings = seller_settings(session)
    require_complete(settings)
    pattern = settings.invoice_pattern if kind == "invoice" else settings.credit_note_pattern
    series, number = next_number(session, pattern, now.date())
    event = session.get(Event, order.event_id)
    assert event is not None
    document = Invoice(
        number=number,
        series=series,
        kind=kind,
        order_id=order.id,
        corrects_id=corrects.id if corrects is not None else None,
        issued_at=now,
        issued_by=actor.label,
        due_date=order.due_date if kind == "invoice" else None,
        service_date=local_day(event.starts_at, event.timezone),  # the event's own calendar day
        currency=order.currency,
        total_ht=Decimal("0"),
        total_tax=Decimal("0"),
        total_ttc=Decimal("0"),
        language=order.language or "fr",
        # what the buyer quotes on the transfer: the order number, as the payment emails say
        payment_reference=str(order.number) if kind == "invoice" else (corrects.number if corrects else ""),
        reason=reason,
        seller=seller_snapshot(settings),
        buyer=corrects.buyer if corrects is not None else _buyer(order),
        event=corrects.event if corrects is not None else _event(event),
    )
    return document


def _add_lines(session: Session, document: Invoice, lines: list[InvoiceLine]) -> None:
    """Store the document with its lines and totals (the lines' positions already set)."""
    document.total_ht = sum((line.total_ht for line in lines), Decimal("0"))
    document.total_tax = sum((line.total_tax for line in lines), Decimal("0"))
    document.total_ttc = sum((line.total_ttc for line in lines), Decimal("0"))
    session.add(document)
    session.flush()  # the document's id
    for line in lines:
        line.invoice_id = document.id
        session.add(line)
    session.flush()
    session.refresh(document, ["lines"])


def invoice_for_order(session: Session, order: Order, *, actor: Actor, now: datetime | None = None) -> Invoice:
    """Issue the invoice of what the (locked) order bills now. For services that already checked
    the actor and locked the order: the wizard, validation, payment, reissue after a change."""
    now = now or datetime.now(UTC)
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    if not lines:
        raise TransitionRefused(_("Order {number} has no lines to invoice.").format(number=order.number))
    document = _new_document(session, order=order, actor=actor, kind="invoice", now=now, corrects=None, reason="")
    invoice_lines = [
        InvoiceLine(
            position=position,
            order_line_id=line.id,
            description=line.name,
            quantity=line.quantity,
            unit_price_ht=line.unit_price_ht,
            discount_ht=line.discount_amount,
            tax_rate=line.tax_rate,
            total_ht=line.total_ht,
            total_tax=line.total_ttc - line.total_ht,
            total_ttc=line.total_ttc,
        )
        for position, line in enumerate(lines, start=1)
    ]
    _add_lines(session, document, invoice_lines)
    history.record(
        session,
        order_id=order.id,
        actor=actor,
        action="invoice_issued",
        details={"number": document.number, "total_ttc": str(document.total_ttc), "currency": document.currency},
        at=now,
    )
    return document


def credit_note_for(
    session: Session,
    invoice: Invoice,
    *,
    actor: Actor,
    reason: str,
    quantities: Mapping[int, int] | None = None,
    now: datetime | None = None,
) -> Invoice:
    """Issue a credit note of `invoice` (its order locked by the caller): of everything it still
    bills when `quantities` is None, else of these units per invoice line id."""
    now = now or datetime.now(UTC)
    order = session.get(Order, invoice.order_id)
    assert order is not None
    remaining = remaining_lines(session, invoice)
    credit: list[InvoiceLine] = []
    for rest in remaining:
        units = rest.quantity if quantities is None else int(quantities.get(rest.line.id, 0))
        if units < 0 or units > max(rest.quantity, 0):
            raise InvalidInput(
                _("“{line}” can still be credited: at most {units}.").format(
                    units=max(rest.quantity, 0), line=rest.line.description
                )
            )
        if quantities is None:
            if rest.quantity == 0 and rest.total_ttc == 0:
                continue
            ht, tax, ttc = -rest.total_ht, -rest.total_tax, -rest.total_ttc
        elif units == 0:
            continue
        elif units == rest.quantity:
            ht, tax, ttc = -rest.total_ht, -rest.total_tax, -rest.total_ttc
        else:
            share = Decimal(units) / Decimal(rest.line.quantity)
            ht = -cents(rest.line.total_ht * share)
            ttc = -cents(rest.line.total_ttc * share)
            tax = ttc - ht
        credit.append(
            InvoiceLine(
                position=rest.line.position,  # a credit note's line has the position of the line it credits
                order_line_id=rest.line.order_line_id,
                description=rest.line.description,
                quantity=units,
                unit_price_ht=rest.line.unit_price_ht,
                discount_ht=cents(rest.line.discount_ht * Decimal(units) / Decimal(rest.line.quantity or 1)),
                tax_rate=rest.line.tax_rate,
                total_ht=ht,
                total_tax=tax,
                total_ttc=ttc,
            )
        )
    if not credit:
        raise TransitionRefused(
            _("Invoice {number} has nothing left to credit.").format(number=invoice.number)
            if quantities is None
            else _("Choose at least one unit to credit.")
        )
    document = _new_document(
        session, order=order, actor=actor, kind="credit_note", now=now, corrects=invoice, reason=reason
    )
    _add_lines(session, document, credit)
    history.record(
        session,
        order_id=order.id,
        actor=actor,
        action="credit_note_issued",
        details={
            "number": document.number,
            "corrects": invoice.number,
            "total_ttc": str(document.total_ttc),
            "currency": document.currency,
        },
        reason=reason or None,
        at=now,
    )
    return document


# --- what users and services call ---------------------------------------------------------------


def issue_invoice(session: Session, *, actor: Actor, order_id: int, now: datetime | None = None) -> Invoice:
    """Finance asks for the invoice of an order that has none standing (an order paid online, or
    "on request" in the seller settings)."""
    require(actor, "invoices.issue")
    order = lock_by_id(session, Order, order_id, _("This order does not exist."), actor=actor)
    if order.deleted_at is not None or order.status in NOT_BILLED:
        raise TransitionRefused(_("Order {number} bills nothing: no invoice is issued.").format(number=order.number))
    current = standing_invoice(session, order.id)
    if current is not None:
        raise TransitionRefused(
            _("Order {number} already has invoice {invoice}.").format(number=order.number, invoice=current.number)
        )
    return invoice_for_order(session, order, actor=actor, now=now)


def issue_credit_note(
    session: Session,
    *,
    actor: Actor,
    invoice_id: int,
    reason: str,
    quantities: Mapping[int, int] | None = None,
    now: datetime | None = None,
) -> Invoice:
    """Finance credits an invoice, wholly or some units of its lines (a commercial gesture, a
    correction before a new invoice). The reason is printed on the credit note."""
    require(actor, "invoices.issue")
    why = clean_text(reason, label=_("The reason"), limit=NOTE_LIMIT, required=True)
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.kind != "invoice":
        raise InvalidInput(_("This invoice does not exist."))
    lock_by_id(session, Order, invoice.order_id, _("This invoice does not exist."), actor=actor)
    return credit_note_for(session, invoice, actor=actor, reason=why, quantities=quantities, now=now)


def _bills(remaining: list[Remaining]) -> list[tuple[int | None, int, Decimal]]:
    return sorted(
        ((r.line.order_line_id, r.quantity, r.total_ttc) for r in remaining if r.quantity or r.total_ttc),
        key=lambda t: (t[0] or 0, t[1]),
    )


def reissue_after_change(
    session: Session, order: Order, *, actor: Actor, reason: str, now: datetime | None = None
) -> list[Invoice]:
    """After a change of an invoiced (locked) order: when its standing invoice no longer bills
    what the order does, credit what it still bills, then invoice the order anew unless it is
    cancelled or deleted. Returns the documents issued (none when nothing changed)."""
    current = standing_invoice(session, order.id)
    if current is None:
        return []
    now = now or datetime.now(UTC)
    stands = order.deleted_at is None and order.status not in NOT_BILLED and order.total_ttc > 0
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    billed_now = sorted(((line.id, line.quantity, line.total_ttc) for line in lines), key=lambda t: (t[0], t[1]))
    if stands and _bills(remaining_lines(session, current)) == billed_now:
        return []
    issued = [credit_note_for(session, current, actor=actor, reason=reason, now=now)]
    if stands:
        issued.append(invoice_for_order(session, order, actor=actor, now=now))
    return issued
