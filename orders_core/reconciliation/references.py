"""Order numbers mentioned in a transfer's free-text reference. Pure: no I/O.

Two kinds of mention: exact (digits, however split: "cmd 123 45 67", "Facture 0001234567") and
look-alike (a letter typed or read instead of a digit inside one word: "CMD 1OOOO42" for
1000042, with O/o for 0, I/l for 1, S/s for 5, B for 8). A look-alike mention never joins two
words, so "1OO 42" or "ISO 9001" make no number; it needs at least three real digits, so a
word of letters is never read as a number.

A third kind (issue 21): an invoice or credit-note number ("F2026-00042"). Which words may be one
is decided here (`document_number_candidates`); whether one is, and of which order, is the
database's answer (document_refs.py), since numbers follow the seller's own patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGIT_RUN = re.compile(r"\d(?:[\s\-./_]*\d)*")
_WORD = re.compile(r"[^\W_]+")
LOOK_ALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "S": "5", "s": "5", "B": "8"})
_LOOK_ALIKE_TAIL = re.compile(r"[0-9OoIlSsB]+$")
MIN_REAL_DIGITS = 3
# A document number as a pattern makes it: letters, digits and - _ / . between them.
_DOCUMENT_WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9/_.\-]*[A-Za-z0-9])?")
MIN_DOCUMENT_LENGTH = 4
MAX_DOCUMENT_LENGTH = 60  # invoices.number is VARCHAR(60)
_DOCUMENT_SEPARATORS = frozenset("/_.-")
_HAS_DIGIT = re.compile(r"\d")
MAX_DOCUMENT_PARTS = 6


@dataclass(frozen=True)
class NumberMention:
    number: int
    exact: bool  # False: read from look-alike letters ("1OOOO42")
    text: str = ""  # the characters read, for the reason shown
    document: str = ""  # issue 21: the invoice or credit-note number quoted, when read from one
    document_kind: str = ""  # "invoice" or "credit_note"


def numbers_in(reference: str) -> list[int]:
    """7-digit order numbers in a free-text reference, in order of appearance. Digits split by
    spaces, dashes, dots or line breaks are joined back, leading zeros are dropped, and a run of
    several numbers ("1234567 / 1234568", "12345671234568") gives each of them. Exact digits
    only: `order_number_mentions` adds the look-alike ones."""
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


def look_alike_numbers_in(reference: str) -> list[tuple[int, str]]:
    """(number, text) for each word ending in a 7-digit number written with look-alike letters
    ("CMD1OOOO42" -> 1000042), in order of appearance."""
    found: list[tuple[int, str]] = []
    for word in _WORD.findall(reference or ""):
        tail = _LOOK_ALIKE_TAIL.search(word)
        if tail is None:
            continue
        text = tail.group()
        real_digits = sum(c.isdigit() for c in text)
        if real_digits == len(text) or real_digits < MIN_REAL_DIGITS:
            continue  # plain digits are exact mentions; mostly letters is a word
        # The whole tail ("l000042"), else from its first digit or O: leading letters may
        # belong to the word ("REFS1OOOO42").
        start = next(i for i, c in enumerate(text) if c.isdigit() or c in "Oo")
        for read in dict.fromkeys((text, text[start:])):
            digits = read.translate(LOOK_ALIKES).lstrip("0")
            if len(digits) == 7 and any(c.isalpha() for c in read):
                if all(n != int(digits) for n, _ in found):
                    found.append((int(digits), read))
                break
    return found


def order_number_mentions(reference: str) -> list[NumberMention]:
    """Every order number the reference mentions: the exact ones first (as `numbers_in`), then
    the look-alike ones that are not also exact."""
    exact = numbers_in(reference)
    mentions = [NumberMention(n, True, str(n)) for n in exact]
    mentions += [NumberMention(n, False, text) for n, text in look_alike_numbers_in(reference) if n not in exact]
    return mentions


def document_number_candidates(reference: str) -> list[str]:
    """The words of a reference that may be an invoice or credit-note number, each as written,
    in upper and in lower case (numbers are looked up exactly; a pattern's letters are of one
    case): 4 to 60 letters, digits and - _ / ., at least one digit. A word joined to its
    neighbours by those characters ("REF/F2026-00042") gives its runs of parts too. Digits alone
    are left to the order numbers when they could be one (7 digits or fewer once leading zeros
    are dropped)."""
    found: dict[str, None] = {}
    for word in _DOCUMENT_WORD.findall(reference or ""):
        if not _HAS_DIGIT.search(word) or (word.isdigit() and len(word.lstrip("0")) <= 7):
            continue  # most words: a name, or an order number's digits
        for run in _runs(word):
            if not MIN_DOCUMENT_LENGTH <= len(run) <= MAX_DOCUMENT_LENGTH or not any(c.isdigit() for c in run):
                continue
            if run.isdigit() and len(run.lstrip("0")) <= 7:
                continue
            found.update(dict.fromkeys((run, run.upper(), run.lower())))
    return list(found)


def _runs(word: str) -> list[str]:
    """The word, then each run of its parts split at / _ . - (a long word: itself only)."""
    cuts = [0] + [i + 1 for i, c in enumerate(word) if c in _DOCUMENT_SEPARATORS] + [len(word) + 1]
    if len(cuts) > MAX_DOCUMENT_PARTS + 1:
        return [word]
    runs = [word[cuts[i] : cuts[j] - 1] for i in range(len(cuts) - 1) for j in range(len(cuts) - 1, i, -1)]
    return [run for run in dict.fromkeys(runs) if run and run[0].isalnum() and run[-1].isalnum()]
