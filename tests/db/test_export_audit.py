"""Issue 17: a streamed download (orders, attendees, invoices' ZIP and journal) leaves one audit
entry with who, what, the filters, the rows sent and the format, written when the file has been
sent, on SQLite and PostgreSQL; a refused download leaves none."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from starlette.requests import Request

from orders_core import sessions
from orders_core.db import unit_of_work
from orders_core.models import AuditEntry
from orders_core.permissions import Actor
from tests.accounts import (
    add_account,
    cheap_password_hashing,  # noqa: F401 (fixture)
)
from tests.factories import make_event, make_order, make_tariff
from web.export_audit import RowCount, audited, counting_lines, filters_of
from web.exports import attendees_export, orders_export

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def shop(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        tariff = make_tariff(session, event)
        for _ in range(3):
            make_order(session, event, [(tariff, 1)], status="paid")
        make_order(session, event, [(tariff, 1)])
    return event.id


def _cookie(engine, role: str) -> str:
    user_id = add_account(engine, f"{role}@example.org", role, "a long enough password 42")
    with unit_of_work(engine) as session:
        return sessions.start_session(session, user_id=user_id).token


def _get(route, path: str, query: str, token: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"cookie", f"{sessions.COOKIE_NAME}={token}".encode())],
    }
    response = route(Request(scope))

    async def drain() -> bytes:
        if not hasattr(response, "body_iterator"):
            return bytes(response.body)
        return b"".join([piece async for piece in response.body_iterator])

    return response.status_code, asyncio.run(drain())


def _entries(engine) -> list:
    """The export entries (adding the test's account writes its own `user_added` entry)."""
    with engine.connect() as conn:
        return conn.execute(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)).all()


def test_the_orders_csv_is_audited_with_its_filters_and_rows(engine, shop):
    token = _cookie(engine, "finance")
    status, body = _get(orders_export, "/export/orders.csv", "status=paid&tz=UTC&lang=en&sep=comma", token)
    assert status == 200 and body.count(b"\n") == 4  # the header and 3 orders
    [entry] = _entries(engine)
    assert (entry.action, entry.actor, entry.subject, entry.source) == (
        "export",
        "finance@example.org",
        "orders",
        "download",
    )
    assert entry.details == {"what": "orders", "filters": {"status": "paid"}, "rows": 3, "format": "csv"}


def test_the_attendees_xlsx_is_audited(engine, shop):
    token = _cookie(engine, "event_manager")
    status, body = _get(attendees_export, "/export/attendees.xlsx", f"event={shop}&tz=UTC", token)
    assert status == 200 and body[:2] == b"PK"
    [entry] = _entries(engine)
    assert entry.details == {"what": "attendees", "filters": {"event": str(shop)}, "rows": 3, "format": "xlsx"}


def test_a_refused_download_leaves_no_entry(engine, shop):
    token = _cookie(engine, "marketer")
    status, _body = _get(orders_export, "/export/orders.csv", "tz=UTC", token)
    assert status == 403
    assert _entries(engine) == []


def test_a_download_cut_short_is_recorded_with_the_rows_sent(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    count = RowCount()

    def pieces():
        for done in (1, 2):
            count(done, 5)
            yield b"x\n"

    stream = audited(
        pieces(), actor=Actor("a@example.org", "admin"), what="orders", filters={}, format="csv", rows=count
    )
    assert next(stream) == b"x\n"
    stream.close()  # the browser went away
    [entry] = _entries(engine)
    assert entry.details == {"what": "orders", "filters": {}, "rows": 1, "format": "csv", "complete": False}


def test_journal_rows_are_its_lines_after_the_header():
    count = RowCount()
    assert b"".join(counting_lines(iter([b"rate;ht\n1;2\n", b"3;4\n"]), count)) == b"rate;ht\n1;2\n3;4\n"
    assert count.done == 2


def test_the_filters_of_an_address_leave_out_language_zone_and_separator():
    class Params(dict):
        def getlist(self, key):
            return self[key]

    params = Params({"status": ["paid", "cancelled"], "q": ["ada"], "tz": ["UTC"], "lang": ["fr"], "sep": ["comma"]})
    assert filters_of(params) == {"status": ["paid", "cancelled"], "q": "ada"}


def test_the_invoices_zip_and_the_sales_journal_are_audited(engine, db_url, monkeypatch):
    from tests.factories import make_seller_settings
    from web.documents import invoices_zip, sales_journal_csv

    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session, name="Gala")
        tariff = make_tariff(session, event)
        for _ in range(2):
            make_order(session, event, [(tariff, 1)], status="paid")  # paying issues the invoice
    token = _cookie(engine, "finance")
    status, csv_body = _get(sales_journal_csv, "/documents/sales-journal.csv", "kind=invoice&tz=UTC", token)
    assert status == 200, csv_body
    status, body = _get(invoices_zip, "/documents/invoices.zip", "kind=invoice&tz=UTC", token)
    assert status == 200 and body[:2] == b"PK"
    journal, archive = _entries(engine)
    assert (journal.subject, journal.details["format"], journal.details["filters"]) == (
        "sales_journal",
        "csv",
        {"kind": "invoice"},
    )
    assert journal.details["rows"] == csv_body.count(b"\n") - 1 >= 1
    assert archive.details == {"what": "invoices_zip", "filters": {"kind": "invoice"}, "rows": 2, "format": "zip"}


def test_a_file_made_on_the_click_is_audited_once_it_is_made_and_not_before(engine, db_url, monkeypatch):
    from ui.exports import audited_on_delivery

    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    made = audited_on_delivery(
        lambda: b"a;b\n1;2\n",
        actor=Actor("finance@example.org", "finance"),
        what="dashboard_sales",
        filters={"event": 3},
        rows=1,
        format="csv",
    )
    with engine.connect() as conn:
        assert conn.execute(select(AuditEntry)).all() == []  # nothing downloaded yet
    assert made() == b"a;b\n1;2\n"
    with engine.connect() as conn:
        entries = conn.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.details)).all()
    assert entries == [
        (
            "export",
            "finance@example.org",
            {"what": "dashboard_sales", "filters": {"event": 3}, "rows": 1, "format": "csv"},
        )
    ]
