"""A document's PDF, rendered once and kept in `invoice_files` (append-only): the email sender
and the first download render it, outside the transaction that issued the document, so that
issuing (and validating 10,000 orders) never waits for a PDF. Every later reader gets the same
bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders_core.documents.render import render_document_pdf
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.models import Invoice, InvoiceFile
from orders_core.permissions import Actor
from orders_core.scope import order_condition


def document_pdf(session: Session, invoice_id: int, *, principal: Actor) -> bytes:
    """The stored PDF of the document, rendered and stored first if it has none yet (two
    renderers at once: the first stored wins and both return its bytes). A document of an
    order outside the principal's events does not exist for them."""
    visible = session.scalar(
        select(Invoice.id).where(Invoice.id == invoice_id, order_condition(Invoice.order_id, principal))
    )
    if visible is None:
        raise InvalidInput(_("This invoice does not exist."))
    stored = session.get(InvoiceFile, invoice_id)
    if stored is not None:
        return stored.pdf
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    pdf = render_document_pdf(invoice)
    try:
        with session.begin_nested():
            session.add(InvoiceFile(invoice_id=invoice_id, pdf=pdf, rendered_at=datetime.now(UTC)))
    except IntegrityError:
        stored = session.get(InvoiceFile, invoice_id, populate_existing=True)
        assert stored is not None
        return stored.pdf
    return pdf


def document_filename(invoice: Invoice) -> str:
    """`Facture-F2026-00042.pdf` or `Avoir-A2026-00003.pdf` (the number's slashes made safe)."""
    title = "Facture" if invoice.kind == "invoice" else "Avoir"
    return f"{title}-{invoice.number.replace('/', '-')}.pdf"
