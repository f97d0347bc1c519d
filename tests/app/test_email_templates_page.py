"""The email templates page through AppTest: save refused with the reason, save, preview on a
real order, delete with confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import EmailTemplate
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "email_templates.py")
ADMIN = {"id": 1, "email": "admin@example.org", "role": "admin", "name": "Admin"}


@pytest.fixture
def shop(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        order = make_order(session, event, [(make_tariff(session, event), 2)], buyer_first_name="Zoé")
        return {"event": event.id, "number": order.number}


def page() -> AppTest:
    return open_page(PAGE, ADMIN)


def saved_templates(engine) -> list[EmailTemplate]:
    with unit_of_work(engine) as session:
        return session.scalars(select(EmailTemplate)).all()


def test_a_new_template_starts_from_the_built_in_text(shop):
    at = page()
    assert not at.exception
    assert at.text_input(key="email_templates.subject").value.startswith("Payment details for your order")
    assert "{{ event.bank_details }}" in at.text_area(key="email_templates.body").value


def test_saving_a_template_that_does_not_render_is_refused_with_the_reason(shop, engine):
    at = page()
    at.text_input(key="email_templates.name").set_value("Broken")
    at.text_area(key="email_templates.body").set_value("Dear {{ order.nickname }}")
    at.button(key="email_templates.save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The template does not render: body: 'dict object' has no attribute 'nickname'"
    ]
    assert saved_templates(engine) == []


def test_a_valid_template_is_saved_for_the_event_and_selected(shop, engine):
    at = page()
    at.selectbox(key="email_templates.event").set_value(shop["event"])
    at.selectbox(key="email_templates.language").set_value("fr")
    at.text_input(key="email_templates.name").set_value("Virement VIP")
    at.text_input(key="email_templates.subject").set_value("Commande {{ order.number }}")
    at.text_area(key="email_templates.body").set_value("Référence : {{ order.number }}")
    at.button(key="email_templates.save").click().run()
    assert not at.exception
    assert at.success[0].value == "Template saved."
    [saved] = saved_templates(engine)
    assert (saved.event_id, saved.language, saved.name, saved.kind) == (
        shop["event"],
        "fr",
        "Virement VIP",
        "payment_details",
    )
    assert at.selectbox(key="email_templates.choice").value == saved.id
    assert at.text_input(key="email_templates.name").value == "Virement VIP"


def test_preview_renders_on_a_real_order_and_shows_errors(shop):
    at = page()
    at.text_input(key="email_templates.subject").set_value("Order {{ order.number }}")
    at.text_area(key="email_templates.body").set_value(
        "{{ order.buyer_first_name }} owes {{ order.balance_due_formatted }}"
    )
    at.text_input(key="email_templates.preview_order").set_value(str(shop["number"]))
    at.button(key="email_templates.preview").click().run()
    assert not at.exception
    assert at.text[0].value == f"Subject: Order {shop['number']}"
    assert at.code[0].value == "Zoé owes €240.00"
    at.text_area(key="email_templates.body").set_value("{% if %}")
    at.button(key="email_templates.preview").click().run()
    assert at.error[0].value.startswith("The template does not render: body, line 1:")
    at.text_input(key="email_templates.preview_order").set_value("42")
    at.button(key="email_templates.preview").click().run()
    assert at.error[0].value == "No order has the number 42."


def test_deleting_asks_for_confirmation_first(shop, engine):
    at = page()
    at.text_input(key="email_templates.name").set_value("Temp")
    at.button(key="email_templates.save").click().run()
    [saved] = saved_templates(engine)
    at.button(key="email_templates.delete").click().run()
    assert saved_templates(engine) != []
    assert at.warning[0].value.startswith("Delete the template")
    at.button(key="email_templates.confirm").click().run()
    assert not at.exception
    assert at.success[0].value == "Template deleted."
    assert saved_templates(engine) == []
    assert at.selectbox(key="email_templates.choice").value == 0
    del saved


@pytest.mark.parametrize(
    ("kind", "subject_start", "variable"),
    [
        ("refund", "Refund for your order", "`refund.amount_formatted`"),
        ("order_expired", "Your order {{ order.number }} has been cancelled", "`reminder.due_date_formatted`"),
    ],
)
def test_a_refund_or_order_expired_template_is_made_from_its_built_in_text(shop, engine, kind, subject_start, variable):
    at = page()
    at.selectbox(key="email_templates.kind").set_value(kind).run()
    assert {"Refund", "Order expired"} <= set(at.selectbox(key="email_templates.kind").options)
    at.button(key="email_templates.built_in").click().run()
    assert at.text_input(key="email_templates.subject").value.startswith(subject_start)
    assert any(variable in m.value for m in at.markdown)
    at.text_input(key="email_templates.name").set_value("Mine")
    at.text_input(key="email_templates.preview_order").set_value(str(shop["number"]))
    at.button(key="email_templates.preview").click().run()
    assert not at.exception and not at.error
    assert at.text[0].value.startswith("Subject: ") and str(shop["number"]) in at.text[0].value
    at.button(key="email_templates.save").click().run()
    assert at.success[0].value == "Template saved."
    [saved] = saved_templates(engine)
    assert (saved.kind, saved.name, saved.subject.startswith(subject_start)) == (kind, "Mine", True)
