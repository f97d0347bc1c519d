"""A document's PDF from its stored rows: a Jinja2 template (autoescaped) and its CSS laid out by
WeasyPrint as PDF/A-3b, with the Factur-X XML (orders_core/documents/cii.py) embedded in it
(orders_core/documents/files.py keeps the result).

Built from the Invoice, its lines and the snapshots stored on it when it was issued, never from
the live order or settings: only the order's number (which never changes) and the number and
date of the invoice a credit note corrects are read beside it. A credit note's amounts are
stored negative and printed positive under the title "Avoir". The mentions are French; an order
in English gets the English label beside each French one ("Facture / Invoice")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import facturx
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import object_session
from weasyprint import CSS, HTML

from orders_core.i18n import format_money, format_rate
from orders_core.models import Invoice, Order

TEMPLATES = Path(__file__).parent / "templates"
# The fixed indemnity for recovery costs owed by a business buyer paying late (Code de commerce,
# articles L441-10 and D441-5).
RECOVERY_INDEMNITY = Decimal("40")
# The snapshots' fields the template prints (empty when an older snapshot lacks one).
SELLER_FIELDS = (
    "legal_name",
    "legal_form",
    "share_capital",
    "siren",
    "siret",
    "rcs_city",
    "vat_number",
    "address",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "iban",
    "bic",
    "payment_terms",
    "late_penalty_rate",
)
BUYER_FIELDS = ("name", "company", "address", "postcode", "city", "country", "email", "vat_number", "siren")


@dataclass(frozen=True)
class Related:
    """What a document prints from beyond its own row: the order's number (the reference the
    buyer quotes with a transfer) and, for a credit note, the corrected invoice's number and day."""

    order_number: str
    corrected_number: str = ""
    corrected_issued_on: date | None = None


def related_of(invoice: Invoice) -> Related:
    """The order's number and the corrected invoice, read in the session the invoice belongs to
    (a detached invoice falls back on its stored payment reference for both, without a date)."""
    session = object_session(invoice)
    if session is None:
        return Related(order_number=invoice.payment_reference, corrected_number=invoice.payment_reference)
    order = session.get(Order, invoice.order_id)
    corrected = session.get(Invoice, invoice.corrects_id) if invoice.corrects_id is not None else None
    return Related(
        order_number=str(order.number) if order is not None else invoice.payment_reference,
        corrected_number=corrected.number if corrected is not None else "",
        corrected_issued_on=corrected.issued_at.date() if corrected is not None else None,
    )


def sign_of(invoice: Invoice) -> Decimal:
    """1 for an invoice, -1 for a credit note: what makes a stored amount the printed one."""
    return Decimal(1) if invoice.kind == "invoice" else Decimal(-1)


def money(value: Decimal | str | None, currency: str) -> str:
    """`1 234,50 €`: French-style, whatever the order's language (the document is French)."""
    return format_money(value, currency, "fr") if value not in (None, "") else ""


def day(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def grouped(code: str, size: int = 4) -> str:
    """An IBAN (or any code) in groups of four: `FR76 3000 6000 …`."""
    compact = "".join(str(code).split())
    return " ".join(compact[i : i + size] for i in range(0, len(compact), size))


def siren_text(siren: str) -> str:
    compact = "".join(str(siren).split())
    return " ".join(compact[i : i + 3] for i in range(0, len(compact), 3))


@dataclass(frozen=True)
class PrintedLine:
    description: str
    quantity: int
    unit_price_ht: Decimal
    discount_ht: Decimal
    tax_rate: Decimal
    total_ht: Decimal
    total_tax: Decimal


def printed_lines(invoice: Invoice) -> list[PrintedLine]:
    """The lines with positive amounts. The discount printed is what separates the line's gross
    (quantity x unit price) from its total excl. tax, so that every printed line adds up (a
    partial credit note's stored discount is rounded apart from its total)."""
    sign = sign_of(invoice)
    lines = []
    for line in invoice.lines:
        total_ht = sign * line.total_ht
        lines.append(
            PrintedLine(
                description=line.description,
                quantity=line.quantity,
                unit_price_ht=line.unit_price_ht,
                discount_ht=line.unit_price_ht * line.quantity - total_ht,
                tax_rate=line.tax_rate,
                total_ht=total_ht,
                total_tax=sign * line.total_tax,
            )
        )
    return lines


@dataclass(frozen=True)
class RateTotal:
    rate: Decimal
    basis: Decimal
    tax: Decimal


def rate_totals(lines: list[PrintedLine]) -> list[RateTotal]:
    """The VAT subtotal per rate (highest rate first): the basis and the tax of its lines."""
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        basis, tax = by_rate.get(line.tax_rate, (Decimal("0"), Decimal("0")))
        by_rate[line.tax_rate] = (basis + line.total_ht, tax + line.total_tax)
    return [RateTotal(rate, basis, tax) for rate, (basis, tax) in sorted(by_rate.items(), reverse=True)]


def _rate(value: Decimal | str | None) -> str:
    return format_rate(value, "fr") if value not in (None, "") else ""


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(day=day, grouped=grouped, siren=siren_text, rate=_rate)
    return environment


@cache
def _stylesheet() -> CSS:
    return CSS(filename=str(TEMPLATES / "document.css"))


def document_context(invoice: Invoice, related: Related | None = None) -> dict[str, Any]:
    """The values the template prints, all taken from the stored document."""
    related = related or related_of(invoice)
    sign = sign_of(invoice)
    english = invoice.language.startswith("en")
    lines = printed_lines(invoice)

    def label(french: str, english_label: str) -> str:
        return f"{french} / {english_label}" if english else french

    return {
        "invoice": invoice,
        "credit_note": invoice.kind == "credit_note",
        "english": english,
        "label": label,
        "money": lambda value: money(value, invoice.currency),
        "seller": {**dict.fromkeys(SELLER_FIELDS, ""), **invoice.seller},
        "buyer": {**dict.fromkeys(BUYER_FIELDS, ""), **invoice.buyer},
        "business": bool(invoice.buyer.get("is_business")),
        "event": {"name": "", "venue": "", **invoice.event},
        "lines": lines,
        "rates": rate_totals(lines),
        "total_ht": sign * invoice.total_ht,
        "total_tax": sign * invoice.total_tax,
        "total_ttc": sign * invoice.total_ttc,
        "related": related,
        "indemnity": f"{RECOVERY_INDEMNITY}\u00a0€",  # in euros whatever the currency: the law says 40 €
    }


def document_html(invoice: Invoice, related: Related | None = None) -> str:
    """The document as HTML (every value escaped by the template's autoescape)."""
    return _environment().get_template("document.html").render(document_context(invoice, related))


def render_document_pdf(invoice: Invoice) -> bytes:
    """The PDF/A-3b bytes of the document with its Factur-X XML (EN 16931 profile) embedded."""
    from orders_core.documents.cii import cii_xml  # cii imports this module's helpers

    related = related_of(invoice)
    html = HTML(string=document_html(invoice, related), base_url=str(TEMPLATES))
    pdf = bytes(html.write_pdf(stylesheets=[_stylesheet()], pdf_variant="pdf/a-3b"))
    title = "Facture" if invoice.kind == "invoice" else "Avoir"
    seller_name = str(invoice.seller.get("legal_name") or "")
    metadata = {
        "author": seller_name,
        "keywords": "Factur-X",
        "title": f"{title} {invoice.number}",
        "subject": f"{title} {invoice.number} — {seller_name}",
    }
    embedded = facturx.generate_from_binary(
        pdf,
        cii_xml(invoice, related),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata=metadata,
        lang="en-GB" if invoice.language.startswith("en") else "fr-FR",
    )
    return bytes(embedded)
