"""Payer names against buyers' and companies' names. Pure: no I/O.

A name is first folded to one canonical key, so the spellings a bank or a buyer may use for the
same person give the same key: case (casefold, which also turns ß into ss), accents stripped,
German umlauts written either way ("Müller", "Mueller" and "MULLER" all give "muller": after
stripping the accent, "ue", "oe" and "ae" are read as "u", "o" and "a" on both sides; a rare
false pair such as "Michael"/"Michal" then reads as one name, and the amount must still match),
punctuation dropped, civil titles ("M.", "Mme", "Herr") and legal forms ("SAS", "GmbH")
dropped, words sorted (word order does not count).

Scoring is rapidfuzz's: on sorted keys `fuzz.ratio` is `fuzz.token_sort_ratio` (0..100)
without re-sorting each choice on every call, which lets `process.extract` rank thousands of
candidates in C. An initial ("J. Dupont") stands for any word starting with that letter
("Jean Dupont"), at most INITIALS_SCORE.

Thresholds (0..100), chosen on the issue's cases and the generated bench statement:
- NAME_DECIDED (95): the name is the same person or company, written another way; one letter
  doubled or swapped in a long name still passes ("Klaus Webber" for Klaus Weber: 96), an
  initial passes (95). Two different people one letter apart do not ("Peter Müller" for
  Petra Müller: 92; "Jean Dupond" for Jean Dupont: 91). With the exact amount and no other
  candidate close, the transfer is decided like an order number.
- NAME_CLOSE (80): another candidate at least this close makes the match ambiguous and a
  person decides ("Jeanne Dupont" next to Jean Dupont: 92; "Hanna Meyer" next to Anna
  Meier: 86; "J. Dupont" between Jean and Jacques Dupont: 95 each).
- NAME_SIGNAL (60): below this the names are different; at or above it the name adds to the
  score (up to 20 points) and is shown as a reason.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

NAME_DECIDED = 95
NAME_CLOSE = 80
NAME_SIGNAL = 60
INITIALS_SCORE = 95  # "J Dupont" is Jean Dupont only as far as the initial goes

_NON_WORD = re.compile(r"[^a-z0-9]+")
_INITIAL = re.compile(r"(?:^| )[a-z](?: |$)")
_DIGRAPHS = re.compile(r"([aou])e")
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "mme",
        "mmes",
        "mlle",
        "mlles",
        "ms",
        "miss",
        "monsieur",
        "madame",
        "mademoiselle",
        "herr",
        "frau",
        "dr",
        "prof",
        "sr",
        "sra",
        "et",
        "and",
        "und",
    ]
)
LEGAL_FORMS = frozenset(
    [
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sa",
        "sci",
        "scp",
        "snc",
        "gmbh",
        "ag",
        "kg",
        "ug",
        "ltd",
        "llc",
        "llp",
        "inc",
        "corp",
        "plc",
        "bv",
        "nv",
        "srl",
        "spa",
        "sprl",
        "oy",
        "ab",
        "as",
    ]
)


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """The canonical key of a name: folded, titles and legal forms dropped, words sorted."""
    text = unicodedata.normalize("NFKD", (name or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DIGRAPHS.sub(r"\1", text.replace("æ", "ae").replace("œ", "oe").replace("ø", "o"))
    words = _NON_WORD.sub(" ", text).split()
    # "M JEAN DUPONT": a leading "m" is Monsieur when two words follow, else maybe an initial.
    if len(words) >= 3 and words[0] == "m":
        words = words[1:]
    kept = [w for w in words if w not in TITLES]
    if len(kept) > 1:
        kept = [w for w in kept if w not in LEGAL_FORMS] or kept
    return " ".join(sorted(kept or words))


def _initials(words: list[str]) -> list[str]:
    return [w for w in words if len(w) == 1 and w.isalpha()]


def _abbreviated(full: list[str], initials: list[str], other: set[str]) -> str:
    """`full`'s words with each one standing for an unused initial of the other side cut to it."""
    left = list(initials)
    out = []
    for word in full:
        if len(word) > 1 and word not in other and word[0] in left:
            left.remove(word[0])
            out.append(word[0])
        else:
            out.append(word)
    return " ".join(sorted(out))


def key_score(a: str, b: str) -> float:
    """How close two name keys are (0..100): token_sort_ratio, initials standing for words."""
    if not a or not b:
        return 0.0
    score = fuzz.ratio(a, b)
    if score == 100:
        return 100.0
    words_a, words_b = a.split(), b.split()
    initials_a, initials_b = _initials(words_a), _initials(words_b)
    if initials_a and not initials_b:
        score = max(score, min(fuzz.ratio(a, _abbreviated(words_b, initials_a, set(words_a))), INITIALS_SCORE))
    elif initials_b and not initials_a:
        score = max(score, min(fuzz.ratio(b, _abbreviated(words_a, initials_b, set(words_b))), INITIALS_SCORE))
    return float(score)


def name_score(payer: str, name: str) -> float:
    """How close (0..100) a payer is to a buyer's or company's name, as written."""
    return key_score(name_key(payer), name_key(name))


def has_initial(key: str) -> bool:
    """Whether a name key has a one-letter word (an initial)."""
    return _INITIAL.search(key) is not None
