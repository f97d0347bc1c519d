"""Notes on an order (issue 18 item 10: the Notes tab could not take a note), on SQLite and
PostgreSQL: finance, event managers and admins add dated notes to any order that is not
deleted, each kept after the others and written to the history with its author; marketers and
a deleted order are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import Order, OrderHistory
from orders_core.permissions import Actor
from orders_core.services.lifecycle import delete_orders
from orders_core.services.notes import add_note
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")
ADMIN = Actor("admin@example.org", "admin")
MARKETER = Actor("marketer@example.org", "marketer")
FIRST, SECOND = datetime(2026, 11, 20, 9, tzinfo=UTC), datetime(2026, 11, 21, 17, tzinfo=UTC)


@pytest.fixture
def order_id(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        return make_order(session, event, [(make_tariff(session, event), 1)], status="paid").id


def notes_and_history(engine, order_id):
    with unit_of_work(engine) as session:
        notes = session.get_one(Order, order_id).notes
        entries = session.execute(
            select(OrderHistory.actor, OrderHistory.details)
            .where(OrderHistory.order_id == order_id, OrderHistory.action == "note_added")
            .order_by(OrderHistory.id)
        ).all()
    return notes, [(actor, details) for actor, details in entries]


def test_notes_are_added_one_after_the_other_with_their_day_and_author_in_the_history(engine, order_id):
    with unit_of_work(engine) as session:
        add_note(session, actor=FINANCE, order_id=order_id, text="  Called the buyer: pays on Friday ", now=FIRST)
    with unit_of_work(engine) as session:
        add_note(session, actor=MANAGER, order_id=order_id, text="Paid at the desk <b>cash</b>", now=SECOND)
    notes, history = notes_and_history(engine, order_id)
    assert notes == "2026-11-20: Called the buyer: pays on Friday\n2026-11-21: Paid at the desk <b>cash</b>"
    assert history == [
        ("finance@example.org", {"note": "Called the buyer: pays on Friday"}),
        ("manager@example.org", {"note": "Paid at the desk <b>cash</b>"}),
    ]


def test_a_marketer_a_blank_note_and_a_deleted_order_are_refused_and_nothing_is_written(engine, order_id):
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        add_note(session, actor=MARKETER, order_id=order_id, text="Hello")
    with pytest.raises(InvalidInput, match="The note is required."), unit_of_work(engine) as session:
        add_note(session, actor=FINANCE, order_id=order_id, text="   ")
    with unit_of_work(engine) as session:
        delete_orders(session, actor=ADMIN, order_ids=[order_id], reason="duplicate")
    with pytest.raises(TransitionRefused, match="is deleted: restore it before adding a note"):
        with unit_of_work(engine) as session:
            add_note(session, actor=FINANCE, order_id=order_id, text="Too late")
    assert notes_and_history(engine, order_id) == ("", [])
