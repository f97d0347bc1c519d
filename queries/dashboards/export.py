"""Files of a DataFrame for download: CSV (UTF-8 with BOM, for spreadsheet tools) and XLSX.

Every text cell goes through `queries.cells.safe_cell` (formula injection, control characters);
numbers and Decimal money stay numbers (money is a number cell in the XLSX). The XLSX is written
by xlsxwriter with texts as texts (`strings_to_formulas`/`strings_to_urls` off)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pandas as pd

from queries.cells import safe_cell


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    # Excel has no timezone-aware datetimes; amounts stay exact strings-of-Decimal in CSV.
    out = df.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, datetime) and v.tzinfo is not None).any():
            out[column] = out[column].map(lambda v: v.replace(tzinfo=None) if isinstance(v, datetime) else v)
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(column)) for column in out.columns]
    return out


def to_csv(df: pd.DataFrame, separator: str = ",") -> bytes:
    text: str = _plain(df).to_csv(index=False, sep=separator)
    return text.encode("utf-8-sig")


XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def to_xlsx(df: pd.DataFrame, sheet: str = "export") -> bytes:
    out = _plain(df)
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, Decimal)).any():
            out[column] = out[column].map(lambda v: float(v) if isinstance(v, Decimal) else v)  # Excel cells are floats
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        out.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
