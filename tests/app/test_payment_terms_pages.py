"""Payment terms and due dates in the pages (issue 15), through AppTest: the event form edits the
terms and shows a refusal, the grid's "Overdue only" toggle filters the rows and is kept in the
URL, the due-date column is shown, and the order page says how late the order is, naming the zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import Event
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}
FINANCE = {"id": 2, "email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def db(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return engine


@pytest.fixture
def invoices(db):
    """Three invoice orders of a Paris event: one due five days ago, one due in ten days, one paid."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).date()
    with unit_of_work(db) as session:
        event = make_event(session, name="Salon", timezone="Europe/Paris", payment_terms_days=30)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        late = make_order(session, event, [(badge, 1)], due_date=today - timedelta(days=5))
        on_time = make_order(session, event, [(badge, 1)], due_date=today + timedelta(days=10))
        paid = make_order(session, event, [(badge, 1)], status="paid", due_date=today - timedelta(days=5))
        return {"event": event.id, "late": late.number, "on_time": on_time.number, "paid": paid.number, "today": today}


def click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_the_event_form_saves_payment_terms_and_lists_them(db):
    with unit_of_work(db) as session:
        event_id = make_event(session, name="Gala").id
    at = open_page("pages/events.py", MANAGER, query={"event": str(event_id)})
    assert not at.exception
    at.number_input(key=f"events.edit.{event_id}.payment_terms_days").set_value(30)
    at.number_input(key=f"events.edit.{event_id}.payment_due_days_before_event").set_value(7)
    at.number_input(key=f"events.edit.{event_id}.expire_after_days").set_value(14)
    at = click(at, "Save changes")
    assert not at.exception
    assert [s.value for s in at.success] == ["Event Gala saved."]
    assert at.dataframe[0].value["Payment terms"].tolist() == [
        "30 days after the order or 7 days before the event, whichever comes first; "
        "unpaid orders cancelled 14 days past due"
    ]
    with unit_of_work(db) as session:
        event = session.get(Event, event_id)
        assert (event.payment_terms_days, event.payment_due_days_before_event, event.expire_after_days) == (30, 7, 14)


def test_expiry_without_a_due_date_shows_the_refusal_and_saves_nothing(db):
    with unit_of_work(db) as session:
        event_id = make_event(session, name="Gala").id
    at = open_page("pages/events.py", MANAGER, query={"event": str(event_id)})
    at.number_input(key=f"events.edit.{event_id}.expire_after_days").set_value(14)
    at = click(at, "Save changes")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Cancelling unpaid orders past due needs a due date: set the days after the order or the days before the event."
    ]
    with unit_of_work(db) as session:
        assert session.scalar(select(Event.expire_after_days).where(Event.id == event_id)) is None


def test_the_overdue_toggle_filters_the_grid_and_is_kept_in_the_url(invoices):
    at = open_page("pages/orders.py", FINANCE, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert len(at.dataframe[0].value) == 3
    at.toggle(key="orders.overdue").set_value(True).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert [int(n) for n in shown["number"]] == [invoices["late"]]
    assert at.query_params["overdue"] in ("1", ["1"])
    assert shown["due_date"].tolist() != [""]


def test_a_bookmarked_overdue_url_opens_the_filtered_grid(invoices):
    at = open_page("pages/orders.py", FINANCE, query={"overdue": "1"}, state={"ui.timezone": "UTC"})
    assert at.toggle(key="orders.overdue").value is True
    assert [int(n) for n in at.dataframe[0].value["number"]] == [invoices["late"]]


def test_the_order_page_says_how_late_the_order_is_in_its_events_zone(invoices):
    at = open_page("pages/order_detail.py", FINANCE, query={"order": str(invoices["late"])})
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("Payment due on ") and warning.endswith("(Europe/Paris) · overdue by 5 days")


def test_the_order_page_of_an_order_not_yet_due_or_paid_shows_the_date_without_alarm(invoices):
    for number in (invoices["on_time"], invoices["paid"]):
        at = open_page("pages/order_detail.py", FINANCE, query={"order": str(number)})
        assert not at.exception
        assert len(at.warning) == 0
        assert any(c.value.startswith("Payment due on ") and c.value.endswith("(Europe/Paris)") for c in at.caption)


def test_the_wizard_shows_the_due_date_an_invoice_order_will_get(db):
    from ui.wizard_state import WizardState

    with unit_of_work(db) as session:
        event = make_event(
            session,
            name="Salon",
            timezone="Europe/Paris",
            starts_at=datetime.now(UTC) + timedelta(days=200),
            payment_terms_days=30,
        )
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        event_id, badge_id = event.id, badge.id
    state = WizardState(
        step=4,
        validated=3,
        event_id=event_id,
        quantities={str(badge_id): 1},
        buyer={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "language": "en"},
        holders={str(badge_id): [{"first_name": "Ada", "last_name": "Lovelace", "email": ""}]},
    )
    at = open_page("pages/order_wizard.py", MANAGER, state={"wizard": state})
    assert not at.exception
    due = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).date() + timedelta(days=30)
    from orders_core.i18n import format_date

    expected = f"Payment due on {format_date(due)} (Europe/Paris), from the event's payment terms."
    assert expected in [c.value for c in at.caption]
