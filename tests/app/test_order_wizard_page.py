"""The order wizard page through Streamlit's AppTest: four steps forward and back, a clear
message for invalid input at each step, and the order it saves."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import EmailTemplate, FieldValue, Order, OrderHistory, OrderItem, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.forms import add_field
from tests.app.conftest import open_page
from tests.factories import NOW, make_code, make_event, make_order, make_tariff
from ui.wizard_state import WizardState

ROOT = Path(__file__).resolve().parents[2]
WIZARD = str(ROOT / "pages" / "order_wizard.py")
DETAIL = str(ROOT / "pages" / "order_detail.py")
MANAGER = {"id": 1, "email": "manager@example.org", "role": "event_manager", "name": "Manager"}


@pytest.fixture
def shop(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Paris Summit")
        badge = make_tariff(session, event, name="Conference badge", unit_price_ht=Decimal("100.00"))
        lunch = make_tariff(
            session, event, kind="product", name="Lunch", unit_price_ht=Decimal("12.50"), tax_rate=Decimal("10")
        )
        make_code(session, event, "TEN")
        job = add_field(
            session,
            actor=Actor("admin@example.org", "admin"),
            event_id=event.id,
            form="order",
            field_type="text",
            label_en="Purchase order",
            label_fr="Bon de commande",
            required=True,
        )
        template = EmailTemplate(
            event_id=event.id,
            kind="payment_details",
            language="en",
            name="Summit invoice",
            subject="Pay order {{ order.number }}",
            body="Due: {{ order.balance_due_formatted }}",
            is_html=False,
            updated_at=NOW,
        )
        session.add(template)
        session.flush()
        return {"event": event.id, "badge": badge.id, "lunch": lunch.id, "po": job.id, "template": template.id}


def wizard(query: dict | None = None) -> AppTest:
    return open_page(WIZARD, MANAGER, query=query)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def step(at: AppTest) -> int:
    return at.session_state["wizard"].step


def fill_step_one(at: AppTest, shop: dict, badges: int = 2) -> AppTest:
    at.selectbox(key="wizard.w.event").select(shop["event"]).run()
    at.number_input(key=f"wizard.w.qty.{shop['badge']}").set_value(badges).run()
    return at.number_input(key=f"wizard.w.qty.{shop['lunch']}").set_value(1).run()


def test_the_wizard_creates_an_order_through_four_steps_forward_and_back(engine, shop):
    at = wizard()
    assert not at.exception
    assert at.button(key="wizard.goto.2").disabled  # a step opens once the previous one is validated

    # step 1: zero quantity is refused, an unknown code too; a valid code updates the totals
    at.selectbox(key="wizard.w.event").select(shop["event"]).run()
    at.button(key="wizard.next").click().run()
    assert any("Choose at least one badge" in e for e in errors(at)) and step(at) == 1
    fill_step_one(at, shop)
    at.text_input(key="wizard.w.code").input("NOPE").run()
    at.button(key="wizard.add_code").click().run()
    assert any("NOPE does not exist for this event" in e for e in errors(at))
    at.text_input(key="wizard.w.code").input("ten").run()
    at.button(key="wizard.add_code").click().run()
    assert at.session_state["wizard"].codes == ["TEN"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Quantity"] == "3"
    assert metrics["Total incl. tax (EUR)"] == "€228.38"
    at.button(key="wizard.next").click().run()
    assert step(at) == 2

    # step 2: the buyer's email is mandatory, then valid; the required custom field too
    at.text_input(key="wizard.w.buyer.first_name").input("Ada").run()
    at.text_input(key="wizard.w.buyer.last_name").input("Lovelace").run()
    at.button(key="wizard.next").click().run()
    assert any("The buyer's email is mandatory" in e for e in errors(at)) and step(at) == 2
    at.text_input(key="wizard.w.buyer.email").input("ada@").run()
    at.button(key="wizard.next").click().run()
    assert any("is not a valid email address" in e for e in errors(at))
    at.text_input(key="wizard.w.buyer.email").input("ada@example.org").run()
    at.button(key="wizard.next").click().run()
    assert any("'Purchase order' is required" in e for e in errors(at)) and step(at) == 2
    at.text_input(key=f"wizard.w.custom.{shop['po']}").input("PO-77").run()
    at.button(key="wizard.next").click().run()
    assert step(at) == 3

    # back to step 1 from the side menu: what was typed is still there
    at.button(key="wizard.goto.1").click().run()
    assert step(at) == 1
    assert at.number_input(key=f"wizard.w.qty.{shop['badge']}").value == 2
    at.button(key="wizard.goto.2").click().run()
    assert at.text_input(key="wizard.w.buyer.email").value == "ada@example.org"
    at.button(key="wizard.goto.3").click().run()

    # step 3: two holders; the first "same as buyer", the second left empty is refused
    at.checkbox(key=f"wizard.w.h.{shop['badge']}.0.same").check().run()
    assert at.text_input(key=f"wizard.w.h.{shop['badge']}.0.first_name").value == "Ada"
    at.button(key="wizard.next").click().run()
    assert any("Holder 2: first and last names are mandatory" in e for e in errors(at)) and step(at) == 3
    at.text_input(key=f"wizard.w.h.{shop['badge']}.1.first_name").input("Grace").run()
    at.text_input(key=f"wizard.w.h.{shop['badge']}.1.last_name").input("Hopper").run()
    at.button(key="wizard.next").click().run()
    assert step(at) == 4

    # step 4: back and forth, then save on invoice with the payment details email
    at.button(key="wizard.back").click().run()
    assert step(at) == 3 and at.text_input(key=f"wizard.w.h.{shop['badge']}.1.last_name").value == "Hopper"
    at.button(key="wizard.next").click().run()
    at.radio(key="wizard.w.pay_mode").set_value("invoice").run()
    at.checkbox(key="wizard.w.send").check().run()
    assert at.selectbox(key="wizard.w.template").value == shop["template"]  # the event's own template first
    at.button(key="wizard.save").click().run()
    assert not at.exception
    assert not errors(at)

    with unit_of_work(engine) as session:
        order = session.scalars(select(Order)).one()
        assert (order.source, order.status, order.payment_mode) == ("organizer", "awaiting_payment", "invoice")
        assert (order.buyer_email, order.discount_code, order.total_ttc) == (
            "ada@example.org",
            "TEN",
            Decimal("228.38"),
        )
        holders = session.scalars(select(OrderItem.holder_first_name).order_by(OrderItem.id)).all()
        assert holders == ["Ada", "Grace"]
        assert session.scalars(select(FieldValue.value)).all() == ["PO-77"]
        email = session.scalars(select(OutboxEmail)).one()
        assert (email.kind, email.template_id, email.subject) == (
            "payment_details",
            shop["template"],
            f"Pay order {order.number}",
        )
        number = order.number
    # the order's page opens and says what was saved; the wizard starts afresh next time
    assert at.title[0].value == f"Order {number}"
    assert any(f"Order {number} created." in s.value for s in at.success)
    assert "wizard" not in at.session_state  # reset: the next new order starts empty


def test_leaving_the_wizard_half_way_saves_nothing(engine, shop):
    at = wizard()
    fill_step_one(at, shop)
    at.button(key="wizard.next").click().run()
    at.button(key="wizard.reset").click().run()
    assert step(at) == 1 and at.session_state["wizard"].validated == 0
    with unit_of_work(engine) as session:
        assert session.scalars(select(Order)).all() == []


def test_modify_mode_opens_prefilled_and_saves_one_history_entry(engine, shop):
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        event, badge = session.get(Event, shop["event"]), session.get(Tariff, shop["badge"])
        order = make_order(
            session,
            event,
            [(badge, 1)],
            source="organizer",
            buyer_first_name="Ada",
            buyer_last_name="Lovelace",
            holders=[("Ada", "Lovelace", "")],
        )
        session.add(FieldValue(order_id=order.id, order_item_id=None, field_id=shop["po"], value="PO-1"))
        number, order_id = order.number, order.id
    at = wizard({"modify": str(number)})
    assert not at.exception
    assert at.title[0].value == f"Modify order {number}"
    assert at.number_input(key=f"wizard.w.qty.{shop['badge']}").value == 1
    at.number_input(key=f"wizard.w.qty.{shop['badge']}").set_value(2).run()
    at.button(key="wizard.goto.3").click().run()
    at.text_input(key=f"wizard.w.h.{shop['badge']}.1.first_name").input("Grace").run()
    at.text_input(key=f"wizard.w.h.{shop['badge']}.1.last_name").input("Hopper").run()
    at.button(key="wizard.goto.4").click().run()
    at.button(key="wizard.save").click().run()
    assert not at.exception and not errors(at)
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.total_ttc, order.version) == (Decimal("240.00"), 2)
        entry = session.scalars(select(OrderHistory).where(OrderHistory.action == "modified")).one()
        assert entry.details["lines"] == {"old": "1 x Conference badge", "new": "2 x Conference badge"}


def test_a_conflicting_change_is_refused_and_the_new_state_shown(engine, shop):
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        event, badge = session.get(Event, shop["event"]), session.get(Tariff, shop["badge"])
        order = make_order(session, event, [(badge, 1)], source="organizer", holders=[("Ada", "Lovelace", "")])
        session.add(FieldValue(order_id=order.id, order_item_id=None, field_id=shop["po"], value="PO-1"))
        number, order_id = order.number, order.id
    at = wizard({"modify": str(number)})
    at.button(key="wizard.goto.2").click().run()
    at.text_input(key="wizard.w.buyer.phone").input("0102").run()
    with unit_of_work(engine) as session:  # someone else saves meanwhile
        session.get(Order, order_id).version = 5
    at.button(key="wizard.goto.4").click().run()
    at.button(key="wizard.save").click().run()
    assert any(f"Order {number} was changed by someone else" in e for e in errors(at))
    assert any("version 5" in i.value for i in at.info)
    at.button(key="wizard.reload").click().run()
    assert at.session_state["wizard"].version == 5


def test_a_paid_order_cannot_be_opened_for_modification(engine, shop):
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        event, badge = session.get(Event, shop["event"]), session.get(Tariff, shop["badge"])
        number = make_order(session, event, [(badge, 1)], status="paid").number
    at = wizard({"modify": str(number)})
    assert any("paid and cancelled orders cannot be modified" in e for e in errors(at))


def test_the_wizard_keeps_one_typed_state_that_round_trips_through_json(engine, shop):
    at = wizard()
    fill_step_one(at, shop)
    at.button(key="wizard.next").click().run()
    at.text_input(key="wizard.w.buyer.email").input("ada@example.org").run()
    state = at.session_state["wizard"]
    assert isinstance(state, WizardState)
    assert (state.event_id, state.quantities, state.buyer["email"]) == (
        shop["event"],
        {str(shop["badge"]): 2, str(shop["lunch"]): 1},
        "ada@example.org",
    )
    assert WizardState.from_json(state.to_json()) == state
    assert json.loads(state.to_json())["step"] == 2


def test_an_event_manager_takes_box_office_payments_and_sends_no_payment_details_for_a_paid_order(engine, shop):
    at = wizard()
    fill_step_one(at, shop)
    at.session_state["wizard"].buyer.update(first_name="Ada", last_name="Lovelace", email="ada@example.org")
    at.session_state["wizard"].custom[str(shop["po"])] = "PO-9"
    at.session_state["wizard"].validated = 3
    at.run()
    at.button(key="wizard.goto.4").click().run()
    assert at.radio(key="wizard.w.pay_mode").options == [
        "On invoice (awaiting payment)",
        "Paid offline (validated now)",
        "Not decided yet (payment mode undefined)",
    ]
    assert at.checkbox(key="wizard.w.send")  # on invoice: the payment details may be sent
    at.radio(key="wizard.w.pay_mode").set_value("paid_offline").run()
    assert at.selectbox(key="wizard.w.pay_method").options == ["Cash", "Card", "Cheque"]
    assert not [c for c in at.checkbox if c.key == "wizard.w.send"]  # paid at once: nothing to send
    # Issue 18 item 10: the order this creates showed payment mode "On invoice".
    at.session_state["wizard"].holders[str(shop["badge"])] = [
        {"first_name": "Ada", "last_name": "Lovelace", "email": ""},
        {"first_name": "Grace", "last_name": "Hopper", "email": ""},
    ]
    at.button(key="wizard.save").click().run()
    assert not at.exception and [e.value for e in at.error] == []
    with unit_of_work(engine) as session:
        order = session.scalars(select(Order)).one()
        assert (order.status, order.payment_mode) == ("paid", "box_office")
    page = open_page(DETAIL, MANAGER, query={"order": str(order.number)})
    assert any("At the box office" in m.value for m in page.markdown)
    # the header and detail show the mode; only the History tab may tell how the order began
    assert not any("On invoice" in m.value for m in page.markdown if not m.value.startswith("- "))


def test_modifying_in_the_wizard_lists_no_holder_that_did_not_change(engine, shop):
    """Issue 18 item 6: holders are compared by their order item, not by position. The order's
    items were written dinner first; the wizard writes them again badge first (its tariff order):
    by position, both holders read as renamed."""
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        event, badge = session.get(Event, shop["event"]), session.get(Tariff, shop["badge"])
        dinner = make_tariff(session, event, kind="ticket", name="Dinner", unit_price_ht=Decimal("50.00"))
        order = make_order(
            session,
            event,
            [(dinner, 1), (badge, 1)],
            source="organizer",
            holders=[("Jean", "Dupont", ""), ("Marie", "Curie", "")],
        )
        session.add(FieldValue(order_id=order.id, order_item_id=None, field_id=shop["po"], value="PO-1"))
        number, order_id = order.number, order.id
    at = wizard({"modify": str(number)})
    assert not at.exception
    at.button(key="wizard.goto.2").click().run()
    at.text_input(key="wizard.w.buyer.phone").input("+33 1 02 03 04 05").run()
    at.button(key="wizard.goto.4").click().run()
    at.button(key="wizard.save").click().run()
    assert not at.exception and not errors(at)
    with unit_of_work(engine) as session:
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "modified")
        ).one()
        assert "holders" not in entry.details and not any(k.startswith("holder") for k in entry.details)
        assert "lines" not in entry.details  # the same lines, written again in another order
        assert entry.details["buyer_phone"] == {"old": None, "new": "+33 1 02 03 04 05"}
