"""The Attendees page through AppTest (issue 18): an event from the address, search without
accents, filters kept in the address, links to the order and the attendee record, dates naming
their zone, the empty states, the export for the roles that may, and no page for marketers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from tests import attendees_dataset
from tests.app.conftest import APP, open_page, sign_in
from ui.registry import pages_for

FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}
MARKETER = {"id": 2, "email": "marketer@example.org", "role": "marketer", "name": "Marketer"}


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return attendees_dataset.build(engine)


def app(user=FINANCE, **params) -> AppTest:
    return open_page("pages/attendees.py", user, query=params, state={"ui.timezone": "Europe/Paris"})


def paths(role: str) -> list[str]:
    return [spec.url_path for spec in pages_for(role)]


def table(at: AppTest):
    return at.dataframe[0].value if at.dataframe else None


def test_the_event_in_the_address_lists_its_attendees_with_links_and_zoned_dates(dataset):
    at = app(event=str(dataset["event"]))
    assert not at.exception
    rows = table(at)
    assert list(rows["last_name"]) == ["Byron", "Lefèvre", "Turing", "Wilson", "Zed"]
    assert list(rows["attendance"]) == ["Registered", "Registered", "Cancelled", "Registered", "Registered"]
    first = list(rows["last_name"]).index("Lefèvre")
    assert rows["order"][first].endswith(f"/order?order={dataset['first']}")
    assert "/order?attendee=" in rows["record"][first]
    assert rows["registered_at"][first].endswith(("CET", "CEST"))
    headers = at.dataframe[0].proto.columns
    assert "Registered on (Europe/Paris)" in headers
    assert any("5 attendees" in caption.value for caption in at.caption)


def test_a_search_without_accents_finds_the_attendee_and_goes_into_the_address(dataset):
    at = app(event=str(dataset["event"]))
    at.text_input(key="attendees.search").input("lefevre").run()
    assert not at.exception
    assert list(table(at)["last_name"]) == ["Lefèvre"]
    assert at.query_params["q"] in ("lefevre", ["lefevre"])
    link = next(button for button in at.get("link_button"))
    query = parse_qs(urlparse(link.proto.url).query)
    assert query["event"] == [str(dataset["event"])] and query["q"] == ["lefevre"]
    assert urlparse(link.proto.url).path == "/export/attendees.csv"


def test_a_bookmarked_address_reopens_the_filters(dataset):
    at = app(event=str(dataset["event"]), attendance="cancelled")
    assert not at.exception
    assert list(table(at)["last_name"]) == ["Turing"]
    at = app(event=str(dataset["event"]), tariff=str(dataset["vip"]))
    assert list(table(at)["last_name"]) == ["Wilson"]


def test_no_match_and_no_event_say_so(dataset):
    at = app(event=str(dataset["event"]), q="nobody at all")
    assert not at.exception
    assert table(at) is None
    assert any("No attendee matches these filters." in info.value for info in at.info)
    at = app()
    assert any("Choose an event to see its attendees." in info.value for info in at.info)
    at = app(event="999999")
    assert any("There is no event 999999." in error.value for error in at.error)


def test_marketers_do_not_see_the_page_and_the_others_do():
    assert [r for r in ("admin", "event_manager", "finance", "marketer") if "attendees" in paths(r)] == [
        "admin",
        "event_manager",
        "finance",
    ]


def test_a_marketer_has_only_the_stand_in_at_the_address(dataset):
    at = sign_in(AppTest.from_file(APP, default_timeout=60), MARKETER).run()
    assert not at.exception
    stand_ins = {info["url_pathname"] for info in at._registered_pages.values() if not info["script_path"]}
    assert "attendees" in stand_ins
