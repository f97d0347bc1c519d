"""The streamed export route (issue 13 item 1, issue 14) over real HTTP against a running
`streamlit run server.py`: no session cookie, no file; a marketer's session, refused; finance gets
the grid's filtered set as a chunked CSV or an XLSX, with formulas neutralised."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from orders_core import db
from orders_core.permissions import Actor
from queries.grid import GridFilters, grid_count_and_totals
from tests.browser.test_http_edge import fetch, issue_ticket, session_cookie_header

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

pytestmark = pytest.mark.browser


def cookie_of(app_server, app_database, role: str) -> str:
    """The `orders_session=...` cookie a browser of `role` holds after signing in."""
    response = fetch(app_server, "/session/start?" + urlencode({"ticket": issue_ticket(app_database, role)}))
    return session_cookie_header(response).split(";")[0]


def get_bytes(app_server, path: str, cookie: str | None = None):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(app_server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_without_a_session_the_route_sends_no_file(app_server):
    response, body = get_bytes(app_server, "/export/orders.csv")
    assert response.status == 401 and body == b"Sign in again to export orders."
    response, body = get_bytes(app_server, "/export/orders.csv", "orders_session=made-up")
    assert response.status == 401


def test_a_marketers_session_is_refused(app_server, app_database):
    response, body = get_bytes(app_server, "/export/orders.xlsx", cookie_of(app_server, app_database, "marketer"))
    assert response.status == 403
    assert body == b"Your role (Marketer) does not allow this action."


def test_finance_downloads_the_filtered_set_as_a_streamed_csv(app_server, app_database):
    cookie = cookie_of(app_server, app_database, "finance")
    response, body = get_bytes(app_server, "/export/orders.csv?group=validated&tz=UTC&sep=comma", cookie)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/csv; charset=utf-8"
    assert response.getheader("Content-Disposition") == 'attachment; filename="orders.csv"'
    assert response.getheader("Transfer-Encoding") == "chunked" and response.getheader("Content-Length") is None
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    expected = grid_count_and_totals(
        db.get_engine(app_database.url), GridFilters(group="validated"), principal=EVERY_EVENT
    )[0]
    assert header[0] == "Order number" and len(rows) == expected > 0
    assert {row[header.index("Status")] for row in rows} == {"Payment validated"}


def test_finance_downloads_an_xlsx_in_french_with_the_same_rows(app_server, app_database):
    cookie = cookie_of(app_server, app_database, "finance")
    response, body = get_bytes(app_server, "/export/orders.xlsx?group=validated&lang=fr", cookie)
    assert response.status == 200 and body[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    expected = grid_count_and_totals(
        db.get_engine(app_database.url), GridFilters(group="validated"), principal=EVERY_EVENT
    )[0]
    assert rows[0][0] == "Numéro de commande" and len(rows) - 1 == expected


def test_the_grids_download_link_carries_the_filters_and_the_browsers_session(signed_in_page, app_database):
    page = signed_in_page("finance")
    base = page.url.split("/", 3)
    page.goto(f"{base[0]}//{base[2]}/orders?group=validated")
    expected = grid_count_and_totals(
        db.get_engine(app_database.url), GridFilters(group="validated"), principal=EVERY_EVENT
    )[0]
    page.get_by_text("Export the", exact=False).first.click()
    link = page.get_by_role("link", name=f"Download {expected} orders")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("/export/orders.csv?") and "group=validated" in href
    response = page.request.get(f"{base[0]}//{base[2]}{href}")  # the browser context's cookies
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == expected
