"""The Factur-X XML of a document: UN/CEFACT Cross Industry Invoice (CII D16B) of the EN 16931
profile, built from the same stored rows as the PDF (orders_core/documents/render.py embeds it).

Type code 380 for an invoice, 381 for a credit note. EN 16931 has a credit note carry positive
amounts (a 381 with the amounts stored negative would credit a negative sum): the stored amounts
are printed with their sign turned, as on the PDF. A credit note names the invoice it corrects
(BT-25, with its issue date BT-26). The seller is identified by its SIREN (legal registration,
scheme 0002) and its VAT number; payment is a SEPA credit transfer (means 58) to the seller's
IBAN/BIC quoting the order's number (BT-83)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from orders_core.documents.render import (
    RECOVERY_INDEMNITY,
    PrintedLine,
    Related,
    printed_lines,
    rate_totals,
    related_of,
    sign_of,
)
from orders_core.i18n import format_rate
from orders_core.models import Invoice

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
for _prefix, _uri in NAMESPACES.items():
    register_namespace(_prefix, _uri)

EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {"invoice": "380", "credit_note": "381"}
SEPA_CREDIT_TRANSFER = "58"
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIRENE register
UNIT = "C62"  # "one": a ticket, a badge


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _add(parent: Element, name: str, text: str | None = None, **attributes: str) -> Element:
    element = SubElement(parent, _tag(name), attributes)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _percent(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _date(parent: Element, name: str, value: date, data_type: str = "udt") -> None:
    _add(_add(parent, name), f"{data_type}:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _category(rate: Decimal) -> str:
    """S: standard (or reduced) rate; Z: zero-rated goods or services."""
    return "S" if rate > 0 else "Z"


def _compact(value: object) -> str:
    return "".join(str(value or "").split())


def _party(
    parent: Element, name: str, party: dict[str, object], *, legal_id: str, vat: str, email: str, country: str
) -> None:
    element = _add(parent, name)
    _add(element, "ram:Name", str(party.get("company") or party.get("legal_name") or party.get("name") or ""))
    if legal_id:
        _add(_add(element, "ram:SpecifiedLegalOrganization"), "ram:ID", legal_id, schemeID=SIREN_SCHEME)
    address = _add(element, "ram:PostalTradeAddress")
    if party.get("postcode"):
        _add(address, "ram:PostcodeCode", str(party["postcode"]))
    if party.get("address"):
        _add(address, "ram:LineOne", str(party["address"]))
    if party.get("city"):
        _add(address, "ram:CityName", str(party["city"]))
    _add(address, "ram:CountryID", country)
    if email:
        _add(_add(element, "ram:URIUniversalCommunication"), "ram:URIID", email, schemeID="EM")
    if vat:
        _add(_add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", vat, schemeID="VA")


def _notes(document: Element, invoice: Invoice) -> None:
    """The free-text mentions of the PDF the XML also carries (with the French CIUS's subject
    codes): a credit note's reason; an invoice's late-payment penalty, recovery indemnity (a
    business buyer) and absence of an early-payment discount."""
    notes: list[tuple[str, str]] = []
    if invoice.reason:
        notes.append((invoice.reason, "ACC"))
    if invoice.kind == "invoice":
        rate = format_rate(invoice.seller.get("late_penalty_rate") or 0, "fr")
        notes.append((f"Pénalités de retard : taux annuel de {rate}.", "PMD"))
        if invoice.buyer.get("is_business"):
            notes.append((f"Indemnité forfaitaire pour frais de recouvrement : {RECOVERY_INDEMNITY} €.", "PMT"))
        notes.append(("Pas d'escompte pour paiement anticipé.", "AAB"))
    for content, subject in notes:
        note = _add(document, "ram:IncludedNote")
        _add(note, "ram:Content", content)
        _add(note, "ram:SubjectCode", subject)


def _line(transaction: Element, position: int, line: PrintedLine) -> None:
    item = _add(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _add(_add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(position))
    _add(_add(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    agreement = _add(item, "ram:SpecifiedLineTradeAgreement")
    _add(_add(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _amount(line.unit_price_ht))
    _add(_add(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", str(line.quantity), unitCode=UNIT)
    settlement = _add(item, "ram:SpecifiedLineTradeSettlement")
    tax = _add(settlement, "ram:ApplicableTradeTax")
    _add(tax, "ram:TypeCode", "VAT")
    _add(tax, "ram:CategoryCode", _category(line.tax_rate))
    _add(tax, "ram:RateApplicablePercent", _percent(line.tax_rate))
    if line.discount_ht:
        # The line's discount (a share of the order's discount code): an allowance when it takes
        # off, a charge when a rounding remainder adds on.
        allowance = _add(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _add(_add(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false" if line.discount_ht > 0 else "true")
        _add(allowance, "ram:ActualAmount", _amount(abs(line.discount_ht)))
        _add(allowance, "ram:Reason", "Remise" if line.discount_ht > 0 else "Arrondi")
    summation = _add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _add(summation, "ram:LineTotalAmount", _amount(line.total_ht))


def cii_xml(invoice: Invoice, related: Related | None = None) -> bytes:
    """The document's CII XML (UTF-8 bytes) of the EN 16931 profile."""
    related = related or related_of(invoice)
    sign = sign_of(invoice)
    seller, buyer = invoice.seller, invoice.buyer
    currency = invoice.currency
    lines = printed_lines(invoice)

    root = Element(_tag("rsm:CrossIndustryInvoice"))
    context = _add(root, "rsm:ExchangedDocumentContext")
    _add(_add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)

    document = _add(root, "rsm:ExchangedDocument")
    _add(document, "ram:ID", invoice.number)
    _add(document, "ram:TypeCode", TYPE_CODES[invoice.kind])
    _date(document, "ram:IssueDateTime", _day(invoice.issued_at))
    _notes(document, invoice)

    transaction = _add(root, "rsm:SupplyChainTradeTransaction")
    for position, line in enumerate(lines, start=1):
        _line(transaction, position, line)

    agreement = _add(transaction, "ram:ApplicableHeaderTradeAgreement")
    seller_country = str(seller.get("country") or "FR")
    _party(
        agreement,
        "ram:SellerTradeParty",
        seller,
        legal_id=_compact(seller.get("siren")),
        vat=_compact(seller.get("vat_number")),
        email=str(seller.get("email") or ""),
        country=seller_country,
    )
    _party(
        agreement,
        "ram:BuyerTradeParty",
        buyer,
        legal_id=_compact(buyer.get("siren")),
        vat=_compact(buyer.get("vat_number")),
        email=str(buyer.get("email") or ""),
        country=str(buyer.get("country") or seller_country),
    )
    if related.order_number:
        _add(_add(agreement, "ram:SellerOrderReferencedDocument"), "ram:IssuerAssignedID", related.order_number)

    delivery = _add(transaction, "ram:ApplicableHeaderTradeDelivery")
    if invoice.service_date is not None:
        _date(_add(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", invoice.service_date)

    settlement = _add(transaction, "ram:ApplicableHeaderTradeSettlement")
    if related.order_number:
        _add(settlement, "ram:PaymentReference", related.order_number)
    _add(settlement, "ram:InvoiceCurrencyCode", currency)
    if invoice.kind == "invoice":
        means = _add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _add(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        _add(_add(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", _compact(seller.get("iban")))
        if seller.get("bic"):
            _add(_add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", _compact(seller["bic"]))
    for rate in rate_totals(lines):
        tax = _add(settlement, "ram:ApplicableTradeTax")
        _add(tax, "ram:CalculatedAmount", _amount(rate.tax))
        _add(tax, "ram:TypeCode", "VAT")
        _add(tax, "ram:BasisAmount", _amount(rate.basis))
        _add(tax, "ram:CategoryCode", _category(rate.rate))
        _add(tax, "ram:RateApplicablePercent", _percent(rate.rate))
    terms = _add(settlement, "ram:SpecifiedTradePaymentTerms")
    _add(terms, "ram:Description", str(seller.get("payment_terms") or ""))
    if invoice.due_date is not None:
        _date(terms, "ram:DueDateDateTime", invoice.due_date)

    summation = _add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    total_ht, total_tax, total_ttc = sign * invoice.total_ht, sign * invoice.total_tax, sign * invoice.total_ttc
    _add(summation, "ram:LineTotalAmount", _amount(sum((line.total_ht for line in lines), Decimal("0"))))
    _add(summation, "ram:TaxBasisTotalAmount", _amount(total_ht))
    _add(summation, "ram:TaxTotalAmount", _amount(total_tax), currencyID=currency)
    _add(summation, "ram:GrandTotalAmount", _amount(total_ttc))
    _add(summation, "ram:DuePayableAmount", _amount(total_ttc))
    if invoice.kind == "credit_note" and related.corrected_number:
        preceding = _add(settlement, "ram:InvoiceReferencedDocument")
        _add(preceding, "ram:IssuerAssignedID", related.corrected_number)
        if related.corrected_issued_on is not None:
            _date(preceding, "ram:FormattedIssueDateTime", related.corrected_issued_on, data_type="qdt")
    return bytes(tostring(root, encoding="utf-8", xml_declaration=True))


def _day(value: datetime) -> date:
    return value.date()
