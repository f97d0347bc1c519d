"""The last line of defence of issue 13 item 7 (`st.App(on_script_error=...)`): an exception no page
caught shows a translated message with a reference instead of a traceback, and the server log holds
the traceback under that reference. Provoked for real: a server whose database was never migrated
fails at the first query, which is the sign-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import IDLE, TIMEOUT_MS, start_app_server

pytestmark = pytest.mark.browser

MESSAGE = re.compile(
    r"Something went wrong\. Try again; if it happens again, give this reference to your administrator: ([0-9A-F]{8})"
)


def test_an_unexpected_error_shows_a_reference_and_logs_the_traceback_under_it(browser_page, tmp_path):
    log_path = tmp_path / "streamlit.log"
    with start_app_server(f"sqlite:///{tmp_path / 'never-migrated.db'}", log_path=log_path) as base_url:
        browser_page.goto(base_url)
        browser_page.get_by_role("textbox", name="Email", exact=True).fill("someone@example.org")
        browser_page.get_by_role("textbox", name="Password", exact=True).fill("any password at all")
        browser_page.get_by_role("button", name="Sign in").click()

        alert = browser_page.get_by_test_id("stAlertContentError")
        expect(alert).to_have_text(MESSAGE, timeout=TIMEOUT_MS)
        expect(browser_page.locator(IDLE)).to_be_attached(timeout=TIMEOUT_MS)
        expect(browser_page.get_by_test_id("stException")).to_have_count(0)
        expect(browser_page.get_by_text("Traceback")).to_have_count(0)
        expect(browser_page.get_by_text("no such table")).to_have_count(0)
        reference = MESSAGE.search(alert.inner_text()).group(1)

    log = log_path.read_text()
    logged = log[log.index(f"unexpected error, reference {reference}") :]
    assert "Traceback (most recent call last)" in logged and "no such table: users" in logged
