"""Issue 20: an order paid at the box office shows how it was paid (payment mode `box_office`,
"At the box office"), set by the ledger when a desk payment settles an organiser order; an
invoice paid by cheque stays "On invoice". Migration 0020 widens the CHECK constraint and
backfills the orders settled at the desk before it. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import IntegrityError

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.i18n import catalogue
from orders_core.migrate import alembic_config, downgrade, upgrade
from orders_core.models import Event, Order, OrderHistory, Tariff
from orders_core.order_rules import settled_payment_mode
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from orders_core.services.order_creation import create_order
from orders_core.status import PAYMENT_MODE_LABELS, PaymentMode
from queries.grid import GridFilters, grid_count_and_totals
from tests.factories import make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")
ADMIN = Actor("admin@example.org", "admin")
TODAY = datetime.now(UTC).date()
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}


@pytest.mark.parametrize(
    ("source", "mode", "status", "method", "expected"),
    [
        ("organizer", "invoice", "cart_incomplete", "cash", "box_office"),  # the wizard's paid offline
        ("organizer", "undefined", "cart_incomplete", "card", "box_office"),  # undecided, paid at the desk
        ("organizer", "invoice", "awaiting_payment", "cheque", "invoice"),  # an invoice paid by cheque
        ("organizer", "invoice", "cart_incomplete", "bank_transfer", "invoice"),  # not a desk method
        ("organizer", "invoice", "cart_incomplete", "other", "invoice"),
        ("online", "invoice", "awaiting_payment", "cash", "invoice"),  # an online order's invoice
        ("online", "online", "pending_online", "online", "online"),
        ("organizer", "free", "cart_incomplete", "cash", "free"),
    ],
)
def test_the_rule_says_which_settlements_are_made_at_the_box_office(source, mode, status, method, expected):
    assert settled_payment_mode(source=source, payment_mode=mode, status=status, method=method) == expected


def test_the_new_mode_is_labelled_in_english_and_french():
    label = PAYMENT_MODE_LABELS[PaymentMode.BOX_OFFICE]
    assert (label, catalogue("fr")[label]) == ("At the box office", "Au guichet")


@pytest.fixture
def shop(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        return {"event": event.id, "badge": badge.id}


def _wizard(engine, shop, actor, payment) -> int:
    with unit_of_work(engine) as session:
        order = create_order(
            session,
            actor=actor,
            event_id=shop["event"],
            quantities={shop["badge"]: 1},
            buyer=BUYER,
            holders=[{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}],
            payment=payment,
        )
        return order.id


def _mode(engine, order_id) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(select(Order.status, Order.payment_mode).where(Order.id == order_id)).one()
        return tuple(row)


def _settling_entry(engine, order_id) -> dict:
    with engine.connect() as conn:
        entries = conn.execute(
            select(OrderHistory.details).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)
        ).all()
    return [details for (details,) in entries if (details.get("status") or {}).get("new") == "paid"][-1]


def _clean(engine) -> None:
    with engine.connect() as conn:
        assert [str(v) for v in check_database(conn)] == []


def test_the_wizards_paid_offline_at_the_desk_is_at_the_box_office_with_its_history(engine, shop):
    order_id = _wizard(engine, shop, MANAGER, {"mode": "paid_offline", "method": "cash", "reference": "till 2"})
    assert _mode(engine, order_id) == ("paid", "box_office")
    assert _settling_entry(engine, order_id)["payment_mode"] == {"old": "invoice", "new": "box_office"}
    _clean(engine)
    # The grid's payment-mode filter finds it, and only it.
    count, _totals = grid_count_and_totals(engine, GridFilters(payment_modes=("box_office",)), principal=EVERY_EVENT)
    assert count == 1


def test_a_paid_offline_bank_transfer_stays_on_invoice(engine, shop):
    order_id = _wizard(engine, shop, ADMIN, {"mode": "paid_offline", "method": "bank_transfer"})
    assert _mode(engine, order_id) == ("paid", "invoice")
    assert "payment_mode" not in _settling_entry(engine, order_id)


def test_an_undecided_organiser_order_paid_at_the_desk_is_at_the_box_office(engine, shop):
    with unit_of_work(engine) as session:
        event = session.get_one(Event, shop["event"])
        badge = session.get_one(Tariff, shop["badge"])
        order = make_order(
            session, event, [(badge, 1)], status="cart_incomplete", payment_mode="undefined", source="organizer"
        )
        order_id, total = order.id, order.total_ttc
    with unit_of_work(engine) as session:
        done = confirm_payment(
            session, actor=MANAGER, order_id=order_id, amount=total, method="card", received_at=TODAY
        )
    assert done.became_paid
    assert _mode(engine, order_id) == ("paid", "box_office")
    assert _settling_entry(engine, order_id)["payment_mode"] == {"old": "undefined", "new": "box_office"}
    _clean(engine)


def test_an_invoice_paid_by_cheque_stays_on_invoice(engine, shop):
    order_id = _wizard(engine, shop, MANAGER, {"mode": "invoice"})
    with engine.connect() as conn:
        total = conn.execute(select(Order.total_ttc).where(Order.id == order_id)).scalar_one()
    with unit_of_work(engine) as session:
        confirm_payment(
            session, actor=FINANCE, order_id=order_id, amount=str(total), method="cheque", received_at=TODAY
        )
    assert _mode(engine, order_id) == ("paid", "invoice")


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_revision("0020_box_office").down_revision


def test_the_migration_widens_the_constraint_and_backfills_only_desk_settlements(engine, owner_url, shop):
    desk = _wizard(engine, shop, MANAGER, {"mode": "paid_offline", "method": "cheque"})
    transfer = _wizard(engine, shop, ADMIN, {"mode": "paid_offline", "method": "bank_transfer"})
    invoiced = _wizard(engine, shop, MANAGER, {"mode": "invoice"})
    with engine.connect() as conn:
        total = conn.execute(select(Order.total_ttc).where(Order.id == invoiced)).scalar_one()
    with unit_of_work(engine) as session:
        confirm_payment(session, actor=FINANCE, order_id=invoiced, amount=str(total), method="card", received_at=TODAY)
    engine.dispose()

    downgrade(owner_url, _previous_revision())
    owner = create_engine(owner_url)
    try:
        with owner.connect() as conn:
            modes = dict(conn.execute(select(Order.id, Order.payment_mode)).all())
        assert (modes[desk], modes[transfer], modes[invoiced]) == ("invoice", "invoice", "invoice")
        with pytest.raises(IntegrityError), owner.begin() as conn:  # the narrow constraint is back
            conn.execute(update(Order).where(Order.id == desk).values(payment_mode="box_office"))
    finally:
        owner.dispose()

    upgrade(owner_url, "heads")
    owner = create_engine(owner_url)
    try:
        with owner.connect() as conn:
            modes = dict(conn.execute(select(Order.id, Order.payment_mode)).all())
            assert [str(v) for v in check_database(conn)] == []  # summaries and triggers followed
            modes_in_summary = conn.execute(
                text("SELECT COUNT(*) FROM dash_order_facts WHERE payment_mode = 'box_office'")
            ).scalar_one()
        assert (modes[desk], modes[transfer], modes[invoiced]) == ("box_office", "invoice", "invoice")
        assert modes_in_summary == 1
    finally:
        owner.dispose()
