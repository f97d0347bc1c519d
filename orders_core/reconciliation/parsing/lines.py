"""What every statement format reads into: one `StatementLine` per transfer (in or out), the
rows it could not read, and the identity (checksum) that keeps a line from being stored twice."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from babel.numbers import list_currencies

from orders_core.status import BankDirection

CENT = Decimal("0.01")
# ISO 4217 codes (Babel's list): a value of a currency column or an amount's suffix is one of
# these, else it is not a currency.
CURRENCIES = frozenset(list_currencies())
CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY"}  # "$" names several currencies: not read


def normalize_text(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", value).strip().lower()


def currency_code(raw: str) -> str | None:
    """The ISO code a cell names ('chf', 'EUR', '€'), or None."""
    text = (raw or "").strip()
    text = CURRENCY_SYMBOLS.get(text, text).upper()
    return text if text in CURRENCIES else None


@dataclass(frozen=True)
class StatementLine:
    """One transfer of a statement. `amount` is its magnitude (>= 0); `direction` says which way
    the money went. `end_to_end_id` is the payer's own id of the transfer (CAMT, MT940 EREF)."""

    line_number: int
    booked_on: date
    amount: Decimal
    currency: str
    payer: str
    reference: str
    bank_id: str | None = None
    direction: BankDirection = BankDirection.CREDIT
    end_to_end_id: str | None = None

    @cached_property
    def checksum(self) -> str:
        """Identity of a line across imports. With the bank's id: that id with the amount, the
        date and the direction (a reused id with other values is another line, stored and
        flagged by the classifier). Without: date, amount, currency, payer and reference
        (normalised), and the direction of an outgoing line (an incoming line's basis is the one
        used before outgoing lines were imported, so older imports still recognise it)."""
        if self.bank_id:
            basis = "|".join(
                ["id", self.bank_id.strip(), str(self.amount), self.booked_on.isoformat(), self.direction.value]
            )
        else:
            parts = [
                self.booked_on.isoformat(),
                str(self.amount),
                self.currency,
                normalize_text(self.payer),
                normalize_text(self.reference),
            ]
            if self.direction is BankDirection.DEBIT:
                parts.append(BankDirection.DEBIT.value)
            basis = "|".join(parts)
        return hashlib.sha256(basis.encode()).hexdigest()

    @cached_property
    def legacy_checksum(self) -> str | None:
        """The checksum a line with a bank id was stored under before issue 16 (the id alone):
        an import looks it up too, so a statement imported before is still recognised."""
        if not self.bank_id:
            return None
        return hashlib.sha256(f"id|{self.bank_id.strip()}".encode()).hexdigest()


@dataclass
class ParsedStatement:
    lines: list[StatementLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one readable message per rejected row
    file_format: str = "csv"

    @property
    def debits(self) -> int:
        return sum(1 for line in self.lines if line.direction is BankDirection.DEBIT)
