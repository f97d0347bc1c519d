"""Issue 19: the grid's XLSX is written by queries.xlsx_sheet (a column of a chunk at a time)
instead of xlsxwriter's per-cell calls. The workbook must stay what xlsxwriter made: every part
byte for byte the same for the same cells (xlsxwriter is the reference here), texts never
formulas, a text shaped as XML kept a text."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from queries import xlsx_sheet
from queries.export import safe_workbook
from queries.xlsx_sheet import Sheet, column_letters

HEADER = ["Number", "Name", "Paid at", "Total", "Note"]
DATE, MONEY = "yyyy-mm-dd hh:mm:ss", '#,##0.00 "EUR"'
ROWS = [
    (1084207, "Chloé", datetime(2026, 12, 2, 16, 10, 48, 123456), Decimal("96.58"), "'=1+2"),
    (2, " Ada ", None, Decimal("84.00"), "Bell_x0041_Corp & <Sons>"),
    (3, "tab\tin", datetime(2025, 1, 1), Decimal("0.10"), "'\rcarriage"),
    (4, None, datetime(1999, 3, 1, 0, 0, 1), Decimal("-2.50"), "line\nfeed "),
    (5, "é" * 40_000, datetime(2030, 6, 30, 23, 59, 59), Decimal("1234567.89"), ""),
]


def written(rows=ROWS, name="Orders") -> bytes:
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="xlsx-sheet-test-") as workdir:
        sheet = Sheet(out, workdir, name, HEADER)
        date, money = sheet.style(DATE), sheet.style(MONEY)
        numbers, names, times, totals, notes = zip(*rows, strict=True)
        sheet.add_rows(
            [
                sheet.numbers(0, numbers),
                sheet.texts(1, names),
                sheet.times(2, times, date),
                sheet.numbers(3, totals, [money] * len(rows)),
                sheet.texts(4, notes),
            ]
        )
        sheet.close()
    return out.getvalue()


def by_xlsxwriter(rows=ROWS, name="Orders") -> bytes:
    """The same cells as the grid export wrote them before, one xlsxwriter call per cell."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="xlsxwriter-test-") as workdir:
        _by_xlsxwriter(out, workdir, rows, name)
    return out.getvalue()


def _by_xlsxwriter(out, workdir, rows, name) -> None:
    workbook = safe_workbook(out, workdir)  # constant_memory, texts never formulas
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    bold, date, money = (workbook.add_format(f) for f in ({"bold": True}, {"num_format": DATE}, {"num_format": MONEY}))
    for column, title in enumerate(HEADER):
        sheet.write_string(0, column, title, bold)
    for row_no, (number, text, moment, total, note) in enumerate(rows, start=1):
        sheet.write_number(row_no, 0, float(number))
        if text is not None:
            sheet.write_string(row_no, 1, text)
        if moment is not None:
            sheet.write_datetime(row_no, 2, moment, date)
        sheet.write_number(row_no, 3, float(total), money)
        sheet.write_string(row_no, 4, note)
    workbook.close()


def parts(workbook: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_every_part_is_byte_for_byte_what_xlsxwriter_writes_for_the_same_cells():
    ours, reference = parts(written()), parts(by_xlsxwriter())
    assert sorted(ours) == sorted(reference)
    for name in reference:
        assert ours[name] == reference[name], name


def test_texts_read_back_as_texts_and_money_and_times_as_numbers():
    sheet = load_workbook(io.BytesIO(written())).active
    assert [cell.value for cell in sheet[1]] == HEADER and sheet[1][0].font.b
    assert sheet.freeze_panes == "A2"
    first = sheet[2]
    assert (first[0].value, first[0].data_type) == (1084207, "n")
    assert (first[4].value, first[4].data_type) == ("'=1+2", "s")
    assert first[2].value == datetime(2026, 12, 2, 16, 10, 48, 123000) and first[2].number_format == DATE
    assert (first[3].value, first[3].number_format) == (96.58, MONEY)
    # Excel reads `_x005F_` back as `_` and `_x000D_` as a carriage return; openpyxl leaves them.
    assert sheet["E3"].value == "Bell_x005F_x0041_Corp & <Sons>" and sheet["B3"].value == " Ada "
    assert sheet["E4"].value == "'_x000D_carriage" and sheet["B5"].value is None
    assert len(sheet["B6"].value) == 32_767  # cut at Excel's longest text


def test_a_text_shaped_as_xml_stays_that_text():
    rows = [(1, "<r><t>bold</t></r>", None, Decimal("1.00"), "</t></is></c><c><f>1+1</f></c>")]
    sheet = load_workbook(io.BytesIO(written(rows))).active
    assert sheet["B2"].value == "<r><t>bold</t></r>"
    assert (sheet["E2"].value, sheet["E2"].data_type) == ("</t></is></c><c><f>1+1</f></c>", "s")


def test_rows_past_excels_last_row_are_left_out(monkeypatch):
    monkeypatch.setattr(xlsx_sheet, "EXCEL_ROWS", 3)
    sheet = load_workbook(io.BytesIO(written())).active
    assert [row[0].value for row in sheet.iter_rows()] == ["Number", 1084207, 2]


def test_columns_are_named_as_excel_names_them():
    assert [column_letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_the_rows_file_is_gone_once_the_workbook_is_written(tmp_path):
    sheet = Sheet(io.BytesIO(), str(tmp_path), "Orders", HEADER)
    sheet.close()
    assert list(tmp_path.iterdir()) == []
