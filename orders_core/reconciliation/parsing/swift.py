"""SWIFT MT940 statements, read by the mt-940 library: one line per :61: transaction, credits
and debits (reversals as the direction they move money), with the payer (or payee) and the
reference from the :86: details where the bank gives them: the German structured form (?20-?29
purpose with SVWZ+/EREF+, ?32-?33 name) read by the library, the slash-keyed form
(/REMI/, /ORDP/, /BENM/, /EREF/) and plain text."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from orders_core.i18n import _
from orders_core.reconciliation.parsing.lines import CENT, ParsedStatement, StatementLine, currency_code
from orders_core.status import BankDirection

NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}
SLASH_KEYS = ("REMI", "ORDP", "BENM", "EREF", "NAME", "ADDR", "IBAN", "BIC", "TRCD", "MARF", "CSID", "RTRN", "PREF")
_SLASHED = re.compile(r"/(" + "|".join(SLASH_KEYS) + r")/")


def looks_like_mt940(text: str) -> bool:
    head = text[:4000]
    return bool(re.search(r"^:20:", head, re.M)) and bool(re.search(r"^:(25|60F|60M):", head, re.M))


def _slashed(details: str) -> dict[str, str]:
    """The slash-keyed :86: form ('/EREF/x/REMI/CMD 1/ORDP//NAME/Anna'), key -> value."""
    parts = _SLASHED.split(details)
    if len(parts) < 3 or parts[0].strip():
        return {}
    found: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        value = value.strip().strip("/").strip()
        if value and key not in found:
            found[key] = value
    return found


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def _details(data: dict[str, Any], direction: BankDirection) -> tuple[str, str, str | None]:
    """(counterparty, reference, end-to-end id) of one transaction's data."""
    end_to_end = _clean(data.get("end_to_end_reference"))
    if "purpose" in data or "applicant_name" in data:  # the structured form, parsed by the library
        payer = _clean(data.get("applicant_name"))
        reference = _clean(data.get("purpose")) or _clean(data.get("posting_text"))
    else:
        raw = _clean(str(data.get("transaction_details") or "").replace("\n", " "))
        keyed = _slashed(raw)
        if keyed:
            party = keyed.get("ORDP" if direction is BankDirection.CREDIT else "BENM") or keyed.get("NAME", "")
            payer = _clean(party.split("/NAME/")[-1])
            reference = keyed.get("REMI", "")
            end_to_end = end_to_end or keyed.get("EREF", "")
        else:
            payer, reference = "", raw
    customer = _clean(data.get("customer_reference"))
    if customer.upper() not in NO_REFERENCE and customer not in reference:
        reference = f"{reference} {customer}".strip()
    return payer, reference, (end_to_end if end_to_end.upper() not in NO_REFERENCE else None)


def _parse(text: str) -> list[Any]:
    # A file object, never a str: the library reads a str that names an existing file.
    return list(
        mt940.parse(
            io.StringIO(text),
            processors=dict(post_transaction_details=[mt940.processors.transaction_details_post_processor]),
            options=mt940.Options.all(),
        )
    )


def _one_by_one(text: str, errors: list[str]) -> list[tuple[int, Any]]:
    """The transactions of a file the library refused as a whole, each :61: (with its :86:) read
    on its own under its statement's header, so one malformed transaction is reported and the
    others are read."""
    transactions: list[tuple[int, Any]] = []
    header: list[str] = []
    chunk: list[str] = []
    number = 0

    def flush() -> None:
        if not chunk:
            return
        try:
            transactions.extend((number, t) for t in _parse("\n".join(header + chunk) + "\n"))
        except Exception:
            errors.append(_("Transaction {line}: not readable: '{value}'.").format(line=number, value=chunk[0][:80]))
        chunk.clear()

    for line in text.splitlines():
        if line.startswith(":61:"):
            flush()
            number += 1
            chunk.append(line)
        elif line.startswith((":20:", ":62", "-")) or (not chunk and line.startswith(":")):
            flush()
            if line.startswith(":20:"):
                header = []
            if not line.startswith((":62", "-")):
                header.append(line)
        elif chunk:
            chunk.append(line)
        else:
            header.append(line)
    flush()
    return transactions


def read_mt940(text: str) -> ParsedStatement:
    """Every transaction of an MT940 file (several statements may follow each other)."""
    result = ParsedStatement(file_format="mt940")
    try:
        transactions = list(enumerate(_parse(text), start=1))
    except Exception:
        transactions = _one_by_one(text, result.errors)
    if not transactions and not result.errors:
        result.errors.append(_("The MT940 file has no transaction."))
    for number, transaction in transactions:
        data = transaction.data
        amount = data.get("amount")
        booked_on = data.get("entry_date") or data.get("date")
        currency = currency_code(getattr(amount, "currency", None) or data.get("currency") or "")
        if amount is None or booked_on is None or currency is None:
            result.errors.append(
                _("Transaction {line}: amount, currency or date missing or unreadable.").format(line=number)
            )
            continue
        signed = Decimal(amount.amount).quantize(CENT)
        status = str(data.get("status") or "").upper()
        direction = BankDirection.DEBIT if signed < 0 or status in {"D", "RC"} else BankDirection.CREDIT
        payer, reference, end_to_end = _details(data, direction)
        bank_reference = _clean(data.get("bank_reference"))
        customer_reference = _clean(data.get("customer_reference"))
        bank_id = bank_reference or (customer_reference if customer_reference.upper() not in NO_REFERENCE else "")
        result.lines.append(
            StatementLine(
                number,
                date(booked_on.year, booked_on.month, booked_on.day),  # the library's Date subclass
                abs(signed),
                currency,
                payer,
                reference,
                bank_id or None,
                direction,
                end_to_end,
            )
        )
    return result
