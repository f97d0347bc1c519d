"""Ranked match suggestions between incoming transfers and open invoice orders. Pure: no I/O.

Signals, each explained in the suggestion: the 7-digit order number found in the reference
(spaces, dashes, dots, a prefix, leading zeros and line breaks tolerated), the amount equal to
the balance due, the payer's name close to the buyer's or company's, the transfer dated after
the order. One transfer may pay several orders when their balances add up to it.

Candidates come from indexes (by number, by amount, by name token), never from a scan of every
open order per transaction, so 5,000 transfers against 100,000 orders take seconds."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

from orders_core.i18n import N_
from orders_core.reconciliation.parsing import normalize_text

HIGH_CONFIDENCE = 80
MAX_SUGGESTIONS = 5
_DIGIT_RUN = re.compile(r"\d(?:[\s\-./_]*\d)*")

REASON_NUMBER = N_("order number {number} in the reference")
REASON_NUMBERS = N_("order numbers {numbers} in the reference")
REASON_AMOUNT = N_("amount equals the balance due")
REASON_AMOUNT_SUM = N_("amount equals the sum of the balances")
REASON_PARTIAL = N_("amount is less than the balance due (partial payment)")
REASON_OVER = N_("amount is more than the balance due (overpayment)")
REASON_NAME = N_("payer name close to {name}")
REASON_AFTER = N_("transfer dated after the order")
REASON_BEFORE = N_("transfer dated before the order")


@dataclass(frozen=True)
class OpenOrder:
    id: int
    number: int
    currency: str
    balance_due: Decimal
    created_on: date
    buyer_name: str
    company_name: str = ""


@dataclass(frozen=True)
class Transfer:
    id: int
    booked_on: date
    amount: Decimal
    currency: str
    payer: str
    reference: str


@dataclass
class Suggestion:
    transfer_id: int
    order_ids: tuple[int, ...]
    order_numbers: tuple[int, ...]
    allocations: tuple[Decimal, ...]  # what goes to each order (never more than its balance)
    score: int
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (message marked N_, format args)
    exact_amount: bool = False

    @property
    def high_confidence(self) -> bool:
        """Safe to confirm in bulk: a strong score AND the transfer settles the order(s) exactly;
        partial and over-payments always go past a person."""
        return self.score >= HIGH_CONFIDENCE and self.exact_amount


def numbers_in(reference: str) -> list[int]:
    """7-digit order numbers in a free-text reference, in order of appearance. Digits split by
    spaces, dashes, dots or line breaks are joined back, leading zeros are dropped, and a run of
    several numbers ("1234567 / 1234568", "12345671234568") gives each of them."""
    found: list[int] = []

    def keep(digits: str) -> bool:
        stripped = digits.lstrip("0")
        if len(stripped) == 7 and int(stripped) not in found:
            found.append(int(stripped))
            return True
        return len(stripped) == 7

    for run in _DIGIT_RUN.findall(reference or ""):
        chunks = re.findall(r"\d+", run)
        i = 0
        while i < len(chunks):
            chunk = chunks[i]
            if len(chunk) > 7 and len(chunk) % 7 == 0 and len(chunk.lstrip("0")) != 7:
                for k in range(0, len(chunk), 7):
                    keep(chunk[k : k + 7])
                i += 1
                continue
            digits, j = "", i
            while j < len(chunks) and len((digits + chunks[j]).lstrip("0")) <= 7:
                digits += chunks[j]
                j += 1
            if digits and keep(digits):
                i = j
            else:
                i += 1
    return found


def _tokens(text: str) -> frozenset[str]:
    return frozenset(normalize_text(text).split())


def name_similarity(payer_tokens: frozenset[str], names: tuple[tuple[str, frozenset[str]], ...]) -> tuple[float, str]:
    """How close (0..1) the payer is to the buyer's name (either way round) or the company.
    Word overlap first, which is fast and ignores order and accents; a character-level ratio
    only for a near miss (a typo)."""
    if not payer_tokens:
        return 0.0, ""
    best, best_name = 0.0, ""
    for name, tokens in names:
        overlap = len(payer_tokens & tokens) / max(len(tokens), 1)
        if 0.5 <= overlap < 1:  # one word of two matches: maybe a typo in the other
            overlap = max(
                overlap, SequenceMatcher(None, " ".join(sorted(payer_tokens)), " ".join(sorted(tokens))).ratio()
            )
        if overlap > best:
            best, best_name = overlap, name
    return best, best_name


class Matcher:
    """Indexes the open orders once; `suggest(transfer)` then ranks candidates for each transfer."""

    def __init__(self, orders: Iterable[OpenOrder]):
        self.by_number: dict[int, OpenOrder] = {}
        self.by_amount: dict[tuple[str, Decimal], list[OpenOrder]] = defaultdict(list)
        self.by_token: dict[tuple[str, str], list[OpenOrder]] = defaultdict(list)
        self.by_amount_token: dict[tuple[str, Decimal, str], list[OpenOrder]] = defaultdict(list)
        self.names: dict[int, tuple[tuple[str, frozenset[str]], ...]] = {}
        self.tokens: dict[int, frozenset[str]] = {}
        for order in orders:
            self.by_number[order.number] = order
            self.by_amount[(order.currency, order.balance_due)].append(order)
            names = tuple((n, _tokens(n)) for n in (order.buyer_name, order.company_name) if n.strip())
            self.names[order.id] = names
            self.tokens[order.id] = frozenset().union(*(t for _, t in names)) if names else frozenset()
            for token in self.tokens[order.id]:
                if len(token) >= 3:
                    self.by_token[(order.currency, token)].append(order)
                    self.by_amount_token[(order.currency, order.balance_due, token)].append(order)

    def suggest(self, transfer: Transfer) -> list[Suggestion]:
        suggestions: list[Suggestion] = []
        payer_tokens = _tokens(transfer.payer)
        referenced = [self.by_number[n] for n in numbers_in(transfer.reference) if n in self.by_number]
        referenced = [o for o in referenced if o.currency == transfer.currency]
        if len(referenced) > 1:
            total = sum((o.balance_due for o in referenced), Decimal("0"))
            if total == transfer.amount:
                reasons = [
                    (REASON_NUMBERS, {"numbers": ", ".join(str(o.number) for o in referenced)}),
                    (REASON_AMOUNT_SUM, {}),
                ]
                suggestions.append(
                    Suggestion(
                        transfer.id,
                        tuple(o.id for o in referenced),
                        tuple(o.number for o in referenced),
                        tuple(o.balance_due for o in referenced),
                        95,
                        reasons,
                        exact_amount=True,
                    )
                )
        candidates: dict[int, OpenOrder] = {o.id: o for o in referenced}
        if not candidates:
            # No order number: the amount and the payer's name must meet. An amount shared by
            # many orders says nothing alone, and a very common name token neither.
            same_amount = self.by_amount.get((transfer.currency, transfer.amount), [])
            if len(same_amount) <= 20:
                candidates.update((o.id, o) for o in same_amount)
            for token in payer_tokens:
                candidates.update(
                    (o.id, o) for o in self.by_amount_token.get((transfer.currency, transfer.amount, token), [])
                )
            for token in payer_tokens:
                bucket = self.by_token.get((transfer.currency, token), [])
                if len(bucket) <= 50:
                    candidates.update((o.id, o) for o in bucket)
        referenced_ids = {o.id for o in referenced}
        for order in candidates.values():
            suggestion = self._score(transfer, payer_tokens, order, order.id in referenced_ids)
            if suggestion.score >= 30:
                suggestions.append(suggestion)
        suggestions.sort(key=lambda s: (-s.score, s.order_numbers))
        return suggestions[:MAX_SUGGESTIONS]

    def _score(
        self, transfer: Transfer, payer_tokens: frozenset[str], order: OpenOrder, referenced: bool
    ) -> Suggestion:
        score, reasons = 0, []
        if referenced:
            score += 60
            reasons.append((REASON_NUMBER, {"number": str(order.number)}))
        if transfer.amount == order.balance_due:
            score += 25
            reasons.append((REASON_AMOUNT, {}))
        elif transfer.amount < order.balance_due:
            score += 5 if referenced else 0
            reasons.append((REASON_PARTIAL, {}))
        else:
            score += 5 if referenced else 0
            reasons.append((REASON_OVER, {}))
        similarity, name = name_similarity(payer_tokens, self.names.get(order.id, ()))
        if similarity >= 0.6:
            score += round(20 * similarity)
            reasons.append((REASON_NAME, {"name": name}))
        if transfer.booked_on >= order.created_on:
            score += 5
            reasons.append((REASON_AFTER, {}))
        else:
            score -= 25
            reasons.append((REASON_BEFORE, {}))
        allocation = min(transfer.amount, order.balance_due)
        return Suggestion(
            transfer.id,
            (order.id,),
            (order.number,),
            (allocation,),
            max(min(score, 100), 0),
            reasons,
            exact_amount=transfer.amount == order.balance_due,
        )
