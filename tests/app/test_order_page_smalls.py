"""Issue 18 item 10 on the order page and the wizard, through AppTest: the Notes tab takes a note
(through the notes service, with its history), each order item shows its seat and delivery mode,
and a choice field shows its options' labels in the user's language, never raw values such as
`gluten_free`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import OrderHistory
from orders_core.permissions import Actor
from orders_core.services.forms import add_field
from orders_core.services.order_creation import create_order
from tests.app.conftest import open_page
from tests.factories import make_event, make_seat_plan, make_tariff

ROOT = Path(__file__).resolve().parents[2]
DETAIL = str(ROOT / "pages" / "order_detail.py")
WIZARD = str(ROOT / "pages" / "order_wizard.py")
MANAGER = {"id": 2, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}
MARKETER = {"id": 4, "email": "marketer@example.org", "role": "marketer", "name": "Marketer"}


@pytest.fixture
def order(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session, seated=True)
        make_seat_plan(session, event)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"))
        diet = add_field(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=event.id,
            form="buyer",
            field_type="select",
            label_en="Dietary requirements",
            label_fr="Régime alimentaire",
            options=["none | None | Aucun", "gluten_free | Gluten-free | Sans gluten"],
        )
        created = create_order(
            session,
            actor=Actor(MANAGER["email"], "event_manager"),
            event_id=event.id,
            quantities={badge.id: 2},
            buyer={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"},
            holders=[
                {"first_name": "Ada", "last_name": "Lovelace", "seat": "A-1-5", "delivery_mode": "will_call"},
                {"first_name": "Grace", "last_name": "Hopper", "seat": "A-1-6", "delivery_mode": "mail"},
            ],
            payment={"mode": "invoice"},
            custom_values={diet.id: "gluten_free"},
        )
        return {"id": created.id, "number": created.number, "event": event.id, "badge": badge.id, "diet": diet.id}


def detail(order: dict, user: dict) -> AppTest:
    return open_page(DETAIL, user, query={"order": str(order["number"])}, state={"ui.timezone": "UTC"})


def test_order_items_show_their_seat_and_delivery_mode(order):
    at = detail(order, MANAGER)
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "Seat: A-1-5 · Delivery: Will call (box office)" in texts
    assert "Seat: A-1-6 · Delivery: By post" in texts


def test_the_notes_tab_takes_a_note_written_to_the_history(order, engine):
    at = detail(order, MANAGER)
    assert [m.value for m in at.caption if m.value == "No note."] == ["No note."]
    at.text_area(key="order_notes.text").input("Called the buyer: pays on Friday")
    at.button(key="order_notes.add").click().run()
    assert not at.exception and [e.value for e in at.error] == []
    assert "Note added." in [s.value for s in at.success]
    assert any(m.value.startswith("- ") and m.value.endswith(": Called the buyer: pays on Friday") for m in at.markdown)
    with unit_of_work(engine) as session:
        actions = session.scalars(select(OrderHistory.action).where(OrderHistory.order_id == order["id"])).all()
    assert "note_added" in actions


def test_a_marketer_reads_the_notes_without_a_form(order):
    at = detail(order, MARKETER)
    assert not at.exception
    assert not [t for t in at.text_area if t.key == "order_notes.text"]


def _custom_values(at: AppTest) -> dict[str, str]:
    table = next(frame.value for frame in at.dataframe if "label" in frame.value.columns)
    return dict(zip(table["label"], table["value"], strict=True))


def test_a_choice_is_shown_by_its_label_in_the_users_language(order):
    at = detail(order, MANAGER)
    assert _custom_values(at) == {"Dietary requirements": "Gluten-free"}
    at = open_page(DETAIL, MANAGER, query={"order": str(order["number"])}, state={"ui.locale": "fr"})
    assert _custom_values(at) == {"Régime alimentaire": "Sans gluten"}


def test_the_wizard_offers_a_choice_by_its_labels_and_stores_its_value(order):
    at = open_page(WIZARD, MANAGER, state={"ui.locale": "fr"})
    at.selectbox(key="wizard.w.event").select(order["event"]).run()
    at.number_input(key=f"wizard.w.qty.{order['badge']}").set_value(1).run()
    at.button(key="wizard.next").click().run()
    diet = at.selectbox(key=f"wizard.w.custom.{order['diet']}")
    assert diet.options == ["Aucun", "Sans gluten"]
    diet.select_index(1).run()
    assert at.session_state[f"wizard.w.custom.{order['diet']}"] == "gluten_free"
