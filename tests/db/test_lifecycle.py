"""Every transition through the lifecycle services, allowed and refused, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import Attendee, Order, OrderHistory, Payment
from orders_core.permissions import Actor
from orders_core.services import lifecycle
from orders_core.status import Status, can_transition
from tests.factories import make_event, make_order, make_tariff

ADMIN = Actor("admin@example.org", "admin")
MANAGER = Actor("manager@example.org", "event_manager")
PROVIDER = Actor("payment provider", "system")
ALL = list(Status)


def order_in(engine, status: str, **overrides) -> tuple[int, int]:
    with unit_of_work(engine) as session:
        event = make_event(session)
        order = make_order(session, event, [(make_tariff(session, event), 2)], status=status, **overrides)
        return order.id, order.number


def state(engine, order_id: int) -> tuple[str, int, int, list[str]]:
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        attendees = session.scalar(select(func.count()).select_from(Attendee).where(Attendee.order_id == order_id))
        payments = session.scalar(select(func.count()).select_from(Payment).where(Payment.order_id == order_id))
        actions = session.scalars(
            select(OrderHistory.action).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)
        ).all()
        return order.status, attendees, payments, actions


# (service call, target status, statuses it acts on)
ACTIONS = {
    "approve": (
        lambda s, i: lifecycle.approve_order(
            s, actor=ADMIN, order_id=i, method="cheque", received_at=datetime.now(UTC)
        ),
        Status.PAID,
        {Status.PENDING_ADMIN},
    ),
    "reject": (
        lambda s, i: lifecycle.reject_order(s, actor=ADMIN, order_id=i, reason="Not a member"),
        Status.CANCELLED,
        {Status.PENDING_ADMIN},
    ),
    "confirm_online": (
        lambda s, i: lifecycle.confirm_online(s, actor=PROVIDER, order_id=i, reference="txn_1"),
        Status.PAID,
        {Status.PENDING_ONLINE},
    ),
    "mark_failed": (
        lambda s, i: lifecycle.mark_failed(s, actor=PROVIDER, order_id=i, reason="error 107"),
        Status.FAILED,
        {Status.PENDING_ONLINE},
    ),
}


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_single_order_action_works_exactly_from_its_statuses(engine, action, status):
    call, target, sources = ACTIONS[action]
    order_id, number = order_in(engine, status.value)
    before = state(engine, order_id)
    if status in sources:
        assert can_transition(status, target)
        with unit_of_work(engine) as session:
            call(session, order_id)
        after = state(engine, order_id)
        assert after[0] == target.value
        assert len(after[3]) == len(before[3]) + 1
        if target == Status.PAID:
            assert after[1] == 2 and after[2] == 1
        with engine.connect() as conn:
            assert check_database(conn) == []
    else:
        with pytest.raises(TransitionRefused) as refused, unit_of_work(engine) as session:
            call(session, order_id)
        assert str(number) in refused.value.message
        assert state(engine, order_id) == before


@pytest.mark.parametrize("status", ALL)
def test_cancel_works_from_every_non_final_status_and_is_refused_from_final_ones(engine, status):
    order_id, number = order_in(engine, status.value)
    with unit_of_work(engine) as session:
        result = lifecycle.cancel_orders(session, actor=MANAGER, order_ids=[order_id], reason="Buyer asked")
    if status in (Status.PAID, Status.CANCELLED):
        assert result.done == [] and str(number) in result.refused[0].reason
        assert state(engine, order_id)[0] == status.value
    else:
        assert result.done == [number] and result.refused == []
        with unit_of_work(engine) as session:
            entry = session.scalars(
                select(OrderHistory).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id.desc())
            ).first()
            assert (entry.action, entry.reason, entry.actor) == ("cancelled", "Buyer asked", MANAGER.email)
            assert entry.details["status"] == {"old": status.value, "new": "cancelled"}


def test_cancel_needs_a_reason_of_reasonable_length(engine):
    order_id, _ = order_in(engine, "awaiting_payment")
    for reason, message in (("  ", "reason is required"), ("x" * 100_000, "too long: 100000 characters, at most 2000")):
        with pytest.raises(InvalidInput, match=message), unit_of_work(engine) as session:
            lifecycle.cancel_orders(session, actor=MANAGER, order_ids=[order_id], reason=reason)
    assert state(engine, order_id)[0] == "awaiting_payment"


def test_deleting_is_soft_keeps_attendees_and_an_admin_can_restore(engine):
    order_id, number = order_in(engine, "paid")
    with unit_of_work(engine) as session:
        result = lifecycle.delete_orders(session, actor=MANAGER, order_ids=[order_id], reason="Duplicate")
    assert result.done == [number]
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert order.deleted_at is not None and order.deleted_reason == "Duplicate"
    assert state(engine, order_id)[1] == 2  # attendees untouched
    with unit_of_work(engine) as session:
        again = lifecycle.delete_orders(session, actor=MANAGER, order_ids=[order_id], reason="Duplicate")
    assert again.done == [] and "already deleted" in again.refused[0].reason
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        lifecycle.restore_order(session, actor=MANAGER, order_id=order_id)
    with unit_of_work(engine) as session:
        lifecycle.restore_order(session, actor=ADMIN, order_id=order_id, reason="Not a duplicate")
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert order.deleted_at is None and order.deleted_reason is None
    assert state(engine, order_id)[3][-2:] == ["deleted", "restored"]
    with pytest.raises(TransitionRefused, match="is not deleted"), unit_of_work(engine) as session:
        lifecycle.restore_order(session, actor=ADMIN, order_id=order_id)


def test_a_deleted_order_cannot_be_cancelled_until_restored(engine):
    order_id, _ = order_in(engine, "awaiting_payment", deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
    with unit_of_work(engine) as session:
        result = lifecycle.cancel_orders(session, actor=ADMIN, order_ids=[order_id], reason="x")
    assert "restore it first" in result.refused[0].reason


@pytest.mark.parametrize(
    ("call", "role"),
    [
        (lambda s, i, a: lifecycle.approve_order(s, actor=a, order_id=i), "finance"),
        (lambda s, i, a: lifecycle.reject_order(s, actor=a, order_id=i), "event_manager"),
        (lambda s, i, a: lifecycle.cancel_orders(s, actor=a, order_ids=[i], reason="r"), "marketer"),
        (lambda s, i, a: lifecycle.delete_orders(s, actor=a, order_ids=[i], reason="r"), "finance"),
        (lambda s, i, a: lifecycle.confirm_online(s, actor=a, order_id=i), "finance"),
        (lambda s, i, a: lifecycle.mark_failed(s, actor=a, order_id=i), "event_manager"),
    ],
)
def test_roles_without_the_capability_are_refused(engine, call, role):
    order_id, _ = order_in(engine, "pending_online")
    before = state(engine, order_id)
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        call(session, order_id, Actor("x@example.org", role))
    assert state(engine, order_id) == before


def test_approving_an_invoice_order_with_a_balance_asks_how_it_was_paid(engine):
    order_id, number = order_in(engine, "pending_admin", payment_mode="invoice")
    with pytest.raises(InvalidInput, match=f"Order {number} still owes"), unit_of_work(engine) as session:
        lifecycle.approve_order(session, actor=ADMIN, order_id=order_id)


def test_confirm_online_records_an_online_settlement_with_the_provider_reference(engine):
    order_id, _ = order_in(engine, "pending_online")
    with unit_of_work(engine) as session:
        settled = lifecycle.confirm_online(session, actor=PROVIDER, order_id=order_id, reference="txn_ABC")
    assert settled.amount == Decimal("240.00") and settled.attendees == 2
    with unit_of_work(engine) as session:
        payment = session.scalars(select(Payment).where(Payment.order_id == order_id)).one()
        assert (payment.method, payment.reference, payment.recorded_by) == ("online", "txn_ABC", "payment provider")


def test_unknown_order_is_a_readable_error(engine):
    with pytest.raises(InvalidInput, match="Unknown order id"), unit_of_work(engine) as session:
        lifecycle.mark_failed(session, actor=PROVIDER, order_id=424242)
