"""A statement's bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 with its mark,
else the Western single-byte encoding charset-normalizer finds likeliest (Windows-1252, Latin-1,
Latin-9, DOS 850, Mac Roman). Never a replacement character: a byte no candidate reads makes the
next candidate be tried, and Latin-1 reads every byte."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# Banks in the organisers' countries export in one of these when not in UTF-8. Windows-1252 first:
# it is Latin-1 with letters (€, œ, typographic quotes) where Latin-1 has control characters.
WESTERN = ["cp1252", "latin_1", "iso8859_15", "cp850", "mac_roman"]
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(content: bytes) -> str:
    """The encoding to read `content` with (a Python codec name)."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            return encoding
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = from_bytes(content[:200_000], cp_isolation=WESTERN, preemptive_behaviour=False).best()
    if best is not None and best.encoding in WESTERN:
        return best.encoding
    for encoding in WESTERN:  # every byte is a Latin-1 character: this ends the loop
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin_1"  # pragma: no cover (latin_1 decodes anything)


def decode_statement(content: bytes | str) -> str:
    """`content` as text, without a byte-order mark."""
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    encoding = detect_encoding(content)
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:  # the detector saw only the first 200 kB
        text = content.decode("cp1252") if _decodes(content, "cp1252") else content.decode("latin_1")
    return text.lstrip("\ufeff")


def _decodes(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
