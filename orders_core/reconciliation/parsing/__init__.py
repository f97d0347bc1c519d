"""Reading bank statements into lines (issue 16): CSV, ISO 20022 CAMT.053 XML and SWIFT MT940.
Every transfer is read, incoming and outgoing, zero amounts included; a row that cannot be read
is reported with its number and the rest is read. One module per format; `lines` holds what they
all read into, `encodings` how bytes become text."""

from __future__ import annotations

from orders_core.i18n import _
from orders_core.reconciliation.parsing.camt import read_camt053
from orders_core.reconciliation.parsing.csv_statement import (
    DATE_FORMATS,
    DIRECTION_FIELDS,
    FIELDS,
    HEADER_ALIASES,
    CsvOptions,
    detect_columns,
    detect_separator,
    parse_amount,
    read_csv,
    statement_headers,
)
from orders_core.reconciliation.parsing.encodings import decode_statement, detect_encoding
from orders_core.reconciliation.parsing.lines import ParsedStatement, StatementLine, normalize_text
from orders_core.reconciliation.parsing.swift import looks_like_mt940, read_mt940

FORMATS = ("csv", "camt053", "mt940")
FILE_EXTENSIONS = ("csv", "txt", "xml", "sta", "mt940", "940")  # for the page's file picker

__all__ = [
    "DATE_FORMATS",
    "DIRECTION_FIELDS",
    "FIELDS",
    "FILE_EXTENSIONS",
    "FORMATS",
    "HEADER_ALIASES",
    "CsvOptions",
    "ParsedStatement",
    "StatementLine",
    "decode_statement",
    "detect_columns",
    "detect_encoding",
    "detect_format",
    "detect_separator",
    "normalize_text",
    "parse_amount",
    "read_camt053",
    "read_csv",
    "read_mt940",
    "read_statement",
    "statement_headers",
]


def detect_format(content: bytes | str, stated: str = "auto") -> str:
    """The statement's format, from its content: XML is CAMT, :20:/:25: tags are MT940, anything
    else is the stated format (`auto`: CSV). The content wins over the stated format: an MT940
    file named .txt is read as MT940."""
    head = decode_statement(content[:4000]).lstrip()
    if head.startswith("<"):
        return "camt053"
    if looks_like_mt940(head):
        return "mt940"
    return "csv" if stated == "auto" else stated


def read_statement(
    content: bytes | str, file_format: str = "auto", csv_options: CsvOptions | None = None
) -> ParsedStatement:
    """Read a statement in its format (`auto`: detected from the content, see detect_format)."""
    if file_format not in ("auto", *FORMATS):
        raise ValueError(_("Unknown statement format '{format}'.").format(format=file_format))
    detected = detect_format(content, file_format)
    if detected == "camt053":
        return read_camt053(content)
    if detected == "mt940":
        return read_mt940(decode_statement(content))
    return read_csv(content, csv_options)
