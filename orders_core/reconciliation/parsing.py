"""Reading bank statements: CSV (separator, decimal comma, date format and columns detected or
given) and ISO 20022 CAMT.053 XML. Only incoming money (credits) is kept. A malformed row is
reported with its line number and the rest is read."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from orders_core.i18n import _

FIELDS = ("date", "amount", "currency", "payer", "reference", "bank_id")
HEADER_ALIASES = {
    "date": (
        "date",
        "booking date",
        "date opération",
        "date operation",
        "date de valeur",
        "value date",
        "buchungsdatum",
        "valuta",
        "datum",
        "transaction date",
    ),
    "amount": ("amount", "montant", "crédit", "credit", "betrag", "amount (credit)", "montant crédit"),
    "currency": ("currency", "devise", "währung", "ccy"),
    "payer": (
        "payer",
        "name",
        "nom",
        "donneur d'ordre",
        "counterparty",
        "emetteur",
        "émetteur",
        "auftraggeber",
        "debtor",
        "libellé tiers",
        "from",
    ),
    "reference": (
        "reference",
        "référence",
        "communication",
        "libellé",
        "libelle",
        "remittance information",
        "verwendungszweck",
        "motif",
        "description",
        "details",
    ),
    "bank_id": ("bank id", "transaction id", "id", "identifiant", "bank reference", "référence banque"),
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m/%d/%Y", "%d/%m/%y", "%Y%m%d")


@dataclass(frozen=True)
class StatementLine:
    line_number: int
    booked_on: date
    amount: Decimal
    currency: str
    payer: str
    reference: str
    bank_id: str | None = None

    @property
    def checksum(self) -> str:
        """Identity of a transaction across imports: the bank's own id when it has one,
        else date, amount, payer and reference (normalised)."""
        if self.bank_id:
            basis = f"id|{self.bank_id.strip()}"
        else:
            basis = "|".join(
                [
                    self.booked_on.isoformat(),
                    str(self.amount),
                    self.currency,
                    normalize_text(self.payer),
                    normalize_text(self.reference),
                ]
            )
        return hashlib.sha256(basis.encode()).hexdigest()


@dataclass
class ParsedStatement:
    lines: list[StatementLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one readable message per rejected row
    skipped_debits: int = 0


@dataclass(frozen=True)
class CsvOptions:
    separator: str | None = None  # None: detect
    decimal_comma: bool | None = None  # None: detect
    date_format: str | None = None  # None: detect
    columns: dict[str, str] | None = None  # field -> header; None: detect
    default_currency: str = "EUR"


def normalize_text(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", value).strip().lower()


def parse_amount(raw: str, decimal_comma: bool) -> Decimal:
    text = (raw or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    # A currency around the number (EUR 12,00; 12,00 €) is dropped; any other letter (NaN,
    # Infinity, 1e400) makes it not an amount.
    text = re.sub(r"^[A-Za-z]{3}|[A-Za-z]{3}$|[€$£]", "", text)
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?\d{1,10}(\.\d+)?", text):
        raise ValueError(raw)
    return Decimal(text).quantize(Decimal("0.01"))


def parse_date(raw: str, fmt: str) -> date:
    return datetime.strptime(raw.strip(), fmt).date()


def detect_separator(sample: str) -> str:
    first_lines = sample.splitlines()[:5]
    counts = {
        sep: min((line.count(sep) for line in first_lines if line.strip()), default=0) for sep in (";", ",", "\t", "|")
    }
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ";"


def detect_columns(headers: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    normalized = {normalize_text(h): h for h in headers}
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            header = normalized.get(normalize_text(alias))
            if header and header not in found.values():
                found[name] = header
                break
    return found


def detect_decimal_comma(values: list[str]) -> bool:
    for value in values:
        value = value.strip()
        if re.search(r",\d{1,2}$", value):
            return True
        if re.search(r"\.\d{1,2}$", value):
            return False
    return False


def detect_date_format(values: list[str]) -> str:
    for fmt in DATE_FORMATS:
        try:
            for value in values:
                if value.strip():
                    parse_date(value, fmt)
            return fmt
        except ValueError:
            continue
    return DATE_FORMATS[0]


def read_csv(content: bytes | str, options: CsvOptions | None = None) -> ParsedStatement:
    options = options or CsvOptions()
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content.lstrip("\ufeff")
    separator = options.separator or detect_separator(text)
    # newline="": the csv module splits lines itself, so old-Mac "\r" endings read as lines too.
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    result = ParsedStatement()
    if not rows:
        result.errors.append(_("The file is empty."))
        return result
    headers = [h.strip() for h in rows[0]]
    columns = options.columns or detect_columns(headers)
    missing = [name for name in ("date", "amount") if name not in columns]
    if missing:
        result.errors.append(_("Columns not found: {columns}. Map them by hand.").format(columns=", ".join(missing)))
        return result
    index = {name: headers.index(header) for name, header in columns.items() if header in headers}
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    sample = [row[index["amount"]] for _, row in body[:50] if len(row) > index["amount"]]
    decimal_comma = options.decimal_comma if options.decimal_comma is not None else detect_decimal_comma(sample)
    date_format = options.date_format or detect_date_format(
        [row[index["date"]] for _, row in body[:50] if len(row) > index["date"]]
    )

    def cell(row: list[str], name: str) -> str:
        position = index.get(name)
        # A NUL character in a bank's export is noise: dropped, never stored.
        return row[position].replace("\x00", "").strip() if position is not None and position < len(row) else ""

    for number, row in body:
        try:
            booked_on = parse_date(cell(row, "date"), date_format)
        except ValueError:
            result.errors.append(
                _("Line {line}: the date '{value}' is not readable.").format(line=number, value=cell(row, "date"))
            )
            continue
        try:
            amount = parse_amount(cell(row, "amount"), decimal_comma)
        except (ValueError, InvalidOperation):
            result.errors.append(
                _("Line {line}: the amount '{value}' is not a number.").format(line=number, value=cell(row, "amount"))
            )
            continue
        if amount <= 0:
            result.skipped_debits += 1
            continue
        currency = (cell(row, "currency") or options.default_currency).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            result.errors.append(
                _("Line {line}: the currency '{value}' is not an ISO code.").format(line=number, value=currency)
            )
            continue
        result.lines.append(
            StatementLine(
                number,
                booked_on,
                amount,
                currency,
                cell(row, "payer"),
                cell(row, "reference"),
                cell(row, "bank_id") or None,
            )
        )
    return result


def read_camt053(content: bytes | str) -> ParsedStatement:
    """Entries (Ntry) of an ISO 20022 bank-to-customer statement; credits only."""
    result = ParsedStatement()
    try:
        root = ET.fromstring(content if isinstance(content, bytes) else content.encode())
    except ET.ParseError as error:
        result.errors.append(_("The XML file is not readable: {reason}").format(reason=str(error)))
        return result

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def find(node: ET.Element, *path: str) -> ET.Element | None:
        found = node
        for step in path:
            child = next((c for c in found if local(c.tag) == step), None)
            if child is None:
                return None
            found = child
        return found

    def text_of(node: ET.Element, *path: str) -> str:
        found = find(node, *path)
        return (found.text or "").strip() if found is not None else ""

    entries = [node for node in root.iter() if local(node.tag) == "Ntry"]
    for number, entry in enumerate(entries, start=1):
        if text_of(entry, "CdtDbtInd") != "CRDT":
            result.skipped_debits += 1
            continue
        amount_node = find(entry, "Amt")
        try:
            if amount_node is None or amount_node.text is None:
                raise ValueError("no amount")
            amount = Decimal(amount_node.text.strip()).quantize(Decimal("0.01"))
            booked_on = date.fromisoformat((text_of(entry, "BookgDt", "Dt") or text_of(entry, "BookgDt", "DtTm"))[:10])
        except (AttributeError, InvalidOperation, ValueError):
            result.errors.append(_("Entry {line}: amount or booking date missing or unreadable.").format(line=number))
            continue
        details = find(entry, "NtryDtls", "TxDtls")
        payer = reference = ""
        if details is not None:
            payer = text_of(details, "RltdPties", "Dbtr", "Nm") or text_of(details, "RltdPties", "Dbtr", "Pty", "Nm")
            unstructured = [(n.text or "").strip() for n in details.iter() if local(n.tag) == "Ustrd"]
            structured = [(n.text or "").strip() for n in details.iter() if local(n.tag) == "Ref"]
            reference = " ".join(filter(None, unstructured + structured))
        bank_id = text_of(entry, "AcctSvcrRef") or (
            text_of(details, "Refs", "AcctSvcrRef") if details is not None else ""
        )
        result.lines.append(
            StatementLine(
                number, booked_on, amount, (amount_node.get("Ccy") or "EUR").upper(), payer, reference, bank_id or None
            )
        )
    return result
