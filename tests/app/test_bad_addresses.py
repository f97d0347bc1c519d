"""Addresses typed or forged by hand (issue 13, item 7): a number that is not one, or too large
for any row, is a clear message on the page, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import open_page

ROOT = Path(__file__).resolve().parents[2]
DETAIL = str(ROOT / "pages" / "order_detail.py")
WIZARD = str(ROOT / "pages" / "order_wizard.py")
MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


@pytest.fixture
def app_db(db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("order", "²", "“²” in the address is not an order number."),
        ("order", "99999999999999999999", "“99999999999999999999” in the address is not an order number."),
        ("order", "abc", "“abc” in the address is not an order number."),
        (
            "attendee",
            "12345678901234567890",
            "“12345678901234567890” in the address is not an attendee record number.",
        ),
    ],
)
def test_a_bad_number_in_the_address_of_the_order_page_is_a_message(app_db, param, value, message):
    at = open_page(DETAIL, MANAGER, query={param: value}, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert [e.value for e in at.error] == [message]


def test_a_bad_order_number_in_the_wizard_address_is_a_message_and_a_new_order(app_db):
    at = open_page(WIZARD, MANAGER, query={"modify": "²"}, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert "“²” in the address is not an order number." in [e.value for e in at.error]
