"""The Attendees page's reads (issue 18), on SQLite and PostgreSQL: search with or without
accents and in either name order, filters by tariff, order status and attendance, keyset and
offset paging that agree, and exports whose cells are never formulas, refused to marketers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from orders_core.errors import NotAllowed
from orders_core.permissions import Actor
from queries.attendees import AttendeeFilters, attendee_count, attendee_page, attendee_tariffs
from queries.attendees_export import csv_stream, xlsx_stream
from tests import attendees_dataset

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

FINANCE = Actor("fin@example.org", "finance")
MARKETER = Actor("market@example.org", "marketer")


@pytest.fixture
def event(engine) -> dict:
    return attendees_dataset.build(engine)


def names(frame) -> list[str]:
    return [f"{first} {last}" for first, last in zip(frame["first_name"], frame["last_name"])]


def test_an_event_lists_its_paid_attendees_in_name_order_cancelled_ones_marked(engine, event):
    page = attendee_page(engine, AttendeeFilters(event_id=event["event"]), principal=EVERY_EVENT)
    assert names(page) == ["Ada Byron", "Hélène Lefèvre", "Alan Turing", "Olivia Wilson", "=cmd|' /C calc'!A0 Zed"]
    cancelled = dict(zip(names(page), page["cancelled_at"].notna()))
    assert cancelled["Alan Turing"] and not cancelled["Ada Byron"]
    assert dict(zip(names(page), page["tariff"]))["Olivia Wilson"] == "VIP"
    assert set(page["order_status"]) == {"paid"}
    assert dict(zip(names(page), page["order_number"]))["Hélène Lefèvre"] == event["first"]
    assert attendee_count(engine, AttendeeFilters(event_id=event["event"]), principal=EVERY_EVENT) == 5


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("Lefevre", ["Hélène Lefèvre"]),
        ("lefèvre", ["Hélène Lefèvre"]),
        ("HELENE LEFEVRE", ["Hélène Lefèvre"]),
        ("Wilson Olivia", ["Olivia Wilson"]),
        ("olivia@example", ["Olivia Wilson"]),
        ("100%", []),
        ("a_a", []),
    ],
)
def test_the_search_ignores_case_and_accents_and_takes_either_name_order(engine, event, typed, expected):
    filters = AttendeeFilters(event_id=event["event"], search=typed)
    assert names(attendee_page(engine, filters, principal=EVERY_EVENT)) == expected
    assert attendee_count(engine, filters, principal=EVERY_EVENT) == len(expected)


def test_filters_by_tariff_status_and_attendance(engine, event):
    def shown(**kwargs) -> list[str]:
        filters = AttendeeFilters(event_id=event["event"], **kwargs)
        page = attendee_page(engine, filters, principal=EVERY_EVENT)
        assert attendee_count(engine, filters, principal=EVERY_EVENT) == len(page)
        return names(page)

    assert shown(tariff_ids=(event["vip"],)) == ["Olivia Wilson"]
    assert shown(attendance="cancelled") == ["Alan Turing"]
    assert "Alan Turing" not in shown(attendance="active")
    assert shown(statuses=("awaiting_payment",)) == []
    assert len(shown(statuses=("paid", "not a status"))) == 5
    assert [t["name"] for t in attendee_tariffs(engine, event["event"], principal=EVERY_EVENT)] == ["Badge", "VIP"]


@pytest.mark.parametrize("search", ["", "example.org"])  # with 3+ characters, another plan on PostgreSQL
def test_keyset_and_offset_paging_give_the_same_pages(engine, event, search):
    filters = AttendeeFilters(event_id=event["event"], search=search)
    first = attendee_page(engine, filters, limit=2, principal=EVERY_EVENT)
    last = first.iloc[-1]
    by_keyset = attendee_page(
        engine, filters, after=(last["last_name"], last["first_name"], int(last["id"])), limit=2, principal=EVERY_EVENT
    )
    by_offset = attendee_page(engine, filters, offset=2, limit=2, principal=EVERY_EVENT)
    assert names(by_keyset) == names(by_offset) == ["Alan Turing", "Olivia Wilson"]


def test_the_csv_export_has_the_filtered_rows_never_a_formula_and_dates_in_the_zone(engine, event):
    filters = AttendeeFilters(event_id=event["event"], attendance="active")
    seen = []
    data = b"".join(
        csv_stream(
            engine, filters, principal=FINANCE, timezone="Europe/Paris", progress=lambda d, t: seen.append((d, t))
        )
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["First name", "Last name", "Email", "Tariff", "Attendance", "Registered on (Europe/Paris)"]
    assert [row[1] for row in rows[1:]] == ["Byron", "Lefèvre", "Wilson", "Zed"]
    assert rows[-1][0] == "'=cmd|' /C calc'!A0"
    assert seen == [(4, 4)]


def test_the_xlsx_export_writes_text_cells_and_refuses_a_marketer(engine, event, tmp_path):
    filters = AttendeeFilters(event_id=event["event"], search="zed")
    path = tmp_path / "attendees.xlsx"
    path.write_bytes(b"".join(xlsx_stream(engine, filters, principal=FINANCE, timezone="UTC")))
    sheet = openpyxl.load_workbook(path).active
    assert sheet.cell(2, 1).value == "'=cmd|' /C calc'!A0"
    assert sheet.cell(2, 1).data_type == "s"
    assert sheet.cell(2, 8).value == float(attendee_page(engine, filters, principal=EVERY_EVENT)["order_number"][0])
    with pytest.raises(NotAllowed):
        csv_stream(engine, filters, principal=MARKETER, timezone="UTC")
    with pytest.raises(NotAllowed):
        xlsx_stream(engine, filters, principal=MARKETER, timezone="UTC")


def test_the_reads_run_in_a_read_only_transaction_on_postgresql(engine, backend):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from queries.attendees import _connect

    if backend != "postgresql":
        pytest.skip("SQLite has no read-only transactions; its deferred BEGIN takes no write lock")
    with _connect(engine) as conn, pytest.raises(DBAPIError, match="read-only transaction"):
        conn.execute(text("UPDATE events SET name = 'x'"))
