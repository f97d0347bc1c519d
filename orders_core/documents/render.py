"""A document's PDF from its stored rows: HTML and CSS laid out by WeasyPrint as PDF/A-3b, so
that the Factur-X XML can be embedded in it (orders_core/documents/files.py keeps the result).
Pure: reads the Invoice and its lines (with their snapshots), never the live order."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from weasyprint import HTML

from orders_core.models import Invoice


def _money(value: Decimal, currency: str) -> str:
    return f"{value:,.2f} {currency}".replace(",", "\u202f")


def document_html(invoice: Invoice) -> str:
    """The document as HTML (every value escaped)."""
    title = "Facture" if invoice.kind == "invoice" else "Avoir"
    sign = Decimal(1) if invoice.kind == "invoice" else Decimal(-1)
    seller, buyer = invoice.seller, invoice.buyer
    rows = "".join(
        f"<tr><td>{escape(line.description)}</td><td>{line.quantity}</td>"
        f"<td>{_money(line.unit_price_ht, invoice.currency)}</td><td>{line.tax_rate} %</td>"
        f"<td>{_money(sign * line.total_ht, invoice.currency)}</td></tr>"
        for line in invoice.lines
    )
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title} {escape(invoice.number)}</title>
<style>body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; }} table {{ width: 100%; border-collapse: collapse; }}
td, th {{ border-bottom: 1px solid #ccc; padding: 4px; text-align: left; }}</style></head><body>
<h1>{title} {escape(invoice.number)}</h1>
<p>{escape(str(seller.get("legal_name") or ""))}<br>{escape(str(seller.get("address") or ""))}</p>
<p>{escape(str(buyer.get("company") or buyer.get("name") or ""))}</p>
<table><tr><th>Désignation</th><th>Qté</th><th>PU HT</th><th>TVA</th><th>Total HT</th></tr>{rows}</table>
<p>Total HT : {_money(sign * invoice.total_ht, invoice.currency)}<br>TVA : {_money(sign * invoice.total_tax, invoice.currency)}<br>
Total TTC : {_money(sign * invoice.total_ttc, invoice.currency)}</p></body></html>"""


def render_document_pdf(invoice: Invoice) -> bytes:
    """The PDF/A-3b bytes of the document."""
    return bytes(HTML(string=document_html(invoice)).write_pdf(pdf_variant="pdf/a-3b"))
