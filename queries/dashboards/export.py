"""Files of a DataFrame for download: CSV (UTF-8 with BOM, for spreadsheet tools) and XLSX."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pandas as pd


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    # Excel has no timezone-aware datetimes; amounts stay exact strings-of-Decimal in CSV.
    out = df.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, datetime) and v.tzinfo is not None).any():
            out[column] = out[column].map(lambda v: v.replace(tzinfo=None) if isinstance(v, datetime) else v)
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    return _plain(df).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, sheet: str = "export") -> bytes:
    out = _plain(df)
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, Decimal)).any():
            out[column] = out[column].map(lambda v: float(v) if isinstance(v, Decimal) else v)  # Excel cells are floats
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
