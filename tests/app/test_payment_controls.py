"""Issue 13, item 4, on the pages: the order page offers a payment control (validate, approve,
record a payment and its methods) only to a role that order_rules.py lets confirm that payment.
Event managers see none on invoice orders; nobody sees one on an online order."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from orders_core.db import unit_of_work
from orders_core.models import Order
from orders_core.order_rules import payment_methods_for
from orders_core.status import PAYMENT_METHOD_LABELS
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
DETAIL = str(ROOT / "pages" / "order_detail.py")
ROLES = ("event_manager", "finance", "admin", "marketer")
KINDS = {
    "invoice": dict(status="awaiting_payment", payment_mode="invoice", source="online"),
    "organiser_invoice": dict(status="awaiting_payment", payment_mode="invoice", source="organizer"),
    "online": dict(status="awaiting_payment", payment_mode="online", source="online"),
    "organiser_owing": dict(status="paid", payment_mode="invoice", source="organizer"),
}
VALUE_OF = {label: method.value for method, label in PAYMENT_METHOD_LABELS.items()}  # English labels
PAYMENT_BUTTONS = ("order_actions.one_validate", "order_actions.one_approve")


@pytest.fixture
def numbers(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"))
        orders = {kind: make_order(session, event, [(badge, 1)], **facts) for kind, facts in KINDS.items()}
        # Tickets added after payment: the order owes 50.00 (the balance form's case).
        session.execute(update(Order).where(Order.id == orders["organiser_owing"].id).values(amount_paid=70))
        return {kind: order.number for kind, order in orders.items()}


def payment_controls(role: str, number: int) -> tuple[set[str], set[str]]:
    """(payment buttons, payment methods offered) on the order page for this role."""
    try:
        at = open_page(DETAIL, {"email": f"{role}@example.org", "role": role}, query={"order": str(number)})
    except ValueError:  # the page is not in this role's navigation
        return set(), set()
    assert not at.exception
    buttons = {b.key for b in at.button if b.key in PAYMENT_BUTTONS}
    methods = {str(o) for s in at.selectbox if (s.key or "").endswith(".pay_method") for o in s.options}
    if buttons:  # the method choice is in the dialog the button opens
        at.button(key=sorted(buttons)[0]).click().run()
        methods |= {str(o) for s in at.selectbox if s.key == "order_actions.method" for o in s.options}
    return buttons, methods


@pytest.mark.parametrize("role", ROLES)
def test_the_order_page_offers_only_the_payments_the_role_may_confirm(numbers, role):
    offered = {kind: payment_controls(role, number) for kind, number in numbers.items()}
    for kind, (buttons, methods) in offered.items():
        facts = KINDS[kind]
        allowed = {m.value for m in payment_methods_for(role, **facts)}
        assert {VALUE_OF[label] for label in methods} <= allowed, (kind, methods, allowed)
        assert not buttons or allowed, (kind, buttons)
    assert offered["online"] == (set(), set())
    if role in ("event_manager", "marketer"):
        assert offered["invoice"] == offered["organiser_invoice"] == (set(), set())
    if role == "event_manager":  # the box office takes the balance of added tickets
        assert {VALUE_OF[label] for label in offered["organiser_owing"][1]} == {"cash", "card", "cheque"}
    if role in ("finance", "admin"):
        assert offered["invoice"][0] == {"order_actions.one_validate"}
