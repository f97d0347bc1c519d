"""Issue 17: the catalogue pages, the Invoices page and the order wizard for a user scoped to one
of two events (Paris, EUR; London, GBP): the other event is in no picker, its tariffs, codes,
fields, templates and documents nowhere, and its order opened in the wizard does not exist."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_invoice, standing_invoice
from orders_core.models import EmailTemplate
from orders_core.permissions import Actor
from orders_core.services.forms import add_field
from tests.app.conftest import open_page
from tests.app.scoped import scoped_user
from tests.factories import NOW, make_code, make_event, make_order, make_seller_settings, make_tariff

ADMIN = Actor("admin@example.org", "admin")
DEC = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.fixture
def two_events(engine, db_url, monkeypatch):
    """Paris (EUR) and London (GBP), each with a tariff, a code, a buyer field, a payment-details
    template and an invoiced order awaiting payment."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    made: dict = {}
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        for city, currency in (("Paris", "EUR"), ("London", "GBP")):
            event = make_event(session, name=f"{city} Summit", currency=currency)
            tariff = make_tariff(session, event, name=f"{city} pass", unit_price_ht=Decimal("100.00"))
            make_code(session, event, f"{city.upper()}10")
            add_field(
                session,
                actor=ADMIN,
                event_id=event.id,
                form="buyer",
                field_type="text",
                label_en=f"{city} diet",
                label_fr=f"{city} régime",
            )
            session.add(
                EmailTemplate(
                    event_id=event.id,
                    kind="payment_details",
                    language="en",
                    name=f"{city} bank details",
                    subject="Pay order {{ order.number }}",
                    body="Pay",
                    is_html=False,
                    updated_at=NOW,
                )
            )
            order = make_order(session, event, [(tariff, 1)], buyer_last_name=f"{city}son")
            if standing_invoice(session, order.id) is None:
                issue_invoice(session, actor=Actor("finance@example.org", "finance"), order_id=order.id, now=DEC)
            made[city.lower()] = {"event": event.id, "number": order.number}
    return made


def tables(at: AppTest) -> str:
    return "".join(d.value.to_csv() for d in at.dataframe)


def options(at: AppTest, key: str) -> list[str]:
    return list(at.selectbox(key=key).options)  # AppTest gives the options as shown


def test_the_events_page_lists_only_the_managers_event(two_events):
    manager = scoped_user("event_manager", [two_events["paris"]["event"]])
    at = open_page("pages/events.py", manager)
    assert not at.exception and not at.error
    assert "Paris Summit" in tables(at) and "London" not in tables(at)
    assert options(at, "events.selected") == ["Paris Summit"]

    # The other event's id in the address is not selected: it does not exist here.
    asked = open_page("pages/events.py", manager, query={"event": str(two_events["london"]["event"])})
    assert not asked.exception
    assert asked.selectbox(key="events.selected").value == two_events["paris"]["event"]


@pytest.mark.parametrize(
    ("page", "key", "shown", "hidden"),
    [("tariffs", "tariffs", "Paris pass", "London pass"), ("discount_codes", "codes", "PARIS10", "LONDON10")],
)
def test_tariffs_and_codes_pages_offer_only_the_managers_event(two_events, page, key, shown, hidden):
    manager = scoped_user("event_manager", [two_events["paris"]["event"]])
    at = open_page(f"pages/{page}.py", manager, query={"event": str(two_events["london"]["event"])})
    assert not at.exception and not at.error
    assert options(at, f"{key}.event") == ["Paris Summit"]
    assert shown in tables(at) and hidden not in tables(at)


def test_the_form_fields_page_offers_only_the_admins_event(two_events):
    admin = scoped_user("admin", [two_events["london"]["event"]])
    at = open_page("pages/form_fields.py", admin)
    assert not at.exception and not at.error
    assert options(at, "form_fields.event") == ["London Summit"]
    assert "London diet" in tables(at) and "Paris diet" not in tables(at)


def test_the_email_templates_page_lists_only_the_admins_event_templates(two_events):
    admin = scoped_user("admin", [two_events["london"]["event"]])
    at = open_page("pages/email_templates.py", admin)
    assert not at.exception and not at.error
    assert "London bank details" in tables(at) and "Paris bank details" not in tables(at)
    assert "Paris Summit" not in options(at, "email_templates.event")


def test_the_invoices_page_lists_only_the_documents_of_the_managers_event(two_events):
    manager = scoped_user("event_manager", [two_events["paris"]["event"]])
    at = open_page(
        "pages/invoices.py", manager, query={"event": str(two_events["london"]["event"])}, state={"ui.timezone": "UTC"}
    )
    assert not at.exception and not at.error
    assert options(at, "invoices.event")[1:] == ["Paris Summit"]  # the first is "every event"
    listed = [d.value for d in at.dataframe if "number" in d.value.columns][0]
    assert len(listed) == 1 and "Londonson" not in listed.to_csv()
    assert [m.label for m in at.metric] == ["Total incl. tax in EUR"]  # no GBP total


def test_the_wizard_offers_only_the_managers_event_and_not_another_events_order(two_events):
    manager = scoped_user("event_manager", [two_events["paris"]["event"]])
    at = open_page("pages/order_wizard.py", manager)
    assert not at.exception and not at.error
    assert options(at, "wizard.w.event") == ["Paris Summit"]

    london = two_events["london"]["number"]
    other = open_page("pages/order_wizard.py", manager, query={"modify": str(london)})
    assert [e.value for e in other.error] == [f"Order {london} does not exist or has been deleted."]
    ours = open_page("pages/order_wizard.py", manager, query={"modify": str(two_events["paris"]["number"])})
    assert not ours.exception and not ours.error
