"""Issue 19: a styled table (the grid's status colours) is sent with the text of every cell as the
Styler shows it (`display_values`, a second frame beside the values). Streamlit 1.67 builds that
frame by writing each column's cells into a string copy of the table, one pandas `iloc`
assignment per column; on pandas 3's Arrow-backed strings that is 13-23 ms for the grid's 50 rows
of 22 columns, the largest single cost of a filter change after the Styler's own rendering.

`install()` puts in its place a function that builds the same frame from the cells' texts in one
go (the same texts, types, index and columns, hence the same Arrow bytes) when the Styler gave a
text for every cell, and hands anything else (a trimmed or partial body) to Streamlit's own. It
is installed only on the Streamlit version it was checked against: on another, Streamlit's runs
(tests/unit/test_styler_display.py compares both and fails when the version moves)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

import pandas as pd
import streamlit
from streamlit.elements.lib import pandas_styler_utils

CHECKED_ON = "1.67.0"
_CELL = re.compile(r"row(\d+)_col(\d+)")
_streamlits: Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame] = pandas_styler_utils._use_display_values


def display_values(frame: pd.DataFrame, styles: Mapping[str, Any]) -> pd.DataFrame:
    """The frame of the cells' shown texts, as Streamlit's `_use_display_values` returns it."""
    rows, columns = frame.shape
    texts: list[dict[int, str]] = [{} for _ in range(columns)]
    for row in styles.get("body", []):
        for cell in row:
            match = _CELL.match(cell.get("id") or "")
            if match is None:
                continue
            row_at, column_at = int(match.group(1)), int(match.group(2))
            if column_at >= columns:
                return _streamlits(frame, styles)
            shown = cell.get("display_value")
            texts[column_at][row_at] = str(shown.value) if isinstance(shown, Enum) else str(shown)
    if rows == 0 or any(len(column) != rows or max(column) != rows - 1 for column in texts):
        return _streamlits(frame, styles)
    table = pd.DataFrame(
        {at: [column[row] for row in range(rows)] for at, column in enumerate(texts)}, index=frame.index, dtype=str
    )
    table.columns = frame.columns
    return table


def install() -> bool:
    """Streamlit's styled tables use `display_values` from now on (this Streamlit version only);
    whether it was installed."""
    if streamlit.__version__ != CHECKED_ON:
        return False
    pandas_styler_utils._use_display_values = display_values
    return True
