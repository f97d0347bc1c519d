"""Ranked match suggestions between incoming transfers and open invoice orders. Pure: no I/O.

Signals, each explained in the suggestion: the 7-digit order number found in the reference
(spaces, dashes, dots, a prefix, leading zeros and line breaks tolerated; look-alike letters
such as "1OOOO42" at a lower score; an invoice or credit-note number of the order, issue 21,
weighs as its order number), the amount equal to the balance due, the payer's name
close to the buyer's or company's (names.py), the transfer dated after the order. One transfer
may pay several orders when their balances add up to it.

A suggestion is `decided` when it may be confirmed without a person: high confidence (strong
score, exact amount) and no other exact-amount suggestion within DECISION_MARGIN points. An
exact amount plus a payer name that matches one open order only (NAME_DECIDED, no other
exact-amount order at NAME_CLOSE or closer) scores like an order number.

A suggestion says what linked it: `by_reference` (an order number, exact or look-alike, in the
reference) and `name_score` (the payer's name against the buyer's or company's; None when the
line has no payer name). When neither links it (`amount_only`: the order merely owes that
amount) it is ranked after every linked suggestion and never `decided`; the classifier then
shows the order as a possibility only (classify.py).

Candidates come from indexes (by number, by currency and amount, by name word), never from a
scan of every open order per transaction: names are compared only with the orders of the
exact amount (rapidfuzz's `process.extract` over that bucket's keys) or sharing a word with
the payer, so 50,000 transfers against 100,000 orders take seconds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz, process

from orders_core.i18n import N_
from orders_core.reconciliation.names import NAME_CLOSE, NAME_DECIDED, NAME_SIGNAL, has_initial, key_score, name_key
from orders_core.reconciliation.references import NumberMention, numbers_in, order_number_mentions

__all__ = [
    "HIGH_CONFIDENCE",
    "Matcher",
    "NumberMention",
    "OpenOrder",
    "Suggestion",
    "Transfer",
    "name_similarity",
    "numbers_in",
    "order_number_mentions",
]

HIGH_CONFIDENCE = 80
DECISION_MARGIN = 10  # a second exact-amount suggestion this close: a person decides
MAX_SUGGESTIONS = 5
MIN_SCORE = 30
# Points per signal (a suggestion's score is capped to 0..100).
NUMBER_POINTS = 60
LOOK_ALIKE_POINTS = 45  # below NUMBER_POINTS: with the amount alone it stays under HIGH_CONFIDENCE
NAME_DECIDED_POINTS = NUMBER_POINTS
AMOUNT_POINTS = 25
NAME_POINTS = 20  # scaled by the name score
# An amount shared by more orders than this says nothing alone (it is still compared by name).
AMOUNT_ONLY_BUCKET = 20
# A name word shared by more orders than this is too common to find candidates by.
WORD_BUCKET = 50
# rapidfuzz's first pass over the orders of the exact amount; hits are rescored (initials).
PREFILTER_CUTOFF = 50
# Past this many names owing the same amount (one price for a whole event), only those sharing
# a word with the payer are compared (its words held by at most WORD_BUCKET of them, else its
# rarest word): a typo in the surname is then not found.
EXTRACT_LIMIT = 1000
# The closest names of the exact amount ranked as candidates (all of them count for "close").
NAME_CANDIDATES = 2 * MAX_SUGGESTIONS

REASON_NUMBER = N_("order number {number} in the reference")
REASON_NUMBERS = N_("order numbers {numbers} in the reference")
REASON_INVOICE = N_("invoice {document} of order {number} in the reference")
REASON_CREDIT_NOTE = N_("credit note {document} of order {number} in the reference")
REASON_LOOK_ALIKE = N_("order number {number} read from '{text}' in the reference (look-alike characters)")
REASON_AMOUNT = N_("amount equals the balance due")
REASON_AMOUNT_SUM = N_("amount equals the sum of the balances")
REASON_PARTIAL = N_("amount is less than the balance due (partial payment)")
REASON_OVER = N_("amount is more than the balance due (overpayment)")
REASON_NAME = N_("payer name close to {name}")
REASON_NAME_DECIDED = N_("exact amount and payer name: no other open order comes close")
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
    event_id: int | None = None  # issue 17: one transfer never pays orders of two events


@dataclass(frozen=True)
class Transfer:
    id: int
    booked_on: date
    amount: Decimal
    currency: str
    payer: str
    reference: str
    # Orders named by an invoice or credit-note number in the reference (document_refs.py).
    document_mentions: tuple[NumberMention, ...] = ()


@dataclass
class Suggestion:
    transfer_id: int
    order_ids: tuple[int, ...]
    order_numbers: tuple[int, ...]
    allocations: tuple[Decimal, ...]  # what goes to each order (never more than its balance)
    score: int
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (message marked N_, format args)
    exact_amount: bool = False
    decided: bool = False  # the transfer's best suggestion, safe to confirm without a person
    by_reference: bool = False  # an order number (exact or look-alike) in the reference names it
    name_score: float | None = None  # payer's name vs buyer's / company's (0..100); None: no payer name

    @property
    def by_name(self) -> bool:
        """The payer's name is the buyer's or company's, as far as NAME_SIGNAL goes."""
        return self.name_score is not None and self.name_score >= NAME_SIGNAL

    @property
    def amount_only(self) -> bool:
        """Only the amount links the transfer to the order: no order number in the reference and
        no payer's name close to the buyer's or company's (or no payer name at all)."""
        return self.exact_amount and not self.by_reference and not self.by_name

    @property
    def payer_contradicts(self) -> bool:
        """Only the amount links it, and the line has a payer name that is someone else's."""
        return self.amount_only and self.name_score is not None

    @property
    def high_confidence(self) -> bool:
        """Safe to confirm in bulk: a strong score AND the transfer settles the order(s) exactly;
        partial and over-payments always go past a person."""
        return self.score >= HIGH_CONFIDENCE and self.exact_amount


def name_similarity(payer_tokens: frozenset[str], names: tuple[tuple[str, frozenset[str]], ...]) -> tuple[float, str]:
    """How close (0..1) the payer's words are to the closest of `names` ((shown name, words)),
    and that name: names.key_score on the sorted words."""
    payer = " ".join(sorted(payer_tokens))
    best, best_name = 0.0, ""
    for name, tokens in names:
        score = key_score(payer, " ".join(sorted(tokens))) / 100
        if score > best:
            best, best_name = score, name
    return best, best_name


def _document_reason(number: int, mention: NumberMention) -> tuple[str, dict[str, Any]]:
    key = REASON_CREDIT_NOTE if mention.document_kind == "credit_note" else REASON_INVOICE
    return key, {"document": mention.document, "number": str(number)}


def _decide(ranked: list[Suggestion]) -> None:
    """Mark the best suggestion decided when it is high-confidence and no other suggestion that
    would settle the transfer exactly comes within DECISION_MARGIN points; never one linked by
    the amount alone."""
    if not ranked or not ranked[0].high_confidence or ranked[0].amount_only:
        return
    top = ranked[0]
    if not any(s.exact_amount and s.score >= top.score - DECISION_MARGIN for s in ranked[1:]):
        top.decided = True


class Matcher:
    """Indexes the open orders once; `suggest(transfer)` then ranks candidates for each transfer."""

    def __init__(self, orders: Iterable[OpenOrder]):
        self.by_number: dict[int, OpenOrder] = {}
        self.by_id: dict[int, OpenOrder] = {}
        self.by_amount: dict[tuple[str, Decimal], list[OpenOrder]] = defaultdict(list)
        by_currency: dict[str, list[OpenOrder]] = defaultdict(list)
        for order in orders:
            self.by_number[order.number] = order
            self.by_id[order.id] = order
            self.by_amount[(order.currency, order.balance_due)].append(order)
            by_currency[order.currency].append(order)
        self.by_currency = dict(by_currency)
        # Built on first use: most transfers name their order and need no name index at all.
        self._keys: dict[int, tuple[tuple[str, str], ...]] = {}  # order id -> ((shown name, key), ...)
        self._choices: dict[tuple[str, Decimal], tuple[list[str], list[tuple[OpenOrder, str]]]] = {}
        self._words: dict[str, dict[str, list[OpenOrder]]] = {}
        self._words_in_bucket: dict[tuple[str, Decimal], dict[str, list[int]]] = {}

    def keys(self, order: OpenOrder) -> tuple[tuple[str, str], ...]:
        """(shown name, name key) of the order's buyer and company."""
        keys = self._keys.get(order.id)
        if keys is None:
            keys = tuple(
                (shown, key) for shown in (order.buyer_name, order.company_name) if shown and (key := name_key(shown))
            )
            self._keys[order.id] = keys
        return keys

    def by_word(self, currency: str, word: str) -> list[OpenOrder]:
        """The currency's open orders whose buyer or company has this name word."""
        index = self._words.get(currency)
        if index is None:
            index = self._words[currency] = defaultdict(list)
            for order in self.by_currency.get(currency, ()):
                for w in {w for _, key in self.keys(order) for w in key.split() if len(w) >= 3}:
                    index[w].append(order)
        return index.get(word, [])

    def _bucket_choices(self, currency: str, amount: Decimal) -> tuple[list[str], list[tuple[OpenOrder, str]]]:
        """The name keys of the orders owing exactly `amount` (built on first use)."""
        bucket = (currency, amount)
        if bucket not in self._choices:
            keys, owners = [], []
            for order in self.by_amount.get(bucket, ()):
                for shown, key in self.keys(order):
                    keys.append(key)
                    owners.append((order, shown))
            self._choices[bucket] = (keys, owners)
        return self._choices[bucket]

    def _bucket_words(self, bucket: tuple[str, Decimal]) -> dict[str, list[int]]:
        """For a large bucket: name word -> positions in its choices (built on first use)."""
        words = self._words_in_bucket.get(bucket)
        if words is None:
            words = self._words_in_bucket[bucket] = defaultdict(list)
            for i, key in enumerate(self._choices[bucket][0]):
                for w in set(key.split()):
                    if len(w) >= 3:
                        words[w].append(i)
        return words

    def _name(self, payer_key: str, order: OpenOrder) -> tuple[float, str]:
        best, shown_best = 0.0, ""
        for shown, key in self.keys(order):
            score = key_score(payer_key, key)
            if score > best:
                best, shown_best = score, shown
        return best, shown_best

    def _by_name_and_amount(self, transfer: Transfer, payer_key: str) -> dict[int, tuple[float, str]]:
        """Name scores (>= NAME_SIGNAL) of the orders owing exactly the transfer's amount: a
        first pass in C over the bucket's keys (plain token_sort_ratio, with a lower cutoff
        that lets "dupont j" through for "dupont jean"), then each hit rescored with initials."""
        found: dict[int, tuple[float, str]] = {}
        bucket = (transfer.currency, transfer.amount)
        keys, owners = self._bucket_choices(*bucket)
        if not payer_key or not keys:
            return found
        indexes: list[int] | None = None
        if len(keys) > EXTRACT_LIMIT:  # only the names sharing a rare enough word with the payer
            words = self._bucket_words(bucket)
            postings = sorted((words.get(w, []) for w in set(payer_key.split())), key=len)
            chosen = [p for p in postings if len(p) <= WORD_BUCKET] or postings[:1]
            indexes = sorted({i for p in chosen for i in p})
            keys = [keys[i] for i in indexes]
        payer_initial = has_initial(payer_key)
        cutoff = PREFILTER_CUTOFF if payer_initial else NAME_SIGNAL
        for _, first_score, index in process.extract(
            payer_key, keys, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
        ):
            # Without an initial on either side the first pass's score is already the score.
            rescore = first_score < 100 and (payer_initial or has_initial(keys[index]))
            score = key_score(payer_key, keys[index]) if rescore else float(first_score)
            order, shown = owners[index if indexes is None else indexes[index]]
            if score >= NAME_SIGNAL and score > found.get(order.id, (0.0, ""))[0]:
                found[order.id] = (score, shown)
        if indexes is not None and any(score >= NAME_DECIDED for score, _ in found.values()):
            # About to decide on part of the bucket: a close name anywhere in it still stops it.
            all_keys = self._choices[bucket][0]
            for _, score, index in process.extract(
                payer_key, all_keys, scorer=fuzz.ratio, processor=None, score_cutoff=NAME_CLOSE, limit=None
            ):
                order, shown = owners[index]
                if score > found.get(order.id, (0.0, ""))[0]:
                    found[order.id] = (float(score), shown)
        return found

    def suggest(self, transfer: Transfer) -> list[Suggestion]:
        if transfer.amount <= 0:  # nothing received (a zero line, or money that went out)
            return []
        suggestions: list[Suggestion] = []
        payer_key = name_key(transfer.payer)
        referenced: dict[int, tuple[OpenOrder, NumberMention]] = {}
        for mention in (*order_number_mentions(transfer.reference), *transfer.document_mentions):
            order = self.by_number.get(mention.number)
            if order is not None and order.currency == transfer.currency and order.id not in referenced:
                referenced[order.id] = (order, mention)
        if len(referenced) > 1:
            suggestions.extend(self._several(transfer, list(referenced.values())))
        names: dict[int, tuple[float, str]] = {}
        decided_by_name: int | None = None
        candidates: dict[int, OpenOrder] = {oid: order for oid, (order, _) in referenced.items()}
        if not candidates:
            # No order number: the amount and the payer's name must meet. An amount shared by
            # many orders says nothing alone, and a very common name word neither.
            same_amount = self.by_amount.get((transfer.currency, transfer.amount), [])
            if len(same_amount) <= AMOUNT_ONLY_BUCKET:
                candidates.update((o.id, o) for o in same_amount)
            names = self._by_name_and_amount(transfer, payer_key)
            closest = sorted(names, key=lambda oid: -names[oid][0])[:NAME_CANDIDATES]
            candidates.update((oid, self.by_id[oid]) for oid in closest)
            strong = [oid for oid, (score, _) in names.items() if score >= NAME_DECIDED]
            close = [oid for oid, (score, _) in names.items() if score >= NAME_CLOSE]
            if len(strong) == 1 and close == strong:
                decided_by_name = strong[0]
            if decided_by_name is None:  # the payer's other orders, for a partial or over payment
                for word in payer_key.split():
                    bucket = self.by_word(transfer.currency, word) if len(word) >= 3 else []
                    if len(bucket) <= WORD_BUCKET:
                        candidates.update((o.id, o) for o in bucket)
        for order in candidates.values():
            name = names.get(order.id) or self._name(payer_key, order)
            said = referenced[order.id][1] if order.id in referenced else None
            suggestion = self._score(transfer, order, said, name, order.id == decided_by_name, bool(payer_key))
            if suggestion.score >= MIN_SCORE:
                suggestions.append(suggestion)
        # An order the reference or the payer's name points at comes before one that merely
        # owes the amount, whatever their scores.
        suggestions.sort(key=lambda s: (s.amount_only, -s.score, s.order_numbers))
        ranked = suggestions[:MAX_SUGGESTIONS]
        _decide(ranked)
        return ranked

    def _several(self, transfer: Transfer, referenced: list[tuple[OpenOrder, NumberMention]]) -> list[Suggestion]:
        """One transfer for several referenced orders whose balances add up to it."""
        total = sum((o.balance_due for o, _ in referenced), Decimal("0"))
        if total != transfer.amount:
            return []
        orders = [o for o, _ in referenced]
        reasons: list[tuple[str, dict[str, Any]]] = [
            (REASON_NUMBERS, {"numbers": ", ".join(str(o.number) for o in orders)})
        ]
        reasons += [
            (REASON_LOOK_ALIKE, {"number": str(o.number), "text": m.text}) for o, m in referenced if not m.exact
        ]
        reasons += [_document_reason(o.number, m) for o, m in referenced if m.document]
        reasons.append((REASON_AMOUNT_SUM, {}))
        exact = all(m.exact for _, m in referenced)
        return [
            Suggestion(
                transfer.id,
                tuple(o.id for o in orders),
                tuple(o.number for o in orders),
                tuple(o.balance_due for o in orders),
                95 if exact else 85,
                reasons,
                exact_amount=True,
                by_reference=True,
            )
        ]

    def _score(
        self,
        transfer: Transfer,
        order: OpenOrder,
        mention: NumberMention | None,
        name: tuple[float, str],
        decided_by_name: bool,
        payer_named: bool,
    ) -> Suggestion:
        score, reasons = 0, []
        similarity, shown = name
        # An order named by its number or by the payer's very name is worth showing even when the
        # amount differs (a partial payment, an overpayment).
        referenced = mention is not None or similarity >= NAME_DECIDED
        if mention is not None and mention.document:
            score += NUMBER_POINTS
            reasons.append(_document_reason(order.number, mention))
        elif mention is not None and mention.exact:
            score += NUMBER_POINTS
            reasons.append((REASON_NUMBER, {"number": str(order.number)}))
        elif mention is not None:
            score += LOOK_ALIKE_POINTS
            reasons.append((REASON_LOOK_ALIKE, {"number": str(order.number), "text": mention.text}))
        if transfer.amount == order.balance_due:
            score += AMOUNT_POINTS
            reasons.append((REASON_AMOUNT, {}))
        elif transfer.amount < order.balance_due:
            score += 5 if referenced else 0
            reasons.append((REASON_PARTIAL, {}))
        else:
            score += 5 if referenced else 0
            reasons.append((REASON_OVER, {}))
        if similarity >= NAME_SIGNAL:
            score += round(NAME_POINTS * similarity / 100)
            reasons.append((REASON_NAME, {"name": shown}))
        if decided_by_name:
            score += NAME_DECIDED_POINTS
            reasons.append((REASON_NAME_DECIDED, {}))
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
            by_reference=mention is not None,
            name_score=similarity if payer_named else None,
        )
