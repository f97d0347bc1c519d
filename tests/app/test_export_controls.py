"""Issue 13 item 1 on the pages: only roles with `orders.export` see an export control; the grid's
export is a link to the streamed download route carrying the current filters."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import dashboard_dataset, grid_dataset
from tests.app.conftest import open_data_tables, open_page

ROOT = Path(__file__).resolve().parents[2]
GRID = str(ROOT / "pages" / "orders.py")
MARKETER = {"email": "marketer@example.org", "role": "marketer", "name": "Marketer"}
FINANCE = {"email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return grid_dataset.build(engine)


def export_controls(at) -> list[str]:
    """Labels of every download control and export expander on the page."""
    links = [link.proto.label for link in at.get("link_button")]
    downloads = [button.proto.label for button in at.get("download_button")]
    expanders = [expander.label for expander in at.expander if "Export" in expander.label]
    return links + downloads + expanders


def test_a_marketer_sees_no_export_control_on_the_grid(dataset):
    at = open_page(GRID, MARKETER, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert at.dataframe  # the grid itself is there
    assert export_controls(at) == []


def test_finance_gets_a_link_to_the_streamed_export_with_the_current_filters(dataset):
    at = open_page(GRID, FINANCE, query={"group": "pending"}, state={"ui.timezone": "UTC"})
    assert not at.exception
    [link] = at.get("link_button")
    assert link.proto.label == "Download 2 orders"
    address = urlsplit(link.proto.url)
    assert address.path == "/export/orders.csv"
    assert parse_qs(address.query) == {"group": ["pending"], "tz": ["UTC"], "lang": ["en"]}

    at.radio(key="orders.export_kind").set_value("xlsx").run()
    assert urlsplit(at.get("link_button")[0].proto.url).path == "/export/orders.xlsx"


def test_a_marketer_reads_the_marketing_tables_but_gets_no_download(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    dashboard_dataset.build(engine)
    marketing = str(ROOT / "pages" / "dashboard_marketing.py")
    at = open_page(marketing, MARKETER, query={"from": "2026-11-01", "to": "2026-11-20"}, timeout=90)
    assert not at.exception
    open_data_tables(at)
    assert at.dataframe and [e.label for e in at.expander].count("Data") >= 1
    assert export_controls(at) == []


def test_finance_gets_the_accounting_export_and_the_chart_downloads(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    dashboard_dataset.build(engine)
    page = str(ROOT / "pages" / "dashboard_finance.py")
    at = open_page(page, FINANCE, query={"from": "2026-11-01", "to": "2026-11-20"}, timeout=90)
    assert "Accounting export" in [h.value for h in at.header]
    at.button(key="dashboard_finance.prepare").click().run()
    assert not at.exception and not at.error
    assert {"Download CSV", "Download XLSX"} <= set(export_controls(at))
