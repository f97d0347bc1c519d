"""The documents where users get them (issue 21), against a running `streamlit run server.py`:
finance opens an order's Invoices tab and downloads its invoice (a real PDF whose text names the
invoice number); the download routes refuse a browser without a session and a marketer, and give
finance one PDF, the ZIP of a range and the sales journal."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from orders_core import db
from orders_core.documents.issue import issue_invoice, standing_invoice
from orders_core.models import Order, OrderLine
from orders_core.permissions import Actor
from tests.browser.conftest import create_database, wait_for_app
from tests.browser.test_export_route import cookie_of, get_bytes
from tests.factories import make_seller_settings

pytestmark = pytest.mark.browser

FINANCE = Actor("finance@browser.example.org", "finance")


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    """A demo database of 30 orders whose first two standing orders with lines have an invoice."""
    database = create_database(tmp_path_factory.mktemp("invoices_db") / "orders.db", orders=30)
    engine = db.get_engine(database.url)
    with db.unit_of_work(engine) as session:
        make_seller_settings(session)
        candidates = session.scalars(
            select(Order)
            .where(
                Order.deleted_at.is_(None),
                Order.status.in_(["awaiting_payment", "paid"]),
                Order.id.in_(select(OrderLine.order_id)),
            )
            .order_by(Order.id)
            .limit(2)
        ).all()
        invoices = []
        for order in candidates:
            invoice = standing_invoice(session, order.id) or issue_invoice(session, actor=FINANCE, order_id=order.id)
            invoices.append({"id": invoice.id, "number": invoice.number, "order": order.number})
    database.facts["invoices"] = invoices
    return database


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_finance_downloads_the_invoice_pdf_from_the_order_page(signed_in_page, app_database):
    invoice = app_database.facts["invoices"][0]
    page = signed_in_page("finance", path=f"order?order={invoice['order']}")
    expect(page.get_by_role("heading", name=f"Order {invoice['order']}")).to_be_visible()
    page.get_by_role("tab", name="Invoices").click()
    expect(page.get_by_text(f"Invoice {invoice['number']}", exact=True)).to_be_visible()
    wait_for_app(page)
    with page.expect_download() as caught:  # the route renders the PDF on the way
        page.get_by_role("link", name="Download PDF").click()
    download = caught.value
    assert download.suggested_filename == f"Facture-{invoice['number']}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    assert invoice["number"] in pdf_text(data)


def test_the_document_route_refuses_without_a_session_and_a_marketer(app_server, app_database):
    invoice_id = app_database.facts["invoices"][0]["id"]
    response, body = get_bytes(app_server, f"/documents/{invoice_id}.pdf")
    assert response.status == 401 and body == b"Sign in again to download this document."
    response, body = get_bytes(app_server, f"/documents/{invoice_id}.pdf", "orders_session=made-up")
    assert response.status == 401
    response, body = get_bytes(app_server, "/documents/invoices.zip")
    assert response.status == 401 and body == b"Sign in again to download documents."
    response, body = get_bytes(app_server, "/documents/sales-journal.csv")
    assert response.status == 401
    marketer = cookie_of(app_server, app_database, "marketer")
    response, body = get_bytes(app_server, f"/documents/{invoice_id}.pdf", marketer)
    assert response.status == 403 and body == b"Your role (Marketer) does not allow this action."
    response, _body = get_bytes(app_server, "/documents/sales-journal.csv", marketer)
    assert response.status == 403


def test_finance_gets_one_pdf_the_zip_of_a_range_and_the_sales_journal(app_server, app_database):
    invoices = app_database.facts["invoices"]
    cookie = cookie_of(app_server, app_database, "finance")
    response, body = get_bytes(app_server, f"/documents/{invoices[1]['id']}.pdf", cookie)
    assert response.status == 200 and response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("Content-Disposition") == f'attachment; filename="Facture-{invoices[1]["number"]}.pdf"'
    assert invoices[1]["number"] in pdf_text(body)
    response, body = get_bytes(app_server, "/documents/999999.pdf", cookie)
    assert response.status == 404

    response, body = get_bytes(app_server, "/documents/invoices.zip?" + urlencode({"kind": "invoice"}), cookie)
    assert response.status == 200 and response.getheader("Content-Type") == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert {f"Facture-{i['number']}.pdf" for i in invoices} <= set(names)
    assert all(archive.read(name).startswith(b"%PDF-") for name in names)

    response, body = get_bytes(app_server, "/documents/sales-journal.csv?sep=comma&tz=UTC", cookie)
    assert response.status == 200
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:3] == ["Date", "Document number", "Kind"]
    assert {i["number"] for i in invoices} <= {row[1] for row in rows}


def test_the_invoices_page_links_its_filtered_range_to_the_downloads(signed_in_page, app_database):
    invoices = app_database.facts["invoices"]
    page = signed_in_page("finance", path="invoices?kind=invoice")
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    link = page.get_by_role("link", name="Sales journal per VAT rate (CSV)")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("/documents/sales-journal.csv?") and "kind=invoice" in href
    origin = "/".join(page.url.split("/", 3)[:3])
    response = page.request.get(origin + href)  # the browser context's session cookie
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig")), delimiter=";"))
    assert {i["number"] for i in invoices} <= {row[1] for row in rows[1:]}
    zip_link = page.get_by_role("link", name=re.compile(r"PDFs of \d+ documents? \(ZIP\)"))
    expect(zip_link).to_be_visible()
    assert "kind=invoice" in zip_link.get_attribute("href")
