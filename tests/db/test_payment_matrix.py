"""Issue 13, item 4, from the outside: every role tries every way of making an order paid
(the ledger's confirm_payment, record a payment, bulk validation, approval, the wizard's paid
offline on a new or an existing order, a bank transfer matched in reconciliation) on every kind
of order, with a box-office and a bank method. A payment that exists afterwards must be one orders_core/order_rules.py allows
(event managers: cash, card or cheque on organiser orders not awaiting an invoice; finance and
admin: any offline method; online orders: nobody by hand); every refusal writes nothing.

Only public service names are used, so the ledger's one `confirm_payment` can replace what is
behind them without changing this matrix."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import OrderError
from orders_core.models import BankTransaction, Order, Payment
from orders_core.order_rules import payment_methods_for
from orders_core.permissions import Actor
from orders_core.reconciliation.service import confirm_match, import_statement
from orders_core.services import lifecycle
from orders_core.services.ledger import confirm_payment
from orders_core.services.order_changes import modify_order
from orders_core.services.order_creation import create_order
from orders_core.services.validation import validate_orders
from tests.factories import make_event, make_order, make_tariff

ROLES = ("event_manager", "finance", "admin", "marketer")
METHODS = ("cash", "bank_transfer")
TODAY = datetime.now(UTC).date()
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
HOLDER = [{"first_name": "Grace", "last_name": "Hopper"}]
# kind -> make_order arguments (one badge at 100.00 + 20 % = 120.00)
KINDS = {
    "invoice": dict(status="awaiting_payment", payment_mode="invoice", source="online"),
    "organiser_invoice": dict(status="awaiting_payment", payment_mode="invoice", source="organizer"),
    "organiser_cart": dict(status="cart_incomplete", payment_mode="undefined", source="organizer"),
    "online": dict(status="awaiting_payment", payment_mode="online", source="online"),
    "pending_admin": dict(status="pending_admin", payment_mode="invoice", source="online"),
}


def _record(session, actor, order, method, shop):
    confirm_payment(session, actor=actor, order_id=order.id, method=method, amount="120.00", received_at=TODAY)


def _confirm(session, actor, order, method, shop):
    confirm_payment(session, actor=actor, order_id=order.id, method=method, amount="120.00", received_at=TODAY)


def _validate(session, actor, order, method, shop):
    result = validate_orders(session, actor=actor, order_ids=[order.id], method=method, received_at=TODAY)
    if result.refused:
        raise OrderError(result.refused[0].reason)


def _approve(session, actor, order, method, shop):
    lifecycle.approve_order(session, actor=actor, order_id=order.id, method=method, received_at=TODAY)


def _modify_paid_offline(session, actor, order, method, shop):
    modify_order(
        session,
        actor=actor,
        order_id=order.id,
        expected_version=order.version,
        quantities={shop["badge"]: 1},
        buyer=BUYER,
        holders=HOLDER,
        payment={"mode": "paid_offline", "method": method},
    )


def _reconcile(session, actor, order, method, shop):
    statement = f"Date;Montant;Devise;Donneur d'ordre;Communication\n03/11/2026;120,00;EUR;Ada;CMD {order.number}\n"
    imported = import_statement(session, actor=actor, filename="s.csv", content=statement.encode())
    transaction = session.scalars(
        select(BankTransaction.id).where(BankTransaction.statement_id == imported.statement_id)
    ).one()
    confirm_match(session, actor=actor, transaction_id=transaction, allocations=[(order.id, Decimal("120.00"))])


PATHS = {
    "record_payment": (_record, METHODS),
    "confirm_payment": (_confirm, METHODS),
    "validate_orders": (_validate, METHODS),
    "approve_order": (_approve, METHODS),
    "modify_order paid offline": (_modify_paid_offline, METHODS),
    "reconciliation confirm_match": (_reconcile, ("bank_transfer",)),  # a transfer is a transfer
}


@pytest.fixture
def shop(engine):
    """One order of each kind for each (role, method), so every attempt starts afresh."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"))
        orders = {
            (role, kind, method): make_order(session, event, [(badge, 1)], **arguments).id
            for role in ROLES
            for kind, arguments in KINDS.items()
            for method in METHODS
        }
        return {"event": event.id, "badge": badge.id, "orders": orders}


def _payments(engine, order_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Payment).where(Payment.order_id == order_id)).scalar()


def attempt(engine, shop, path: str) -> set[tuple[str, str, str]]:
    """(role, kind, method) that made a payment by `path`; a refusal must be readable and leave
    no payment behind."""
    run, methods = PATHS[path]
    paid = set()
    for (role, kind, method), order_id in shop["orders"].items():
        if method not in methods:
            continue
        try:
            with unit_of_work(engine) as session:
                run(session, Actor(f"{role}@example.org", role), session.get(Order, order_id), method, shop)
        except OrderError:
            assert _payments(engine, order_id) == 0, (path, role, kind, method)
            continue
        assert _payments(engine, order_id) == 1, (path, role, kind, method)
        paid.add((role, kind, method))
    return paid


def allowed_by_the_rule(role: str, kind: str, method: str) -> bool:
    facts = KINDS[kind]
    return method in payment_methods_for(
        role, source=facts["source"], payment_mode=facts["payment_mode"], status=facts["status"]
    )


# What each path lets through: every entry is allowed by the rule; a path may refuse more (its
# capability, or a status it does not handle), never less.
EXPECTED = {
    "record_payment": {
        ("event_manager", "organiser_cart", "cash"),  # the ledger takes a cart paid at the box office
        *{
            (role, kind, m)
            for role in ("finance", "admin")
            for kind in ("invoice", "organiser_invoice", "organiser_cart")
            for m in METHODS
        },
    },
    "confirm_payment": {
        ("event_manager", "organiser_cart", "cash"),
        *{
            (role, kind, m)
            for role in ("finance", "admin")
            for kind in ("invoice", "organiser_invoice", "organiser_cart")
            for m in METHODS
        },
    },
    "validate_orders": {
        (role, kind, m) for role in ("finance", "admin") for kind in ("invoice", "organiser_invoice") for m in METHODS
    },
    "approve_order": {("admin", "pending_admin", m) for m in METHODS},
    "modify_order paid offline": {
        ("event_manager", "organiser_cart", "cash"),
        *{
            ("admin", kind, m)
            for kind in ("invoice", "organiser_invoice", "organiser_cart", "pending_admin")
            for m in METHODS
        },
    },
    "reconciliation confirm_match": {
        (role, kind, "bank_transfer")
        for role in ("finance", "admin")
        for kind in ("invoice", "organiser_invoice", "organiser_cart")  # a cart paid by transfer
    },
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_role_makes_a_payment_the_rule_does_not_allow(engine, shop, path):
    paid = attempt(engine, shop, path)
    assert all(allowed_by_the_rule(*combination) for combination in paid), sorted(paid)
    assert paid == EXPECTED[path]


@pytest.mark.parametrize("role", ROLES)
def test_the_wizard_pays_a_new_order_offline_only_with_a_method_of_the_role(engine, shop, role):
    actor = Actor(f"{role}@example.org", role)
    made = set()
    for method in METHODS:
        try:
            with unit_of_work(engine) as session:
                order = create_order(
                    session,
                    actor=actor,
                    event_id=shop["event"],
                    quantities={shop["badge"]: 1},
                    buyer=BUYER,
                    holders=HOLDER,
                    payment={"mode": "paid_offline", "method": method},
                )
                made.add(method)
                assert order.status == "paid"
        except OrderError:
            continue
    allowed = set(payment_methods_for(role, source="organizer", payment_mode="invoice", status=None))
    assert made <= allowed
    assert made == {"event_manager": {"cash"}, "admin": set(METHODS)}.get(role, set())
    organiser_orders_of_the_shop = len(shop["orders"]) * 2 // len(KINDS)  # 2 of the kinds are the organiser's
    with engine.connect() as conn:
        created = conn.execute(select(func.count()).select_from(Order).where(Order.source == "organizer")).scalar()
    assert created == organiser_orders_of_the_shop + len(made)  # a refusal left no order behind
