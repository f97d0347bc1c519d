"""The dashboards' summary tables equal a recomputation from the base tables after any
sequence of writes: real services (validate, cancel, delete, restore), direct ORM changes,
hard deletes of lines and payments (property-based), and a demo load through COPY/executemany."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.models import Order, OrderLine, Payment
from orders_core.permissions import Actor
from orders_core.services.lifecycle import cancel_orders, delete_orders, restore_order
from orders_core.services.validation import validate_orders
from orders_core.summaries import SUMMARIES, rebuild_summaries
from tests.append_only import lift_append_only
from tests.factories import NOW, make_code, make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")


@pytest.fixture
def engine(owner_engine):
    """As the owner, with the ledger's append-only guard lifted: the summaries must stay exact
    even through a hard delete of payments (which the app's role may not do) and a demo load."""
    with owner_engine.begin() as conn:
        lift_append_only(conn, "payments")
    return owner_engine


SUMMARY_CHECKS = [f"{s.table}_match_base_tables" for s in SUMMARIES]

steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "validate",
                "cancel",
                "delete",
                "restore",
                "edit_utm",
                "move_day",
                "drop_line",
                "drop_payment",
                "change_code",
                "move_event",
            ]
        ),
        st.integers(min_value=0, max_value=50),
        st.sampled_from(["awaiting_payment", "paid", "cart_incomplete", "failed", "pending_admin"]),
        st.integers(min_value=1, max_value=3),
    ),
    min_size=1,
    max_size=12,
)


def _violations(engine) -> list[str]:
    with engine.connect() as conn:
        return [str(v) for v in check_database(conn, only=SUMMARY_CHECKS)]


def _catalogue(engine) -> dict:
    with unit_of_work(engine) as session:
        eur = make_event(session, currency="EUR")
        gbp = make_event(session, currency="GBP")
        return {
            "events": [eur.id, gbp.id],
            "tariffs": {
                eur.id: [make_tariff(session, eur).id, make_tariff(session, eur, kind="product").id],
                gbp.id: [make_tariff(session, gbp, kind="ticket", tax_rate=Decimal("5.5")).id],
            },
            "codes": {eur.id: make_code(session, eur, "SAVE15", percent_off=Decimal("15")).id},
        }


def _apply(engine, catalogue: dict, step: tuple) -> None:
    from orders_core.models import DiscountCode, Event, Tariff

    action, pick, status, quantity = step
    with unit_of_work(engine) as session:
        ids = session.scalars(select(Order.id).order_by(Order.id)).all()
        target = ids[pick % len(ids)] if ids else None
        if action == "create" or target is None:
            event = session.get(Event, catalogue["events"][pick % 2])
            tariffs = [session.get(Tariff, t) for t in catalogue["tariffs"][event.id]]
            code_id = catalogue["codes"].get(event.id) if pick % 3 == 0 else None
            make_order(
                session,
                event,
                [(t, quantity) for t in tariffs],
                status=status,
                payment_mode="undefined" if status == "cart_incomplete" else None,
                code=session.get(DiscountCode, code_id) if code_id else None,
                created_at=NOW - timedelta(days=pick, hours=quantity),
                utm_source=["google", None, "newsletter"][pick % 3],
                utm_campaign="spring" if pick % 2 else None,
            )
        elif action == "validate":
            validate_orders(session, actor=ADMIN, order_ids=[target], method="cheque", received_at=NOW)
        elif action == "cancel":
            cancel_orders(session, actor=ADMIN, order_ids=[target], reason="test")
        elif action == "delete":
            delete_orders(session, actor=ADMIN, order_ids=[target], reason="test")
        elif action == "restore":
            if session.get(Order, target).deleted_at is not None:
                restore_order(session, actor=ADMIN, order_id=target)
        elif action == "edit_utm":
            session.execute(update(Order).where(Order.id == target).values(utm_medium=f"m{quantity}", utm_source=None))
        elif action == "move_day":
            session.execute(
                update(Order)
                .where(Order.id == target)
                .values(created_at=datetime(2026, 1, 1 + pick % 28, 23, 30, tzinfo=UTC))
            )
        elif action == "drop_line":
            line = session.scalars(
                select(OrderLine.id).where(OrderLine.order_id == target, OrderLine.kind == "product")
            ).first()
            if line:
                session.execute(delete(OrderLine).where(OrderLine.id == line))
        elif action == "drop_payment":
            session.execute(delete(Payment).where(Payment.order_id == target))
        elif action == "change_code":
            session.execute(update(Order).where(Order.id == target).values(discount_code=None))
        elif action == "move_event":  # its lines and payments move with it (their facts take its event)
            moved = session.get_one(Order, target)
            other = next(e for e in catalogue["events"] if e != moved.event_id)
            session.execute(update(Order).where(Order.id == target).values(event_id=other))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_summaries_equal_a_recomputation_after_any_sequence_of_writes(engine, sequence):
    catalogue = _catalogue(engine)
    for step in sequence:
        try:
            _apply(engine, catalogue, step)
        except Exception as error:  # a refused service call changes nothing: still checked below
            from orders_core.errors import OrderError

            if not isinstance(error, OrderError):
                raise
        assert _violations(engine) == [], step


def test_a_demo_load_leaves_exact_summaries(engine):
    from orders_core.demo import load_demo

    load_demo(engine, orders=600, seed=3)
    assert _violations(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT SUM(orders) FROM dash_order_facts")).scalar() == 600


def test_a_demo_reset_empties_the_summaries_with_the_orders(engine):
    from orders_core.demo import load_demo

    load_demo(engine, orders=100, seed=3)
    load_demo(engine, orders=50, seed=4, reset_first=True)
    assert _violations(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT SUM(orders) FROM dash_order_facts")).scalar() == 50


def test_rebuild_repairs_a_damaged_summary(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        make_order(session, event, [(make_tariff(session, event), 2)], status="paid")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM dash_line_facts"))
        conn.execute(text("UPDATE dash_payment_facts SET amount_cents = 1"))
    assert len(_violations(engine)) == 2
    with engine.begin() as conn:
        rebuild_summaries(conn)
    assert _violations(engine) == []


def test_an_order_moved_to_another_event_takes_its_lines_and_payments_with_it(engine):
    with unit_of_work(engine) as session:
        first, second = make_event(session), make_event(session)
        order = make_order(session, first, [(make_tariff(session, first), 2)], status="paid")
        order_id, second_id = order.id, second.id
    with unit_of_work(engine) as session:
        session.execute(update(Order).where(Order.id == order_id).values(event_id=second_id))
    assert _violations(engine) == []
    with engine.connect() as conn:
        for table, count in (("dash_payment_facts", "payments"), ("dash_line_facts", "lines")):
            events = conn.execute(text(f"SELECT DISTINCT event_id FROM {table} WHERE {count} <> 0")).scalars()
            assert set(events) == {second_id}, table
