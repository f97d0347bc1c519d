"""Who confirms which payment is one rule (orders_core/order_rules.py), and every path that makes
money arrive checks it (issue 13 item 4, issue 20): record a payment, the balance after added
tickets, bulk validation, the wizard's paid offline (new and modified orders), the provider's
confirmation. On both databases, with nothing written when refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed
from orders_core.models import Order, Payment
from orders_core.permissions import Actor
from orders_core.services import lifecycle
from orders_core.services.ledger import confirm_payment
from orders_core.services.order_changes import add_tickets, modify_order, record_balance_payment
from orders_core.services.order_creation import create_order
from orders_core.services.validation import validate_orders
from tests.factories import make_event, make_order, make_tariff

MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")
ADMIN = Actor("admin@example.org", "admin")
PROVIDER = Actor("payment provider", "system")
TODAY = datetime.now(UTC).date()
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
HOLDER = [{"first_name": "Grace", "last_name": "Hopper"}]


@pytest.fixture
def shop(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"))
        return {
            "event": event.id,
            "badge": badge.id,
            "invoice": make_order(session, event, [(badge, 1)]).id,
            "organiser_invoice": make_order(session, event, [(badge, 1)], source="organizer").id,
            "pending_online": make_order(session, event, [(badge, 1)], status="pending_online").id,
            "online_awaiting": make_order(session, event, [(badge, 1)], payment_mode="online").id,
        }


def payments(engine, order_id) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Payment).where(Payment.order_id == order_id)).scalar()


def new_order(engine, shop, actor, method):
    with unit_of_work(engine) as session:
        return create_order(
            session,
            actor=actor,
            event_id=shop["event"],
            quantities={shop["badge"]: 1},
            buyer=BUYER,
            holders=HOLDER,
            payment={"mode": "paid_offline", "method": method},
        ).id


def test_an_event_manager_never_pays_an_invoice_order_but_finance_does(engine, shop):
    for order_id in (shop["invoice"], shop["organiser_invoice"]):
        with pytest.raises(NotAllowed, match="Your role does not confirm the payment"), unit_of_work(engine) as s:
            confirm_payment(s, actor=MANAGER, order_id=order_id, method="cash", amount="120.00", received_at=TODAY)
        assert payments(engine, order_id) == 0
    with unit_of_work(engine) as session:
        outcome = confirm_payment(
            session, actor=FINANCE, order_id=shop["invoice"], method="bank_transfer", amount="120.00", received_at=TODAY
        )
    assert outcome.became_paid and payments(engine, shop["invoice"]) == 1


def test_nobody_marks_an_online_order_paid_by_hand_only_the_provider(engine, shop):
    with pytest.raises(NotAllowed, match="only the payment provider confirms it"), unit_of_work(engine) as session:
        lifecycle.confirm_online(session, actor=ADMIN, order_id=shop["pending_online"], reference="txn")
    with pytest.raises(NotAllowed, match="only the payment provider"), unit_of_work(engine) as session:
        confirm_payment(
            session, actor=ADMIN, order_id=shop["online_awaiting"], method="cheque", amount="1", received_at=TODAY
        )
    assert payments(engine, shop["pending_online"]) == payments(engine, shop["online_awaiting"]) == 0
    with unit_of_work(engine) as session:
        lifecycle.confirm_online(session, actor=PROVIDER, order_id=shop["pending_online"], reference="txn")
        assert session.get(Order, shop["pending_online"]).status == "paid"


def test_bulk_validation_reports_an_online_order_as_refused_and_validates_the_rest(engine, shop):
    with unit_of_work(engine) as session:
        result = validate_orders(
            session,
            actor=FINANCE,
            order_ids=[shop["invoice"], shop["online_awaiting"]],
            method="bank_transfer",
            received_at=TODAY,
        )
    assert [s.order_id for s in result.validated] == [shop["invoice"]]
    assert [r.order_id for r in result.refused] == [shop["online_awaiting"]]
    assert "only the payment provider confirms it" in result.refused[0].reason
    assert payments(engine, shop["online_awaiting"]) == 0


def test_the_box_office_takes_cash_card_or_cheque_on_organiser_orders_only(engine, shop):
    with pytest.raises(NotAllowed, match="not Bank transfer"):
        new_order(engine, shop, MANAGER, "bank_transfer")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Order).where(Order.source == "organizer")).scalar() == 1
    paid = new_order(engine, shop, MANAGER, "card")
    assert payments(engine, paid) == 1
    assert payments(engine, new_order(engine, shop, ADMIN, "bank_transfer")) == 1

    with unit_of_work(engine) as session:
        add_tickets(
            session,
            actor=MANAGER,
            order_id=paid,
            tariff_id=shop["badge"],
            quantity=1,
            reason_note="one more",
            holders=HOLDER,
        )
    with pytest.raises(NotAllowed, match="not Bank transfer"), unit_of_work(engine) as session:
        record_balance_payment(session, actor=MANAGER, order_id=paid, method="bank_transfer", amount="120.00")
    with unit_of_work(engine) as session:
        outcome = record_balance_payment(session, actor=MANAGER, order_id=paid, method="cash", amount="120.00")
    assert outcome.balance_due == 0 and payments(engine, paid) == 2


def test_modifying_an_invoice_order_into_paid_offline_is_finances_not_an_event_managers(engine, shop):
    def modify(actor):
        with unit_of_work(engine) as session:
            order = session.get(Order, shop["organiser_invoice"])
            modify_order(
                session,
                actor=actor,
                order_id=order.id,
                expected_version=order.version,
                quantities={shop["badge"]: 1},
                buyer=BUYER,
                holders=HOLDER,
                payment={"mode": "paid_offline", "method": "cash"},
            )

    with pytest.raises(NotAllowed, match="Your role does not confirm the payment of order"):
        modify(MANAGER)
    assert payments(engine, shop["organiser_invoice"]) == 0
    modify(ADMIN)
    assert payments(engine, shop["organiser_invoice"]) == 1
