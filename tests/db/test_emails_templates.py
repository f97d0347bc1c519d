"""Email templates: saved only when they render; injection attempts stay data; preview and choice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.emails.outbox import VARIABLES, order_context, queue_email, sample_context
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.models import EmailTemplate, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.email_templates import (
    create_template,
    delete_template,
    list_templates,
    preview_template,
    update_template,
)
from tests.factories import make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")
MANAGER = Actor("manager@example.org", "event_manager")


def new_template(session, **overrides):
    values = dict(
        actor=ADMIN,
        event_id=None,
        kind="payment_details",
        language="en",
        name="Bank transfer",
        subject="Pay order {{ order.number }}",
        body="Reference {{ order.number }}\n{{ event.bank_details }}",
        is_html=False,
    )
    values.update(overrides)
    return create_template(session, **values)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Hello {{ order.buyer_first_name ", "body, line 1"),
        ("{% for line in lines %}{{ line.name }}", "body, line 1"),
        ("Hello {{ order.nickname }}", "has no attribute 'nickname'"),
        ("Hello {{ buyer }}", "'buyer' is undefined"),
        ("{% for item in items %}{{ item.price }}{% endfor %}", "has no attribute 'price'"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
    ],
)
def test_a_template_that_does_not_render_is_refused_on_save_with_the_reason(engine, body, reason):
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as refused:
        new_template(session, body=body)
    assert refused.value.message.startswith("The template does not render: ")
    assert reason in refused.value.message
    with unit_of_work(engine) as session:
        assert session.scalars(select(EmailTemplate)).all() == []


def test_a_broken_subject_is_refused_naming_the_subject(engine):
    with unit_of_work(engine) as session, pytest.raises(InvalidInput, match="subject, line 1"):
        new_template(session, subject="Order {{ order.number }")


def test_an_update_that_breaks_the_template_is_refused_and_the_saved_one_stays(engine):
    with unit_of_work(engine) as session:
        template_id = new_template(session).id
    with unit_of_work(engine) as session, pytest.raises(InvalidInput):
        update_template(
            session,
            actor=ADMIN,
            template_id=template_id,
            event_id=None,
            kind="payment_details",
            language="en",
            name="Broken",
            subject="x",
            body="{{ order.number | nosuchfilter }}",
        )
    with unit_of_work(engine) as session:
        assert session.get(EmailTemplate, template_id).name == "Bank transfer"


def test_only_admins_edit_templates(engine):
    with unit_of_work(engine) as session, pytest.raises(NotAllowed):
        new_template(session, actor=MANAGER)


def test_a_buyer_name_with_template_syntax_or_html_renders_as_typed_and_escaped_in_html(engine):
    hostile = "{{ 7*7 }} {% for x in y %} <script>alert('x')</script>"
    with unit_of_work(engine) as session:
        event = make_event(session)
        new_template(
            session,
            event_id=event.id,
            kind="order_confirmation",
            name="HTML",
            is_html=True,
            subject="Hi {{ order.buyer_first_name }}",
            body="<p>Hi {{ order.buyer_first_name }}</p>",
        )
        new_template(
            session,
            event_id=event.id,
            kind="tickets",
            name="Text",
            subject="Tickets",
            body="{% for item in items %}{{ item.holder_first_name }}\n{% endfor %}",
        )
        order = make_order(
            session,
            event,
            [(make_tariff(session, event), 1)],
            status="paid",
            buyer_first_name=hostile,
            holders=[(hostile, "Doe", "")],
        )
        html = queue_email(session, order=order, kind="order_confirmation")
        text = queue_email(session, order=order, kind="tickets")
        assert html.subject == f"Hi {hostile}"
        assert html.body_html == (
            "<p>Hi {{ 7*7 }} {% for x in y %} &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>"
        )
        assert html.body_text == f"Hi {hostile}\n"
        assert text.body_text == f"{hostile}\n" and "49" not in text.body_text


def test_a_template_can_be_edited_then_deleted_and_its_sent_emails_are_kept(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        template = new_template(session, event_id=event.id)
        update_template(
            session,
            actor=ADMIN,
            template_id=template.id,
            event_id=event.id,
            kind="payment_details",
            language="fr",
            name="Virement",
            subject="Commande {{ order.number }}",
            body="Référence : {{ order.number }}",
        )
        order = make_order(session, event, [(make_tariff(session, event), 1)], language="fr")
        email = queue_email(session, order=order, kind="payment_details")
        assert email.template_id == template.id and email.body_text == f"Référence : {order.number}"
    with unit_of_work(engine) as session:
        delete_template(session, actor=ADMIN, template_id=template.id)
    with unit_of_work(engine) as session:
        kept = session.get(OutboxEmail, email.id)
        assert kept.template_id is None and kept.body_text == f"Référence : {order.number}"
        assert session.get(EmailTemplate, template.id) is None


def test_list_templates_offers_the_event_ones_first_then_the_global_ones(engine):
    with unit_of_work(engine) as session:
        event, other = make_event(session), make_event(session)
        new_template(session, name="Global transfer")
        new_template(session, event_id=event.id, name="VIP transfer")
        new_template(session, event_id=other.id, name="Other event")
        new_template(session, event_id=event.id, name="French", language="fr")
        new_template(session, event_id=event.id, kind="tickets", name="Tickets", subject="T", body="B")
        choices = list_templates(session, event.id, "payment_details")
        assert [(c.name, c.is_global) for c in choices] == [
            ("French", False),
            ("VIP transfer", False),
            ("Global transfer", True),
        ]
        assert [c.name for c in list_templates(session, event.id, "payment_details", language="en")] == [
            "VIP transfer",
            "Global transfer",
        ]
        assert [c.name for c in list_templates(session, None, "payment_details")] == ["Global transfer"]


def test_the_chosen_template_is_used_when_queueing(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        first = new_template(session, event_id=event.id, name="A", subject="A {{ order.number }}")
        second = new_template(session, event_id=event.id, name="B", subject="B {{ order.number }}")
        order = make_order(session, event, [(make_tariff(session, event), 1)])
        assert queue_email(session, order=order, kind="payment_details").subject == f"A {order.number}"
        assert (
            queue_email(session, order=order, kind="payment_details", template_id=second.id).subject
            == f"B {order.number}"
        )
        assert first.id != second.id


def test_preview_renders_an_unsaved_template_against_a_real_order_or_says_why_not(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        order = make_order(session, event, [(make_tariff(session, event), 2)], buyer_first_name="Zoé")
        rendered = preview_template(
            session,
            actor=ADMIN,
            order_id=order.id,
            language="fr",
            subject="{{ event.name }} {{ order.number }}",
            body="{{ order.buyer_first_name }} doit {{ order.balance_due_formatted }}",
        )
        assert rendered.subject == f"Gala {order.number}"
        assert rendered.body_text == "Zoé doit 240,00\u00a0€"
        with pytest.raises(InvalidInput, match="has no attribute 'vip'"):
            preview_template(session, actor=ADMIN, order_id=order.id, subject="x", body="{{ order.vip }}")
        with pytest.raises(NotAllowed):
            preview_template(session, actor=MANAGER, order_id=order.id, subject="x", body="y")


def test_the_sample_context_offers_exactly_the_variables_of_a_real_order(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        order = make_order(session, event, [(make_tariff(session, event), 1)], status="paid")
        real = order_context(session, order)
    sample = sample_context("fr")
    for context in (real, sample):
        assert set(context) == set(VARIABLES)
        assert set(context["order"]) == set(VARIABLES["order"])
        assert set(context["event"]) == set(VARIABLES["event"])
        assert set(context["lines"][0]) == set(VARIABLES["lines"])
        assert set(context["items"][0]) == set(VARIABLES["items"])
