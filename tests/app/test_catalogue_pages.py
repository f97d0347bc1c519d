"""The catalogue pages (events, tariffs, discount codes) through Streamlit's AppTest: create
through the form and see it listed, a refused input shows the service's message and writes
nothing, destructive actions ask for confirmation first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import CatalogueHistory, DiscountCode, Event, Tariff
from tests.app.conftest import open_page
from tests.factories import make_code, make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


@pytest.fixture
def db(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    return engine


@pytest.fixture
def summit(db):
    with unit_of_work(db) as session:
        event = make_event(session, name="Montréal Summit", currency="CAD", timezone="America/Montreal")
        badge = make_tariff(
            session, event, name="Full pass", unit_price_ht=Decimal("200.00"), tax_rate=Decimal("14.975"), capacity=50
        )
        ten = make_code(session, event, "TEN")
        make_order(session, event, [(badge, 2)], status="paid", code=ten)
        make_order(session, event, [(badge, 3)], status="awaiting_payment")
        return {"event": event.id, "badge": badge.id, "code": ten.id}


def page(name: str, query: dict | None = None) -> AppTest:
    return open_page(f"pages/{name}", MANAGER, query=query)


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def table(at: AppTest, index: int = 0):
    return at.dataframe[index].value


def count(engine, model) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


# --- events -------------------------------------------------------------------------------------


def test_creating_an_event_through_the_form_lists_it_with_its_local_start(db):
    at = page("events.py")
    assert not at.exception
    assert "No event yet" in at.info[0].value
    at.text_input(key="events.new.name").input("Lausanne Days")
    at.selectbox(key="events.new.timezone").set_value("Europe/Zurich")
    at.date_input(key="events.new.starts.date").set_value(date(2027, 6, 1))
    at.time_input(key="events.new.starts.time").set_value(time(9, 0))
    at.text_input(key="events.new.currency").input("chf")
    at = click(at, "Create the event")
    assert not at.exception
    assert [s.value for s in at.success] == ["Event Lausanne Days created."]
    listed = table(at)
    assert listed["Event"].tolist() == ["Lausanne Days"]
    assert listed["Currency"].tolist() == ["CHF"]
    assert "9:00" in listed["Starts"].iloc[0]
    with unit_of_work(db) as session:
        event = session.scalars(select(Event)).one()
        assert event.starts_at.replace(tzinfo=UTC) == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)


def test_an_unknown_currency_shows_the_message_and_creates_nothing(db):
    at = page("events.py")
    at.text_input(key="events.new.name").input("Bad money")
    at.date_input(key="events.new.starts.date").set_value(date(2027, 6, 1))
    at.text_input(key="events.new.currency").input("XYZ")
    at = click(at, "Create the event")
    assert [e.value for e in at.error] == ["'XYZ' is not an ISO 4217 currency code (e.g. EUR, CAD, CHF)."]
    assert count(db, Event) == 0


def test_changing_the_currency_of_an_event_with_orders_shows_the_refusal(summit, db):
    at = page("events.py", {"event": str(summit["event"])})
    at.text_input(key=f"events.edit.{summit['event']}.currency").input("EUR")
    at = click(at, "Save changes")
    assert "cannot change" in at.error[0].value
    with unit_of_work(db) as session:
        assert session.get(Event, summit["event"]).currency == "CAD"


def test_archiving_an_event_asks_for_confirmation_first(summit, db):
    at = page("events.py", {"event": str(summit["event"])})
    at = click(at, "Archive this event")
    assert "Archive Montréal Summit?" in at.warning[0].value
    with unit_of_work(db) as session:
        assert session.get(Event, summit["event"]).archived_at is None
    at = click(at, "Confirm archive")
    assert [s.value for s in at.success] == ["Event Montréal Summit archived."]
    with unit_of_work(db) as session:
        assert session.get(Event, summit["event"]).archived_at is not None


# --- tariffs ------------------------------------------------------------------------------------


def test_tariffs_show_sold_awaiting_and_remaining(summit):
    at = page("tariffs.py", {"event": str(summit["event"])})
    assert not at.exception
    row = table(at).iloc[0]
    assert (row["Name"], row["Sold"], row["Awaiting payment"], row["Remaining"], row["Tax rate"]) == (
        "Full pass",
        2,
        3,
        "45",
        "14.975%",  # Babel's English percent (issue 18 item 7)
    )
    assert row["Price excl. tax"] == "CA$200.00"
    assert any("cannot be deleted, only deactivated" in c.value for c in at.caption)


def test_creating_a_tariff_through_the_form_lists_it(summit, db):
    at = page("tariffs.py", {"event": str(summit["event"])})
    at.text_input(key="tariffs.new.name").input("VIP dinner")
    at.selectbox(key="tariffs.new.kind").set_value("product")
    at.text_input(key="tariffs.new.price").input("85.50")
    at.selectbox(key="tariffs.new.preset").set_value("ca_qc")
    at.number_input(key="tariffs.new.capacity").set_value(40)
    at = click(at, "Add the tariff")
    assert not at.exception
    assert [s.value for s in at.success] == ["Tariff VIP dinner added."]
    listed = table(at)
    assert listed["Name"].tolist() == ["Full pass", "VIP dinner"]
    assert listed["Remaining"].tolist() == ["45", "40"]
    with unit_of_work(db) as session:
        tariff = session.scalars(select(Tariff).where(Tariff.name == "VIP dinner")).one()
        assert (tariff.kind, tariff.unit_price_ht, tariff.tax_rate, tariff.currency) == (
            "product",
            Decimal("85.50"),
            Decimal("14.975"),
            "CAD",
        )


def test_a_negative_price_shows_the_message_and_adds_nothing(summit, db):
    at = page("tariffs.py", {"event": str(summit["event"])})
    at.text_input(key="tariffs.new.name").input("Broken")
    at.text_input(key="tariffs.new.price").input("-10")
    at = click(at, "Add the tariff")
    assert [e.value for e in at.error] == ["The price excluding tax cannot be negative."]
    assert count(db, Tariff) == 1


def test_a_tax_rate_over_100_percent_shows_the_message(summit, db):
    at = page("tariffs.py", {"event": str(summit["event"])})
    at.text_input(key="tariffs.new.name").input("Taxed")
    at.selectbox(key="tariffs.new.preset").set_value("custom")
    at.text_input(key="tariffs.new.custom").input("120")
    at = click(at, "Add the tariff")
    assert "between 0 % and 100 %" in at.error[0].value
    assert count(db, Tariff) == 1


def test_deactivating_a_tariff_is_confirmed_then_logged(summit, db):
    at = page("tariffs.py", {"event": str(summit["event"])})
    at = click(at, "Deactivate")
    assert "Deactivate Full pass?" in at.warning[0].value
    at = click(at, "Confirm")
    assert [s.value for s in at.success] == ["Tariff Full pass deactivated."]
    with unit_of_work(db) as session:
        assert session.get(Tariff, summit["badge"]).active is False
        assert session.scalars(select(CatalogueHistory.action)).all() == ["deactivated"]


# --- discount codes -----------------------------------------------------------------------------


def test_codes_show_uses_and_revenue_given_away(summit):
    at = page("discount_codes.py", {"event": str(summit["event"])})
    assert not at.exception
    row = table(at).iloc[0]
    # 10 % of 2 x 200.00 on the paid order
    assert (
        row["Code"],
        row["Discount"],
        row["Uses"],
        row["Paid uses"],
        row["Revenue given away"],
        row["Applies to"],
    ) == ("TEN", "10%", 1, 1, "CA$40.00", "All tariffs")


def test_creating_a_100_percent_code_through_the_form_lists_it_upper_case(summit, db):
    at = page("discount_codes.py", {"event": str(summit["event"])})
    at.text_input(key="codes.new.code").input("speaker")
    at.text_input(key="codes.new.value").input("100")
    at.multiselect(key="codes.new.tariffs").set_value([summit["badge"]])
    at = click(at, "Add the code")
    assert not at.exception
    assert [s.value for s in at.success] == ["Code SPEAKER added."]
    listed = table(at).set_index("Code")
    assert listed.loc["SPEAKER", "Discount"] == "100%"
    assert listed.loc["SPEAKER", "Applies to"] == "Full pass"


def test_a_duplicate_code_in_another_case_shows_the_message(summit, db):
    at = page("discount_codes.py", {"event": str(summit["event"])})
    at.text_input(key="codes.new.code").input("ten")
    at.text_input(key="codes.new.value").input("5")
    at = click(at, "Add the code")
    assert "The code TEN already exists for this event" in at.error[0].value
    assert count(db, DiscountCode) == 1


def test_pages_without_any_event_say_so(db):
    for name in ("tariffs.py", "discount_codes.py"):
        at = page(name)
        assert not at.exception
        assert "No event yet" in at.info[0].value


def test_a_price_change_through_the_edit_form_shows_old_and_new_in_the_log(summit, db):
    at = page("tariffs.py", {"event": str(summit["event"])})
    at.text_input(key=f"tariffs.edit.{summit['badge']}.price").input("180")
    at.text_input(key=f"tariffs.edit.{summit['badge']}.reason").input("early bird")
    at = click(at, "Save changes")
    assert [s.value for s in at.success] == ["Tariff Full pass saved."]
    assert table(at).iloc[0]["Price excl. tax"] == "CA$180.00"
    log = table(at, -1)
    assert log["Changes (old → new)"].tolist() == ["Price excl. tax: 200.00 → 180.00"]
    assert log[["Who", "Action", "Reason"]].iloc[0].tolist() == ["manager@example.org", "Updated", "early bird"]
