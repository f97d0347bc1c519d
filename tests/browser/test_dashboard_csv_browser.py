"""In Chromium against a real server: the CSV behind a dashboard chart is made when an admin
clicks it, downloads at the first click (the click starts no script run that could revoke the
file before the browser asks for it) and leaves its audit entry."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core.db import get_engine
from orders_core.models import AuditEntry
from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_an_admin_downloads_the_data_behind_the_first_sales_chart_at_the_first_click(signed_in_page, app_database):
    page = signed_in_page("admin", path="dashboard-sales?from=2000-01-01&to=2099-12-31")
    expect(page.get_by_role("heading", name="Sales over time")).to_be_visible()
    wait_for_app(page)
    page.get_by_text("Data", exact=True).first.click()
    button = page.get_by_role("button", name="Download CSV").first
    expect(button).to_be_visible()
    with page.expect_download() as caught:
        button.click()
    download = caught.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1 and rows[0]  # a header and at least one row of the chart's data
    engine = get_engine(app_database.url)
    with engine.connect() as conn:
        entry = conn.execute(
            select(AuditEntry.actor, AuditEntry.details)
            .where(AuditEntry.action == "export")
            .order_by(AuditEntry.id.desc())
        ).first()
    engine.dispose()
    assert entry is not None and entry.actor == app_database.accounts["admin"][0]
    assert entry.details["what"].startswith("dashboard_") and entry.details["format"] == "csv"
