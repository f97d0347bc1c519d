"""The one rule for a text cell in any file we hand out (grid CSV/XLSX, accounting exports,
reconciliation report): spreadsheets must show it as text, never run it.

- **Formula injection** (OWASP "CSV Injection"): a text starting with `=`, `+`, `-`, `@`, a tab
  or a carriage return is read by Excel, LibreOffice and Google Sheets as a formula
  (`=HYPERLINK(...)`, `@SUM(1)`, `+1+1`, `-2+3`). Such a text gets a leading `'`, which the
  spreadsheet shows as text. Numbers we write ourselves (money, counts) are numbers, not text,
  and never pass through here. The library `defusedcsv` does the same for CSV only and leaves
  tab and carriage return alone, hence this one function for both formats.
- **Control characters** (U+0000-U+001F except tab, line feed and carriage return) are invalid in
  XML 1.0, so one of them in a buyer name made the whole XLSX export fail; they are removed.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PRINTABLE_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: str) -> str:
    """A text as a spreadsheet must receive it: control characters removed, and a leading `'`
    when it would otherwise start a formula."""
    if value.isprintable():  # the common case, checked in C: no control character, no tab or CR
        return "'" + value if value.startswith(_PRINTABLE_FORMULA_STARTS) else value
    text = _CONTROL.sub("", value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value: Any) -> Any:
    """`safe_text` for a text; any other value (number, date, None) unchanged."""
    return safe_text(value) if isinstance(value, str) else value
