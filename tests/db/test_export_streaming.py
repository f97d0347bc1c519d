"""Issue 19: the grid export reads each order's custom values with the order in one streamed
statement, PostgreSQL writes the CSV lines itself, and the download route streams. The rules of
every cell are unchanged: these tests pin them on both databases (custom values of several
fields and missing ones, formula neutralisation, masking, scope), and on PostgreSQL compare the
database's lines with the Python path byte for byte."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from orders_core.db import unit_of_work
from orders_core.i18n import set_locale
from orders_core.models import Event, FieldValue, FormField, Refund
from orders_core.permissions import Actor
from orders_core.scope import MASK
from queries import export
from queries.export import csv_stream, export_chunks, export_csv, export_xlsx
from queries.grid import GridFilters
from tests.factories import NOW, make_event, make_order, make_tariff
from web.export_audit import RowCount
from web.exports import orders_pieces

EXPORTER = Actor("finance@example.org", "finance")
MARKETER = Actor("marketer@example.org", "marketer")


def _field(session, event, form, key, field_type, label, position):
    field = FormField(
        event_id=event.id,
        form=form,
        key=key,
        field_type=field_type,
        label_en=label,
        label_fr=label + " (fr)",
        required=False,
        options=[],
        position=position,
        active=True,
    )
    session.add(field)
    session.flush()
    return field


@pytest.fixture
def forms(engine):
    """Two events; the first asks three questions, the second one of its own. Orders answer
    all, some or none of them, with texts a spreadsheet would run or a CSV would split."""
    with unit_of_work(engine) as session:
        fair = make_event(session, name='Fair; "big"', currency="EUR")
        other = make_event(session, name="Other", currency="GBP")
        job = _field(session, fair, "buyer", "job_title", "text", "Job title", 0)
        diet = _field(session, fair, "order", "dietary", "multiselect", "Dietary", 1)
        news = _field(session, fair, "order", "newsletter", "checkbox", "Newsletter", 2)
        theirs = _field(session, other, "order", "badge_colour", "text", "Badge colour", 0)
        tariff = make_tariff(session, fair, unit_price_ht=Decimal("100.00"))
        all_three = make_order(
            session,
            fair,
            [(tariff, 2)],
            buyer_first_name='=HYPERLINK("x")',
            buyer_last_name='O\'Brien; "Bob"',
            company_name="Line\nbreak\rand\ttab",
            utm_source="@SUM(1)",
            utm_medium="Bell\x01Corp",
            discount_code=None,
            created_at=NOW - timedelta(days=2, microseconds=1),
        )
        one = make_order(
            session,
            fair,
            [(tariff, 1)],
            status="paid",
            created_at=NOW - timedelta(days=1),
            due_date=date(2026, 3, 29),
            terms_accepted=False,
        )
        none = make_order(session, fair, [(tariff, 1)], created_at=NOW - timedelta(hours=5), company_name="-3")
        other_order = make_order(
            session, other, [(make_tariff(session, other), 1)], created_at=NOW - timedelta(hours=1)
        )
        values = [
            (all_three, job, "=cmd|' /C calc'!A0"),
            (all_three, diet, "vegan;halal"),
            (all_three, news, "yes"),
            (one, news, "no"),
            (one, job, ""),
            (other_order, theirs, 'Line\nred; "bright"'),
        ]
        for order, field, value in values:
            session.add(FieldValue(order_id=order.id, order_item_id=None, field_id=field.id, value=value))
        return {
            "fair": fair.id,
            "other": other.id,
            "all": all_three.number,
            "one": one.number,
            "none": none.number,
            "other_order": other_order.number,
        }


def _rows(engine, filters=None, principal=EXPORTER, separator=";") -> dict[str, dict[str, str]]:
    out = io.BytesIO()
    export_csv(engine, filters or GridFilters(), out, principal=principal, separator=separator, chunk_size=2)
    header, *rows = csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline=""), delimiter=separator)
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_custom_values_of_several_fields_fill_their_columns_and_missing_ones_stay_empty(engine, forms):
    rows = _rows(engine)
    answered = rows[str(forms["all"])]
    assert answered["Job title"] == "'=cmd|' /C calc'!A0"
    assert answered["Dietary"] == "vegan; halal"
    assert answered["Newsletter"] == "Yes"
    assert answered["Badge colour"] == ""
    assert (rows[str(forms["one"])]["Newsletter"], rows[str(forms["one"])]["Job title"]) == ("No", "")
    assert [rows[str(forms["none"])][title] for title in ("Job title", "Dietary", "Newsletter", "Badge colour")] == [
        "",
        "",
        "",
        "",
    ]
    assert rows[str(forms["other_order"])]["Badge colour"] == 'Line\nred; "bright"'
    assert rows[str(forms["other_order"])]["Job title"] == ""


def test_base_cells_are_neutralised_and_quoted_whatever_the_buyer_typed(engine, forms):
    for separator in (";", ","):
        row = _rows(engine, separator=separator)[str(forms["all"])]
        assert row["First name"] == '\'=HYPERLINK("x")'
        assert row["Last name"] == 'O\'Brien; "Bob"'
        assert row["Company"] == "Line\nbreak\rand\ttab"
        assert (row["UTM source"], row["UTM medium"]) == ("'@SUM(1)", "BellCorp")
        assert row["Event"] == 'Fair; "big"'
        assert row["Total incl. tax"] == ("240,00" if separator == ";" else "240.00")
    assert _rows(engine)[str(forms["none"])]["Company"] == "'-3"
    paid = _rows(engine)[str(forms["one"])]
    assert (paid["Terms accepted"], paid["Due date (event's time zone)"], paid["Balance due"]) == (
        "No",
        "2026-03-29",
        "0,00",
    )


def test_the_xlsx_has_the_same_custom_cells(engine, forms):
    out = io.BytesIO()
    export_xlsx(engine, GridFilters(), out, principal=EXPORTER)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    answered = by_number[forms["all"]]
    assert (answered["Job title"], answered["Dietary"], answered["Newsletter"]) == (
        "'=cmd|' /C calc'!A0",
        "vegan; halal",
        "Yes",
    )
    assert answered["Badge colour"] is None and by_number[forms["none"]]["Job title"] is None
    assert answered["First name"] == '\'=HYPERLINK("x")'


def test_postgresql_writes_the_same_bytes_as_the_python_path(engine, forms, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("the database writes the lines on PostgreSQL only")
    filters = [
        GridFilters(include_deleted=True, timezone="America/New_York"),
        GridFilters(event_ids=(forms["fair"],), timezone="Asia/Kolkata"),
        GridFilters(),
        GridFilters(search="Brien"),  # a search: the per-order lookups instead of the joined aggregates
    ]
    assert b"O'Brien" in b"".join(csv_stream(engine, filters[-1], principal=EXPORTER, separator=","))
    try:
        for language in ("en", "fr"):
            set_locale(language)
            for grid_filters in filters:
                for separator in (";", ","):
                    for chunk_size in (1, 3, 1000):
                        call = dict(principal=EXPORTER, separator=separator, chunk_size=chunk_size)
                        monkeypatch.setattr(export, "SQL_CSV_DIALECTS", frozenset({"postgresql"}))
                        in_sql = list(csv_stream(engine, grid_filters, **call))
                        monkeypatch.setattr(export, "SQL_CSV_DIALECTS", frozenset())
                        in_python = list(csv_stream(engine, grid_filters, **call))
                        assert in_sql == in_python, (language, grid_filters, separator, chunk_size)
    finally:
        set_locale("en")


def test_the_balance_due_counts_the_payments_whatever_was_refunded_and_both_paths_agree(engine, forms, monkeypatch):
    """Paid 50 of 120, 10 of it refunded: the ledger keeps 40 (`amount_paid`), the buyer still owes
    70 (the refunds are joined per order in the whole-set export, looked up per order in a search)."""
    with unit_of_work(engine) as session:
        event = session.get_one(Event, forms["fair"])
        order = make_order(session, event, [(make_tariff(session, event, unit_price_ht=Decimal("100.00")), 1)])
        order.amount_paid = Decimal("40.00")
        session.add(
            Refund(
                order_id=order.id,
                amount=Decimal("10.00"),
                currency="EUR",
                method="bank_transfer",
                refunded_at=NOW,
                reason="goodwill",
                recorded_by="finance@example.org",
                created_at=NOW,
            )
        )
        number = str(order.number)
    for filters in (GridFilters(), GridFilters(search=number)):
        row = _rows(engine, filters)[number]
        assert (row["Total incl. tax"], row["Amount paid"], row["Balance due"]) == ("120,00", "40,00", "70,00")
    monkeypatch.setattr(export, "SQL_CSV_DIALECTS", frozenset())
    assert _rows(engine)[number]["Balance due"] == "70,00"


def test_a_marketer_reads_custom_values_masked_and_empty_ones_empty(engine, forms):
    records = {r["number"]: r for chunk in export_chunks(engine, GridFilters(), principal=MARKETER) for r in chunk}
    answered = records[forms["all"]]
    assert answered["custom"] == {"buyer.job_title": MASK, "order.dietary": MASK, "order.newsletter": MASK}
    assert (answered["buyer_first_name"], answered["company_name"]) == (MASK, MASK)
    assert records[forms["one"]]["custom"] == {"order.newsletter": MASK}  # the empty job title stays empty
    assert records[forms["none"]]["custom"] == {}
    everyone = {r["number"]: r for c in export_chunks(engine, GridFilters(), principal=EXPORTER) for r in c}
    assert everyone[forms["all"]]["custom"]["order.dietary"] == "vegan; halal"


def test_a_user_of_one_event_exports_its_orders_and_its_questions_only(engine, forms):
    manager = Actor("manager@example.org", "event_manager", event_ids=frozenset({forms["fair"]}))
    out = io.BytesIO()
    assert export_csv(engine, GridFilters(include_deleted=True), out, principal=manager) == 3
    text = out.getvalue().decode("utf-8-sig")
    assert "Badge colour" not in text and "bright" not in text and "GBP" not in text
    assert str(forms["other_order"]) not in text
    assert set(_rows(engine, principal=manager)) == {str(forms["all"]), str(forms["one"]), str(forms["none"])}


def test_the_download_route_sends_its_first_rows_before_the_rest_is_read(engine, forms, monkeypatch):
    monkeypatch.setattr("web.exports.CHUNK_ROWS", 2)
    rows = RowCount()
    pieces, media_type, name = orders_pieces(
        engine, {"tz": "UTC", "sep": "comma"}, xlsx=False, principal=EXPORTER, rows=rows
    )
    assert (media_type, name) == ("text/csv; charset=utf-8", "orders.csv")
    first = next(pieces)
    assert rows.done == 0  # the first piece leaves before its rows are counted as written
    assert first.startswith(b"\xef\xbb\xbfOrder number,") and first.count(b"\r\n") == 3
    rest = list(pieces)
    assert len(rest) == 1 and rows.done == 4
    header, *lines = csv.reader(io.StringIO((first + b"".join(rest)).decode("utf-8-sig"), newline=""))
    assert [int(line[0]) for line in lines] == [forms["other_order"], forms["none"], forms["one"], forms["all"]]


def test_times_are_written_in_the_exports_zone_to_the_second(engine, forms):
    row = _rows(engine, GridFilters(timezone="Asia/Kolkata"))[str(forms["all"])]
    created = (NOW - timedelta(days=2, microseconds=1)).astimezone(ZoneInfo("Asia/Kolkata"))
    assert row["Creation date (Asia/Kolkata)"] == created.strftime("%Y-%m-%d %H:%M:%S")


def test_a_cancelled_download_stops_the_reading_thread_and_frees_the_connection(engine, forms):
    pieces = csv_stream(engine, GridFilters(), principal=EXPORTER, chunk_size=1)
    assert next(pieces).count(b"\r\n") == 2  # header and the first row
    pieces.close()  # what Starlette does when the browser goes away
    assert not [t for t in threading.enumerate() if t.name.startswith("export-read")]
    assert engine.pool.checkedout() == 0
