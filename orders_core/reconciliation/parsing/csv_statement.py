"""CSV statements: encoding, separator, decimal comma, date format and columns detected (or
given), quoted fields over several lines, a signed amount or separate debit and credit columns,
headers in French, English or German. A malformed row is reported with its line number and the
rest is read."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from orders_core.i18n import _
from orders_core.reconciliation.parsing.encodings import decode_statement
from orders_core.reconciliation.parsing.lines import (
    CENT,
    CURRENCY_SYMBOLS,
    ParsedStatement,
    StatementLine,
    currency_code,
    normalize_text,
)
from orders_core.status import BankDirection

# The columns a person may map by hand on the page; DIRECTION_FIELDS are detected only.
FIELDS = ("date", "amount", "currency", "payer", "reference", "bank_id")
DIRECTION_FIELDS = ("debit", "credit", "direction")
HEADER_ALIASES = {
    "date": (
        "date",
        "booking date",
        "date opération",
        "date operation",
        "date comptable",
        "date de valeur",
        "value date",
        "buchungsdatum",
        "buchungstag",
        "valuta",
        "valutadatum",
        "datum",
        "transaction date",
        "posting date",
    ),
    "amount": ("amount", "montant", "betrag", "umsatz", "montant (eur)", "amount (eur)", "betrag (eur)", "value"),
    "debit": ("débit", "debit", "montant débit", "amount (debit)", "debit amount", "soll", "lastschrift", "paid out"),
    "credit": (
        "crédit",
        "credit",
        "montant crédit",
        "amount (credit)",
        "credit amount",
        "haben",
        "gutschrift",
        "paid in",
    ),
    "direction": ("sens", "soll/haben", "s/h", "debit/credit", "d/c", "dr/cr", "cdtdbtind"),
    "currency": ("currency", "devise", "monnaie", "währung", "waehrung", "whg", "ccy", "currency code"),
    "payer": (
        "payer",
        "name",
        "nom",
        "donneur d'ordre",
        "counterparty",
        "contrepartie",
        "tiers",
        "emetteur",
        "émetteur",
        "auftraggeber",
        "auftraggeber/empfänger",
        "empfänger/auftraggeber",
        "name zahlungsbeteiligter",
        "beguenstigter/zahlungspflichtiger",
        "begünstigter/zahlungspflichtiger",
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
        "zweck",
        "buchungstext",
        "motif",
        "description",
        "details",
    ),
    "bank_id": (
        "bank id",
        "transaction id",
        "id",
        "identifiant",
        "bank reference",
        "référence banque",
        "référence bancaire",
        "transaktions-id",
        "bankreferenz",
    ),
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m/%d/%Y", "%d/%m/%y", "%d.%m.%y", "%Y%m%d")
SEPARATORS = (";", ",", "\t", "|")
DEBIT_MARKS = {"d", "s", "dr", "dbit", "debit", "débit", "soll", "-"}
CREDIT_MARKS = {"c", "h", "cr", "crdt", "credit", "crédit", "haben", "+"}
SAMPLE_ROWS = 50
# A reference over several lines has a few line breaks; more means a quote left open swallowed
# the rows after it: reported, never stored as one line.
MAX_LINE_BREAKS = 10


@dataclass(frozen=True)
class CsvOptions:
    separator: str | None = None  # None: detect
    decimal_comma: bool | None = None  # None: detect
    date_format: str | None = None  # None: detect
    columns: dict[str, str] | None = None  # field -> header; None: detect (fields not given are detected)
    default_currency: str = "EUR"  # the statement's currency, for a file without a currency column


def parse_amount(raw: str, decimal_comma: bool) -> tuple[Decimal, str | None]:
    """A cell's amount (signed, to the cent) and the currency written next to it, if any
    ('EUR 12,00', '12,00 CHF', '12,00 €'). Anything else than a number raises ValueError."""
    text = (raw or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    currency = None
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            currency, text = code, text.replace(symbol, "")
    text = text.replace("$", "")
    # A code before or after the number (EUR 12,00; 12,00 CHF); any other letters (NaN,
    # Infinity, 1e400) make it not an amount.
    written = re.fullmatch(r"([A-Za-z]{3})?([^A-Za-z]*)([A-Za-z]{3})?", text)
    if written is None or (written.group(1) and written.group(3)):
        raise ValueError(raw)
    if written.group(1) or written.group(3):
        currency = currency_code(written.group(1) or written.group(3))
        if currency is None:
            raise ValueError(raw)
    text = written.group(2)
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if text.endswith("-") and re.fullmatch(r"\d[\d.]*-", text):  # "45,00-": a German debit
        text = "-" + text[:-1]
    if not re.fullmatch(r"[+-]?\d{1,10}(\.\d+)?", text):
        raise ValueError(raw)
    return Decimal(text).quantize(CENT), currency


@lru_cache(maxsize=4096)
def parse_date(raw: str, fmt: str) -> date:
    """Cached: a statement has few distinct dates, and strptime was a third of reading one."""
    return datetime.strptime(raw.strip(), fmt).date()


def _rows(text: str, separator: str, limit: int | None = None) -> list[list[str]]:
    # newline="": the csv module splits lines itself (quoted line breaks, old-Mac "\r" endings).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def detect_separator(sample: str) -> str:
    """The separator that reads the sample best: most recognised headers, then rows that all have
    the header's number of cells (quoted fields over several lines read as one cell), then most
    columns. The csv module reads each try, so quotes are honoured."""

    def score(separator: str) -> tuple[int, int, int]:
        rows = [row for row in _rows(sample, separator, 20) if any(cell.strip() for cell in row)]
        if not rows:
            return (0, 0, 0)
        width = len(rows[0])
        recognised = len(detect_columns([cell.strip() for cell in rows[0]])) if width > 1 else 0
        consistent = sum(1 for row in rows[1:] if len(row) == width) if width > 1 else 0
        return (recognised, consistent, width)

    best = max(SEPARATORS, key=score)
    return best if score(best)[2] > 1 else ";"


def _header_key(header: str) -> str:
    """A header without case, accents, apostrophes (straight or typographic) or punctuation."""
    return re.sub(r"[^a-z0-9/]+", " ", normalize_text(re.sub(r"['’‘`´]", " ", header))).strip()


def detect_columns(headers: list[str]) -> dict[str, str]:
    """Field -> header, from the header's names (HEADER_ALIASES, without case or accents)."""
    found: dict[str, str] = {}
    normalized: dict[str, str] = {}
    for header in headers:
        normalized.setdefault(_header_key(header), header)
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            match = normalized.get(_header_key(alias))
            if match and match not in found.values():
                found[name] = match
                break
    return found


def statement_headers(content: bytes | str, separator: str | None = None) -> list[str]:
    """The header row of a CSV statement, decoded as the import decodes it (for the page's column
    mapping: a header read otherwise would not be found at import)."""
    text = decode_statement(content)
    sample = text[:64_000]
    rows = _rows(sample, separator or detect_separator(sample), 1)
    return [cell.strip() for cell in rows[0]] if rows else []


def detect_decimal_comma(values: list[str]) -> bool:
    for value in values:
        value = value.strip().rstrip("-").strip()
        value = re.sub(r"\s*([A-Za-z]{3}|[€$£])$", "", value)
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


def _in_headers(wanted: str, headers: list[str]) -> str | None:
    """The file's header a mapping names: the same text, else the same once every non-ASCII
    letter is a wildcard (a header read as UTF-8 with replacement characters by the page, from a
    Latin-1 file, still names its column)."""
    if wanted in headers:
        return wanted

    def loose(header: str) -> str:
        return re.sub(r"[^\x00-\x7f]", "?", header.strip())

    same = [header for header in headers if loose(header) == loose(wanted)]
    return same[0] if len(same) == 1 else None


def _currency_column(headers: list[str], body: list[tuple[int, list[str]]], taken: set[int]) -> int | None:
    """A column whose header was not recognised but whose every value is a currency code: it is
    the currency (never a silent default currency when the file has one)."""
    for position in range(len(headers)):
        if position in taken:
            continue
        values = [
            row[position].strip() for _, row in body[:SAMPLE_ROWS] if position < len(row) and row[position].strip()
        ]
        if values and all(currency_code(value) and not value.isdigit() for value in values):
            return position
    return None


def _direction(mark: str) -> BankDirection | None:
    mark = mark.strip().lower()
    if mark in DEBIT_MARKS:
        return BankDirection.DEBIT
    if mark in CREDIT_MARKS:
        return BankDirection.CREDIT
    return None


def read_csv(content: bytes | str, options: CsvOptions | None = None) -> ParsedStatement:
    """Every row of a CSV statement as a line, incoming and outgoing (a negative amount, a
    debit column, a debit mark), zero amounts included."""
    options = options or CsvOptions()
    text = decode_statement(content)
    separator = options.separator or detect_separator(text[:64_000])
    result = ParsedStatement(file_format="csv")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        result.errors.append(_("The CSV file is not readable: {reason}").format(reason=str(error)))
        return result
    if not rows:
        result.errors.append(_("The file is empty."))
        return result
    headers = [h.replace("\x00", "").strip() for h in rows[0]]
    detected = detect_columns(headers)
    columns: dict[str, str] = {}
    unknown = []
    for name, header in (options.columns or {}).items():
        found = _in_headers(header, headers)
        if found is None:
            unknown.append(header)
        else:
            columns[name] = found
    if unknown:
        result.errors.append(
            _("Columns not in the file: {columns}. Map them again.").format(columns=", ".join(unknown))
        )
        return result
    # A field the mapping leaves out is detected from the header (the page never maps debit,
    # credit or a direction mark; a page that decoded the header otherwise may not have found some).
    for name, header in detected.items():
        if name not in columns and header not in columns.values():
            columns[name] = header
    has_amount = "amount" in columns or "debit" in columns or "credit" in columns
    missing = [name for name, present in (("date", "date" in columns), ("amount", has_amount)) if not present]
    if missing:
        result.errors.append(_("Columns not found: {columns}. Map them by hand.").format(columns=", ".join(missing)))
        return result
    index = {name: headers.index(header) for name, header in columns.items()}
    if "amount" in index:  # a signed amount wins over debit and credit columns
        index.pop("debit", None)
        index.pop("credit", None)
    number = 1
    body: list[tuple[int, list[str]]] = []
    for row in rows[1:]:
        number += 1  # the row's number in a spreadsheet (a quoted cell over several lines is one row)
        if any(cell.strip() for cell in row):
            body.append((number, row))
    if "currency" not in index:
        by_values = _currency_column(headers, body, set(index.values()))
        if by_values is not None:
            index["currency"] = by_values

    def cell(row: list[str], name: str) -> str:
        position = index.get(name)
        # A NUL character in a bank's export is noise: dropped, never stored.
        return row[position].replace("\x00", "").strip() if position is not None and position < len(row) else ""

    amount_fields = [name for name in ("amount", "credit", "debit") if name in index]
    sample = [cell(row, name) for _, row in body[:SAMPLE_ROWS] for name in amount_fields if cell(row, name)]
    decimal_comma = options.decimal_comma if options.decimal_comma is not None else detect_decimal_comma(sample)
    date_format = options.date_format or detect_date_format([cell(row, "date") for _, row in body[:SAMPLE_ROWS]])
    default_currency = (options.default_currency or "EUR").upper()
    for number, row in body:
        if sum(cell.count("\n") for cell in row) > MAX_LINE_BREAKS:
            result.errors.append(
                _("Line {line}: a quote opened on this line is never closed; what follows it was not read.").format(
                    line=number
                )
            )
            continue
        line = _line(number, row, cell, decimal_comma, date_format, default_currency, "currency" in index)
        if isinstance(line, str):
            result.errors.append(line)
        else:
            result.lines.append(line)
    return result


def _line(
    number: int,
    row: list[str],
    cell: Callable[[list[str], str], str],
    decimal_comma: bool,
    date_format: str,
    default_currency: str,
    has_currency: bool,
) -> StatementLine | str:
    """One row as a line, or the message saying why it is not one."""
    try:
        booked_on = parse_date(cell(row, "date"), date_format)
    except ValueError:
        return _("Line {line}: the date '{value}' is not readable.").format(line=number, value=cell(row, "date"))
    amounts: list[tuple[str, Decimal, str | None]] = []
    for name in ("amount", "credit", "debit"):
        raw = cell(row, name)
        if raw:
            try:
                amounts.append((name, *parse_amount(raw, decimal_comma)))
            except (ValueError, InvalidOperation):
                return _("Line {line}: the amount '{value}' is not a number.").format(line=number, value=raw)
    if not amounts:
        return _("Line {line}: no amount.").format(line=number)
    nonzero = [amount for amount in amounts if amount[1]]
    if len(nonzero) > 1:
        return _("Line {line}: an amount in both the debit and the credit column.").format(line=number)
    name, value, written_currency = (nonzero or amounts)[0]
    signed = {"amount": value, "credit": abs(value), "debit": -abs(value)}[name]
    direction = BankDirection.DEBIT if signed < 0 else BankDirection.CREDIT
    mark = cell(row, "direction")
    if mark:
        marked = _direction(mark)
        if marked is None:
            return _("Line {line}: '{value}' says neither debit nor credit.").format(line=number, value=mark)
        direction = marked
    raw_currency = cell(row, "currency")
    if has_currency:
        currency = currency_code(raw_currency) if raw_currency else written_currency
        if currency is None:
            if not raw_currency:
                return _("Line {line}: the currency is missing.").format(line=number)
            return _("Line {line}: the currency '{value}' is not an ISO code.").format(line=number, value=raw_currency)
        if written_currency and written_currency != currency:
            return _("Line {line}: the amount is in {written}, the currency column says {currency}.").format(
                line=number, written=written_currency, currency=currency
            )
    else:
        currency = written_currency or default_currency
        if currency_code(currency) is None:
            return _("Line {line}: the currency '{value}' is not an ISO code.").format(line=number, value=currency)
    return StatementLine(
        number,
        booked_on,
        abs(signed),
        currency,
        cell(row, "payer"),
        cell(row, "reference"),
        cell(row, "bank_id") or None,
        direction,
    )
