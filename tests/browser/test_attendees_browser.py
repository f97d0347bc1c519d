"""In Chromium (issue 18): finance opens the Attendees page of a demo event from its address,
searches a surname typed without its accent, and downloads the CSV of exactly what is shown,
through the export route that checks the session cookie and the role."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from orders_core.db import get_engine
from orders_core.models import Attendee, Event
from tests.browser.conftest import AppDatabase, create_database, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    """Demo orders, and one attendee of the busiest event named "Öztürk-Lefèvre" (as a holder so
    named becomes when the order is paid), a name no demo attendee has."""
    database = create_database(tmp_path_factory.mktemp("attendees_browser") / "orders.db", roles=("finance",))
    engine = get_engine(database.url)
    with engine.begin() as conn:
        event_id, name = conn.execute(
            select(Event.id, Event.name)
            .join(Attendee, Attendee.event_id == Event.id)
            .group_by(Event.id, Event.name)
            .order_by(func.count().desc())
        ).first()
        attendee = conn.execute(select(Attendee.id).where(Attendee.event_id == event_id).limit(1)).scalar_one()
        conn.execute(Attendee.__table__.update().where(Attendee.id == attendee).values(last_name="Öztürk-Lefèvre"))
    engine.dispose()
    database.facts.update(event_id=event_id, event_name=name)
    return database


def test_finance_searches_an_event_s_attendees_without_accents_and_downloads_them(signed_in_page, app_database):
    event_id = app_database.facts["event_id"]
    page = signed_in_page("finance", f"attendees?event={event_id}")
    expect(page.get_by_role("heading", name="Attendees", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d+ attendees · page 1 of \d+$"))).to_be_visible()

    page.get_by_role("textbox", name="Search").fill("ozturk-lefevre")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 attendee · page 1 of 1", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/attendees\?event={event_id}&q=ozturk-lefevre$"))
    wait_for_app(page)

    page.get_by_text("Export the 1 filtered attendees").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download 1 attendee").click()
    download = download_info.value
    assert download.suggested_filename == "attendees.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["First name", "Last name", "Email"]
    assert [row[1] for row in rows[1:]] == ["Öztürk-Lefèvre"]
