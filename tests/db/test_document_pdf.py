"""The PDF of an invoice or a credit note (issue 21), on SQLite and PostgreSQL: issued through the
service, rendered, then read back. Its text carries every mandatory French mention with the
amounts of the database, English labels beside the French ones for an order in English, the
recovery indemnity for a business buyer only; its embedded Factur-X XML is valid against the
EN 16931 schema, and its totals are the database's (positive on a credit note, type 381)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from orders_core.db import unit_of_work
from orders_core.documents.cii import NAMESPACES
from orders_core.documents.files import document_pdf
from orders_core.documents.issue import issue_credit_note, issue_invoice
from orders_core.documents.render import document_html, render_document_pdf
from orders_core.errors import InvalidInput
from orders_core.models import InvoiceFile, Order
from orders_core.permissions import Actor
from tests.factories import make_code, make_event, make_order, make_seller_settings, make_tariff

FINANCE = Actor("finance@example.org", "finance")
ON = datetime(2026, 12, 1, 10, tzinfo=UTC)
BUSINESS = dict(
    company_name="Lumen Industries SARL",
    vat_number="FR32123456789",
    billing_address="5 avenue Foch",
    billing_postcode="75016",
    billing_city="Paris",
    billing_country="FR",
)


def _order(session, *, language="fr", **buyer):
    """3 badges at 100.00 excl. VAT (20 %) and 2 workshops at 12.50 (5.5 %), 10 % off: lines of
    270.00 + 54.00 VAT and 22.50 + 1.24 VAT, 292.50 excl. VAT, 55.24 VAT, 347.74 in all."""
    make_seller_settings(session)
    event = make_event(
        session, name="Salon des Lumières", venue="Halle Tony Garnier", starts_at=datetime(2027, 3, 12, 18, tzinfo=UTC)
    )
    badge = make_tariff(session, event, name="Badge 3 jours", unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
    workshop = make_tariff(session, event, name="Atelier", unit_price_ht=Decimal("12.50"), tax_rate=Decimal("5.5"))
    code = make_code(session, event, "LUMIERE10", percent_off=Decimal("10"))
    return make_order(
        session, event, [(badge, 3), (workshop, 2)], code=code, language=language, due_date=date(2026, 12, 31), **buyer
    )


def _text(pdf: bytes) -> str:
    """The PDF's text with its spaces and line breaks made one plain space (Babel writes narrow no-break ones)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def _issued(engine, *, language="fr", credit=False, **buyer):
    """The invoice (or its credit note of one badge) rendered, with its number, its order's
    number and the amounts stored."""
    with unit_of_work(engine) as session:
        order = _order(session, language=language, **buyer)
        invoice = issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON)
        document = invoice
        if credit:
            badge_line = invoice.lines[0].id
            document = issue_credit_note(
                session,
                actor=FINANCE,
                invoice_id=invoice.id,
                reason="Un badge non utilisé",
                quantities={badge_line: 1},
                now=datetime(2026, 12, 5, 9, tzinfo=UTC),
            )
        pdf = render_document_pdf(document)
        stored = (document.total_ht, document.total_tax, document.total_ttc)
        return pdf, document.number, invoice.number, session.get_one(Order, order.id).number, stored


def _xml(pdf: bytes) -> etree._Element:
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    return etree.fromstring(xml)


def _values(root: etree._Element, path: str) -> list[str]:
    return [str(node.text) for node in root.iterfind(path, NAMESPACES)]


def test_an_invoice_pdf_carries_every_mandatory_mention_with_the_stored_amounts(engine):
    pdf, number, _, order_number, stored = _issued(engine, **BUSINESS)
    text = _text(pdf)
    assert stored == (Decimal("292.50"), Decimal("55.24"), Decimal("347.74"))
    for mention in [
        # the seller's identity
        "Festival des Lumières SAS",
        "SAS au capital de 10 000 €",
        "12 rue de la République",
        "69002 Lyon",
        "SIREN 732 829 320 · SIRET 73282932000074",
        "RCS Lyon 732 829 320",
        "N° TVA intracommunautaire : FR44732829320",
        # the business buyer, its address and VAT number
        "Lumen Industries SARL",
        "Ada Lovelace",
        "5 avenue Foch",
        "75016 Paris",
        "N° TVA intracommunautaire : FR32123456789",
        # the document, its date and the service's
        f"Facture N° {number}",
        "Date d'émission 01/12/2026",
        "Prestations de services",
        "Salon des Lumières, Halle Tony Garnier",
        "Date de la prestation 12/03/2027",
        # one line per tariff: quantity, unit price, discount, VAT rate, total excl. VAT
        "Badge 3 jours 3 100,00 € 30,00 € 20 % 270,00 €",
        "Atelier 2 12,50 € 2,50 € 5,5 % 22,50 €",
        # the VAT per rate, then the totals
        "20 % 270,00 € 54,00 €",
        "5,5 % 22,50 € 1,24 €",
        "Total HT 292,50 €",
        "Total TVA 55,24 €",
        "Total TTC 347,74 €",
        # payment
        "Date d'échéance : 31/12/2026",
        "Conditions de paiement : 30 days from the invoice date",
        "Pas d'escompte pour paiement anticipé",
        "Pénalités de retard : taux annuel de 12,15 %",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €",
        f"Référence à rappeler lors du paiement : {order_number}",
        "IBAN FR76 3000 6000 0112 3456 7890 189 · BIC AGRIFRPP",
    ]:
        assert mention in text, mention
    assert "Invoice" not in text and "Due date" not in text  # a French order: no English labels


def test_a_private_buyer_is_not_charged_the_recovery_indemnity(engine):
    pdf, *_ = _issued(engine)
    text = _text(pdf)
    assert "Pénalités de retard : taux annuel de 12,15 %" in text
    assert "Indemnité forfaitaire" not in text and "N° TVA intracommunautaire : FR32" not in text


def test_an_english_order_prints_the_english_labels_beside_the_french_ones(engine):
    pdf, number, *_ = _issued(engine, language="en", **BUSINESS)
    text = _text(pdf)
    for mention in [
        f"Facture / Invoice N° {number}",
        "Date d'émission / Issue date 01/12/2026",
        "Prestations de services / Services",
        "Total TTC / Total incl. VAT 347,74 €",
        "Date d'échéance / Due date : 31/12/2026",
        "Indemnité forfaitaire pour frais de recouvrement / Fixed recovery indemnity : 40 €",
    ]:
        assert mention in text, mention


def test_the_embedded_factur_x_xml_is_valid_en16931_and_its_totals_are_the_databases(engine):
    pdf, number, _, order_number, (total_ht, total_tax, total_ttc) = _issued(engine, **BUSINESS)
    root = _xml(pdf)
    assert facturx.get_level(root) == "en16931"
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert [Decimal(v) for v in _values(root, summation + "ram:TaxBasisTotalAmount")] == [total_ht]
    assert [Decimal(v) for v in _values(root, summation + "ram:TaxTotalAmount")] == [total_tax]
    assert [Decimal(v) for v in _values(root, summation + "ram:GrandTotalAmount")] == [total_ttc]
    assert _values(root, "rsm:ExchangedDocument/ram:ID") == [number]
    assert _values(root, "rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    header_tax = ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert _values(root, header_tax + "ram:RateApplicablePercent") == ["20.00", "5.50"]
    assert _values(root, header_tax + "ram:BasisAmount") == ["270.00", "22.50"]
    assert _values(root, header_tax + "ram:CalculatedAmount") == ["54.00", "1.24"]
    seller = ".//ram:SellerTradeParty/"
    assert _values(root, seller + "ram:SpecifiedLegalOrganization/ram:ID") == ["732829320"]
    assert _values(root, seller + "ram:SpecifiedTaxRegistration/ram:ID") == ["FR44732829320"]
    assert _values(root, ".//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ["FR32123456789"]
    assert _values(root, ".//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["58"]
    assert _values(root, ".//ram:IBANID") == ["FR7630006000011234567890189"]
    assert _values(root, ".//ram:BICID") == ["AGRIFRPP"]
    assert _values(root, ".//ram:PaymentReference") == [str(order_number)]
    assert _values(root, ".//ram:DueDateDateTime/udt:DateTimeString") == ["20261231"]
    assert _values(root, ".//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount") == ["270.00", "22.50"]
    assert _values(root, ".//ram:IncludedSupplyChainTradeLineItem//ram:ActualAmount") == ["30.00", "2.50"]
    assert _values(root, ".//ram:IncludedNote/ram:SubjectCode") == ["PMD", "PMT", "AAB"]  # penalty, 40 €, no discount
    # EN 16931's sums (BR-CO-10, 14, 15): lines -> line total, rates' tax -> tax total, basis + tax -> grand total
    lines = sum(
        Decimal(v) for v in _values(root, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
    )
    assert [Decimal(v) for v in _values(root, summation + "ram:LineTotalAmount")] == [lines]
    assert sum(Decimal(v) for v in _values(root, header_tax + "ram:CalculatedAmount")) == total_tax
    assert total_ht + total_tax == total_ttc


def test_a_credit_note_is_type_381_names_the_invoice_and_prints_positive_amounts(engine):
    pdf, number, invoice_number, _, stored = _issued(engine, credit=True, **BUSINESS)
    assert stored == (Decimal("-90.00"), Decimal("-18.00"), Decimal("-108.00"))  # one badge, less its 10 %
    text = _text(pdf)
    assert f"Avoir N° {number}" in text
    assert f"Avoir sur la facture N° {invoice_number} du 01/12/2026" in text
    assert "Motif Un badge non utilisé" in text
    assert "Badge 3 jours 1 100,00 € 10,00 € 20 % 90,00 €" in text
    assert "Total TTC 108,00 €" in text and "-108" not in text
    assert "IBAN" not in text and "Pénalités" not in text  # nothing to pay on a credit note
    root = _xml(pdf)
    assert _values(root, "rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert _values(root, ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == [invoice_number]
    assert _values(root, ".//ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString") == [
        "20261201"
    ]
    assert _values(root, ".//ram:GrandTotalAmount") == ["108.00"]
    assert _values(root, ".//ram:TaxTotalAmount") == ["18.00"]
    assert _values(root, ".//ram:IncludedNote/ram:Content") == ["Un badge non utilisé"]


def test_a_buyer_name_with_markup_is_printed_as_text(engine):
    pdf, *_ = _issued(engine, buyer_last_name="<script>alert(1)</script>", company_name="<b>Acme</b> & Co")
    assert "Ada <script>alert(1)</script>" in _text(pdf)
    assert "<b>Acme</b> & Co" in _text(pdf)
    assert _values(_xml(pdf), ".//ram:BuyerTradeParty/ram:Name") == ["<b>Acme</b> & Co"]  # escaped in the XML too
    with unit_of_work(engine) as session:
        order = _order(session, buyer_last_name="<script>x</script>")
        html = document_html(issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON))
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html


def test_the_pdf_is_pdf_a_3b(engine):
    pdf, *_ = _issued(engine)
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    metadata = xmp.stream.get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]{1,3}3", metadata) and re.search(r"pdfaid:conformance[^A-Z]{1,3}B", metadata)
    assert reader.metadata is not None and reader.metadata.title.startswith("Facture F2026-")


def test_a_zero_rated_tariff_and_a_buyer_without_an_address_still_give_a_valid_factur_x(engine):
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session, currency="EUR")
        free_entry = make_tariff(session, event, name="Entrée", unit_price_ht=Decimal("8.00"), tax_rate=Decimal("0"))
        order = make_order(session, event, [(free_entry, 2)], language="fr")
        pdf = render_document_pdf(issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON))
    assert "Entrée 2 8,00 € – 0 % 16,00 €" in _text(pdf)
    root = _xml(pdf)
    assert _values(root, ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode") == ["Z"]
    assert _values(root, ".//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == ["FR"]
    assert _values(root, ".//ram:GrandTotalAmount") == ["16.00"]


def test_the_first_download_renders_and_stores_the_pdf_and_later_ones_get_the_same_bytes(engine):
    with unit_of_work(engine) as session:
        order = _order(session)
        invoice_id = issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON).id
    with unit_of_work(engine) as session:
        first = document_pdf(session, invoice_id, principal=FINANCE)
    with unit_of_work(engine) as session:
        assert document_pdf(session, invoice_id, principal=FINANCE) == first
        assert session.get_one(InvoiceFile, invoice_id).pdf == first
    assert "Total TTC 347,74 €" in _text(first)


def test_a_document_of_another_events_order_does_not_exist_for_finance_scoped_elsewhere(engine):
    with unit_of_work(engine) as session:
        order = _order(session)
        invoice_id = issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON).id
        elsewhere = FINANCE.scoped_to([make_event(session).id])
        event_id = order.event_id
    with unit_of_work(engine) as session, pytest.raises(InvalidInput, match="This invoice does not exist"):
        document_pdf(session, invoice_id, principal=elsewhere)
    with unit_of_work(engine) as session:
        assert document_pdf(session, invoice_id, principal=FINANCE.scoped_to([event_id]))[:5] == b"%PDF-"


def test_finance_scoped_elsewhere_cannot_issue_an_invoice_for_another_events_order(engine):
    with unit_of_work(engine) as session:
        order = _order(session)
        elsewhere = FINANCE.scoped_to([make_event(session).id])
    with unit_of_work(engine) as session, pytest.raises(InvalidInput, match="This order does not exist"):
        issue_invoice(session, actor=elsewhere, order_id=order.id, now=ON)


def test_finance_scoped_elsewhere_cannot_credit_another_events_invoice(engine):
    with unit_of_work(engine) as session:
        order = _order(session)
        invoice_id = issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON).id
        elsewhere = FINANCE.scoped_to([make_event(session).id])
    with unit_of_work(engine) as session, pytest.raises(InvalidInput, match="This invoice does not exist"):
        issue_credit_note(session, actor=elsewhere, invoice_id=invoice_id, reason="Gesture", now=ON)
