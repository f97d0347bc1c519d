"""Case- and accent-blind text for search: `fold("LEFÈVRE") == "lefevre"`. SQLite's SQL function
`orders_fold` (registered by orders_core.db on every connection); its PostgreSQL twin is the
immutable lower(unaccent(...)) of migration 0023_search_fold, whose unaccent rules the letters
below follow where Unicode decomposition keeps a letter whole (ß, æ, œ, ø, ł, ...)."""

from __future__ import annotations

import re
import unicodedata

SQL_NAME = "orders_fold"

_SPELLED_OUT = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
}


_SPELLED = str.maketrans(_SPELLED_OUT)
# After decomposition, anything but ASCII and the combining diacritical marks (U+0300-U+036F).
_NOT_LATIN = re.compile("[^\x00-\x7f\u0300-\u036f]")


def fold(value: str | None) -> str | None:
    """Lower case, accents and other combining marks removed, a few letters spelled out. SQLite
    calls it for every row with non-ASCII text that a search reads: the common case (Latin
    letters with accents) takes the fast path, ~4 us for a buyer's whole searchable text."""
    if value is None:
        return None
    if value.isascii():
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value)
    if _NOT_LATIN.search(decomposed) is None:  # ASCII letters and their marks: drop the marks
        return decomposed.encode("ascii", "ignore").decode("ascii").lower()
    spelled = decomposed.translate(_SPELLED)
    return "".join(c for c in spelled if not unicodedata.combining(c)).lower()
