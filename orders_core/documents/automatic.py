"""Documents issued automatically by the services, in the transaction of the change that calls for
them (the order is locked by then; PDFs are rendered later, by files.document_pdf):

- an invoice order gets its invoice when it is created or finalised to `awaiting_payment` (the
  buyer needs its number to pay): `after_invoice_order_placed`, `after_modified`;
- an order that becomes paid gets one on its payment when the seller settings say `on_payment`
  (with `on_request`, finance issues it when asked); an invoice order still without one gets it
  on its payment whatever the setting: `after_paid`, set-based for bulk validation;
- an order cancelled, rejected or deleted has its standing invoice credited in full:
  `after_cancelled`; a restored one is invoiced again: `after_restored`;
- an order whose billed content changed (partial cancellation, added tickets, modification) has
  its invoice corrected: `after_modified`. The content is compared (description, quantity, unit
  price, rate, amounts), never the order lines' ids, which a modification rewrites. When only
  units went away and crediting them gives exactly what the order now bills, a partial credit
  note of those units is issued and the invoice keeps standing (the pair nets to the order:
  a new invoice on top would bill twice). Otherwise the invoice is credited in full and a new one
  issued. A refund alone (money given back, e.g. an overpayment) changes nothing billed and issues
  nothing; a refund that also cancels the order is a cancellation.

Incomplete seller settings never block the user's action: an order is still created, paid,
cancelled or modified, and no document is issued (none could be valid without the mandatory
mentions). Nothing is recorded on the order: the to-do list says that the settings are missing,
and finance issues the missing invoices from the order page once they are set (`issue_invoice`).
A credit note likewise needs complete settings; while they are incomplete a cancelled invoice
keeps standing until finance credits it.

`invoice_attachments` / `standing_invoice_ids`: the `outbox_emails.attachments` entries of an
order's standing invoice, for the payment-details email, the reminders and the confirmation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from orders_core.documents.bulk_issue import invoice_orders
from orders_core.documents.issue import (
    NOT_BILLED,
    Remaining,
    cents,
    credit_note_for,
    invoice_for_order,
    remaining_lines,
    standing_invoice,
)
from orders_core.documents.seller import missing_settings, seller_settings
from orders_core.models import Invoice, Order, OrderLine
from orders_core.permissions import Actor
from orders_core.services.guards import id_chunks
from orders_core.status import PaymentMode, Status

# Printed on the credit notes issued automatically (a document's text is stored, never
# translated later: French, with the English beside it, as on the rest of the document).
CANCELLED = "Annulation de la commande / Order cancelled"
DELETED = "Suppression de la commande / Order deleted"
CHANGED = "Modification de la commande / Order changed"
# An invoice order in these states bills its buyer: its invoice is issued (the buyer pays on it).
INVOICED_STATUSES = {Status.AWAITING_PAYMENT.value, Status.PAID.value}

# A billed line's content: (description, quantity, unit price excl. tax, VAT rate, HT, TTC).
Content = tuple[str, int, Decimal, Decimal, Decimal, Decimal]


def settings_complete(session: Session) -> bool:
    """True when documents can be issued (no mandatory seller setting missing)."""
    return not missing_settings(seller_settings(session))


def _stands(order: Order) -> bool:
    return order.deleted_at is None and order.status not in NOT_BILLED and Decimal(order.total_ttc) > 0


def _due_an_invoice(order: Order, *, on_payment: bool) -> bool:
    """Whether this order, which has no standing invoice, gets one now."""
    if not _stands(order):
        return False
    if order.payment_mode == PaymentMode.INVOICE and order.status in INVOICED_STATUSES:
        return True
    return order.status == Status.PAID and on_payment


def after_invoice_order_placed(
    session: Session, order: Order, *, actor: Actor, now: datetime | None = None
) -> list[Invoice]:
    """An invoice order was created or finalised to awaiting payment: its invoice, unless it has
    one standing or the seller settings are incomplete (see the module doc)."""
    session.flush()
    ids = after_invoice_orders_placed(session, [order.id], actor=actor, now=now or datetime.now(UTC))
    return [session.get_one(Invoice, i) for i in ids]


def after_invoice_orders_placed(
    session: Session, order_ids: Sequence[int], *, actor: Actor, now: datetime
) -> list[int]:
    """The set-based form (the demo's load): the ids of the invoices issued."""
    return _invoice_missing(session, order_ids, actor=actor, now=now, paid=False)


def after_paid(session: Session, order_ids: Sequence[int], *, actor: Actor, now: datetime) -> list[int]:
    """These orders just became paid: each without a standing invoice gets one when it is an
    invoice order, or when the seller settings issue invoices on payment. Set-based: a few
    queries for any number of orders (bulk validation); returns the ids of the invoices issued."""
    return _invoice_missing(session, order_ids, actor=actor, now=now, paid=True)


def _invoice_missing(
    session: Session, order_ids: Sequence[int], *, actor: Actor, now: datetime, paid: bool
) -> list[int]:
    if not order_ids:
        return []
    settings = seller_settings(session)
    if missing_settings(settings):
        return []
    standing = standing_invoice_ids(session, order_ids)
    candidates = [i for i in order_ids if i not in standing]
    if not candidates:
        return []
    wanted: list[int] = []
    for _part, condition in id_chunks(session, Order.id, candidates):
        query = select(Order.id).where(
            condition,
            Order.deleted_at.is_(None),
            Order.total_ttc > 0,
            Order.status.in_([Status.PAID.value] if paid else sorted(INVOICED_STATUSES)),
        )
        if not (paid and settings.invoice_paid_orders == "on_payment"):
            query = query.where(Order.payment_mode == PaymentMode.INVOICE.value)
        wanted.extend(session.scalars(query))
    return invoice_orders(session, wanted, actor=actor, now=now)


def after_cancelled(
    session: Session, order_ids: Iterable[int], *, actor: Actor, reason: str = "", now: datetime | None = None
) -> list[Invoice]:
    """These orders were cancelled (or rejected, expired, deleted): each standing invoice is
    credited in full, its credit note naming it."""
    ids = list(order_ids)
    if not ids:
        return []
    session.flush()
    standing = standing_invoice_ids(session, ids)
    if not standing or not settings_complete(session):
        return []
    issued = []
    for order_id in sorted(standing):
        invoice = standing_invoice(session, order_id)
        if invoice is not None:
            issued.append(credit_note_for(session, invoice, actor=actor, reason=reason or CANCELLED, now=now))
    return issued


def after_restored(session: Session, order: Order, *, actor: Actor, now: datetime | None = None) -> list[Invoice]:
    """A deleted order came back: it is invoiced again when it was invoiced before its deletion,
    or when it is an invoice order that bills."""
    session.flush()
    session.refresh(order)
    if not settings_complete(session) or not _stands(order) or standing_invoice(session, order.id) is not None:
        return []
    invoiced_before = session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.order_id == order.id, Invoice.kind == "invoice")
    )
    if invoiced_before or _due_an_invoice(order, on_payment=False):
        return [invoice_for_order(session, order, actor=actor, now=now)]
    return []


def after_modified(
    session: Session, order: Order, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> list[Invoice]:
    """The order's lines or status changed (modification, partial cancellation, added tickets):
    its documents are brought in line with what it bills now (see the module doc)."""
    session.flush()
    session.refresh(order)
    if not settings_complete(session):
        return []
    now = now or datetime.now(UTC)
    current = standing_invoice(session, order.id)
    if current is None:
        if _due_an_invoice(order, on_payment=False):
            return [invoice_for_order(session, order, actor=actor, now=now)]
        return []
    why = reason or CHANGED
    if not _stands(order):
        return [credit_note_for(session, current, actor=actor, reason=why, now=now)]
    remaining = remaining_lines(session, current)
    billed = _order_content(session, order.id)
    if sorted(_remaining_content(remaining)) == billed:
        return []
    units = _units_to_credit(remaining, billed)
    if units is not None:
        return [credit_note_for(session, current, actor=actor, reason=why, quantities=units, now=now)]
    return [
        credit_note_for(session, current, actor=actor, reason=why, now=now),
        invoice_for_order(session, order, actor=actor, now=now),
    ]


def _order_content(session: Session, order_id: int) -> list[Content]:
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
    return sorted(
        (
            line.name,
            int(line.quantity),
            cents(line.unit_price_ht),
            Decimal(line.tax_rate),
            cents(line.total_ht),
            cents(line.total_ttc),
        )
        for line in lines
    )


def _remaining_content(remaining: Sequence[Remaining]) -> list[Content]:
    return [
        (
            r.line.description,
            r.quantity,
            cents(r.line.unit_price_ht),
            Decimal(r.line.tax_rate),
            cents(r.total_ht),
            cents(r.total_ttc),
        )
        for r in remaining
        if r.quantity or r.total_ttc
    ]


def _units_to_credit(remaining: Sequence[Remaining], billed: list[Content]) -> dict[int, int] | None:
    """{invoice line id: units} whose partial credit note leaves the invoice billing exactly
    `billed` (each order line the same tariff at the same price, fewer units), else None."""
    left = list(billed)
    units: dict[int, int] = {}
    for rest in remaining:
        if not rest.quantity and not rest.total_ttc:
            continue
        key = (rest.line.description, cents(rest.line.unit_price_ht), Decimal(rest.line.tax_rate))
        match = next((c for c in left if (c[0], c[2], c[3]) == key and c[1] <= rest.quantity), None)
        if match is None:
            units[rest.line.id] = rest.quantity  # gone from the order: credited whole
            continue
        left.remove(match)
        taken = rest.quantity - match[1]
        if taken == 0:
            if (cents(rest.total_ht), cents(rest.total_ttc)) != match[4:]:
                return None
            continue
        # What credit_note_for takes for these units (the same arithmetic), then what is left.
        if taken == rest.quantity:
            ht, ttc = rest.total_ht, rest.total_ttc
        else:
            share = Decimal(taken) / Decimal(rest.line.quantity)
            ht, ttc = cents(rest.line.total_ht * share), cents(rest.line.total_ttc * share)
        if (cents(rest.total_ht - ht), cents(rest.total_ttc - ttc)) != match[4:]:
            return None
        units[rest.line.id] = taken
    if left or not any(units.values()):
        return None  # new content, or nothing taken away: credit it all and invoice anew
    return units


# --- the standing invoices of many orders, and email attachments -------------------------------


def standing_invoice_ids(session: Session, order_ids: Sequence[int]) -> dict[int, int]:
    """order id -> id of its latest invoice that its credit notes have not taken back in full
    (by amount), for any number of orders in a few queries."""
    found: dict[int, int] = {}
    if not order_ids:
        return found
    note = aliased(Invoice)
    ids = list(order_ids)
    chunks = zip(id_chunks(session, Invoice.order_id, ids), id_chunks(session, note.order_id, ids), strict=True)
    for (_part, condition), (_same, note_condition) in chunks:
        credited = (
            select(note.corrects_id.label("invoice_id"), func.sum(note.total_ttc).label("ttc"))
            .where(note_condition, note.kind == "credit_note")
            .group_by(note.corrects_id)
            .subquery()
        )
        left = Invoice.total_ttc + func.coalesce(credited.c.ttc, 0)
        query = (
            select(Invoice.order_id, func.max(Invoice.id))
            .outerjoin(credited, credited.c.invoice_id == Invoice.id)
            .where(condition, Invoice.kind == "invoice", func.round(left * 100) != 0)
            .group_by(Invoice.order_id)
        )
        found.update({int(order_id): int(invoice_id) for order_id, invoice_id in session.execute(query)})
    return found


def invoice_attachments(session: Session, order_id: int) -> list[dict[str, Any]]:
    """The `outbox_emails.attachments` entry of the order's standing invoice (none: empty)."""
    invoice_id = standing_invoice_ids(session, [order_id]).get(order_id)
    return [] if invoice_id is None else [{"kind": "invoice", "id": invoice_id}]
