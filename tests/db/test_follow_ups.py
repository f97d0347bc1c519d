"""Follow-ups (issue 15) on SQLite and PostgreSQL: finance, event managers and admins plan, move
and clear an order's follow-up, each change in the order's history; marketers are refused; the
grid's "Follow-up due" filter finds the order once the day has come."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed, TransitionRefused
from orders_core.models import Order, OrderHistory
from orders_core.permissions import Actor
from orders_core.services.follow_ups import clear_follow_up, set_follow_up
from queries.grid import GridFilters, grid_page
from queries.overview import todo_list
from tests.factories import make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

FINANCE = Actor("finance@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")
MARKETER = Actor("marketer@example.org", "marketer")
NOW = datetime.now(UTC)
TODAY = NOW.date()


@pytest.fixture
def order(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        return make_order(session, event, [(make_tariff(session, event), 1)], status="paid").id


def state(engine, order_id):
    with unit_of_work(engine) as session:
        row = session.get(Order, order_id)
        entries = session.execute(
            select(OrderHistory.action, OrderHistory.actor, OrderHistory.details)
            .where(OrderHistory.order_id == order_id, OrderHistory.action.like("follow_up%"))
            .order_by(OrderHistory.id)
        ).all()
        return row.follow_up_on, row.follow_up_note, [tuple(e) for e in entries]


def act(engine, service, **arguments):
    with unit_of_work(engine) as session:
        service(session, now=NOW, **arguments)


def due_numbers(engine):
    return set(grid_page(engine, GridFilters(follow_up_due=True), principal=EVERY_EVENT)["number"])


def test_finance_plans_a_follow_up_that_becomes_due_and_is_in_the_history(engine, order):
    later = TODAY + timedelta(days=3)
    act(engine, set_follow_up, actor=FINANCE, order_id=order, on=later.isoformat(), note="  Promised on the 15th ")
    assert state(engine, order) == (
        later,
        "Promised on the 15th",
        [
            (
                "follow_up_set",
                "finance@example.org",
                {
                    "follow_up_on": {"old": None, "new": later.isoformat()},
                    "follow_up_note": {"old": "", "new": "Promised on the 15th"},
                },
            )
        ],
    )
    assert due_numbers(engine) == set()
    act(engine, set_follow_up, actor=MANAGER, order_id=order, on=TODAY, note="Promised on the 15th")
    with unit_of_work(engine) as session:
        number = session.get(Order, order).number
    assert due_numbers(engine) == {number}
    follow_up_on, _note, entries = state(engine, order)
    assert follow_up_on == TODAY
    assert entries[-1] == (
        "follow_up_set",
        "manager@example.org",
        {"follow_up_on": {"old": later.isoformat(), "new": TODAY.isoformat()}},
    )


def test_saving_the_same_follow_up_again_writes_no_history(engine, order):
    act(engine, set_follow_up, actor=FINANCE, order_id=order, on=TODAY, note="call")
    act(engine, set_follow_up, actor=FINANCE, order_id=order, on=TODAY, note="call")
    assert len(state(engine, order)[2]) == 1


def test_clearing_a_follow_up_removes_it_from_the_due_list(engine, order):
    act(engine, set_follow_up, actor=FINANCE, order_id=order, on=TODAY - timedelta(days=2), note="call")
    act(engine, clear_follow_up, actor=FINANCE, order_id=order)
    follow_up_on, note, entries = state(engine, order)
    assert (follow_up_on, note) == (None, "")
    assert entries[-1][0] == "follow_up_cleared"
    assert entries[-1][2]["follow_up_note"] == {"old": "call", "new": ""}
    assert due_numbers(engine) == set()
    act(engine, clear_follow_up, actor=FINANCE, order_id=order)  # nothing to clear: nothing written
    assert len(state(engine, order)[2]) == 2


def test_a_marketer_reads_but_cannot_plan_a_follow_up(engine, order):
    with pytest.raises(NotAllowed):
        act(engine, set_follow_up, actor=MARKETER, order_id=order, on=TODAY)
    with pytest.raises(NotAllowed):
        act(engine, clear_follow_up, actor=MARKETER, order_id=order)
    assert state(engine, order) == (None, "", [])


def test_a_deleted_order_gets_no_follow_up(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        deleted = make_order(session, event, [(make_tariff(session, event), 1)], deleted_at=NOW)
        order_id, number = deleted.id, deleted.number
    with pytest.raises(TransitionRefused) as refused:
        act(engine, set_follow_up, actor=FINANCE, order_id=order_id, on=date(2027, 1, 15))
    assert refused.value.message == f"Order {number} is deleted: restore it before planning a follow-up."
    assert state(engine, order_id) == (None, "", [])


def test_the_demo_leaves_follow_ups_due_on_the_overview(demo_engine):
    """A fresh install shows the item: three demo follow-ups are due, one is next week's."""
    items = {item.key: item for item in todo_list(demo_engine, "finance", "UTC", principal=EVERY_EVENT)}
    assert items["follow_ups"].count == 3
    due = grid_page(demo_engine, items["follow_ups"].grid, principal=EVERY_EVENT)
    assert len(due) == 3 and set(due["status"]) == {"awaiting_payment"}
    with unit_of_work(demo_engine) as session:
        planned = session.scalars(select(Order.follow_up_note).where(Order.follow_up_on.is_not(None))).all()
        actors = session.scalars(select(OrderHistory.actor).where(OrderHistory.action == "follow_up_set")).all()
    assert len(planned) == 4 and "Promised to pay today" in planned
    assert actors == ["finance@demo.example"] * 4
