"""Issue 18 item 6: a modification lists a holder only when that holder changed, matched by order
item, never by position (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.history_text import describe
from orders_core.models import Order, OrderHistory
from orders_core.permissions import Actor
from orders_core.services.order_changes import modify_order
from orders_core.services.order_creation import create_order
from queries.wizard import order_for_edit
from tests.factories import EVERYONE, make_event, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

MANAGER = Actor("manager@example.org", "event_manager")
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}


def person(first: str, last: str) -> dict:
    return {"first_name": first, "last_name": last, "email": f"{first.lower()}@example.org"}


def test_removing_a_badge_lists_only_that_holder_and_a_rename_names_the_right_holder(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"))
        ticket = make_tariff(session, event, kind="ticket", name="Dinner", unit_price_ht=Decimal("50.00"))
        order = create_order(
            session,
            actor=MANAGER,
            event_id=event.id,
            quantities={badge.id: 2, ticket.id: 1},
            buyer=BUYER,
            holders=[person("Jean", "Dupont"), person("Marie", "Curie"), person("Paul", "Roux")],
            payment={"mode": "invoice"},
        )
        order_id, number, ids = order.id, order.number, (str(badge.id), str(ticket.id))
    loaded = order_for_edit(engine, number, principal=EVERYONE)
    assert loaded is not None
    jean, _marie = loaded["holders"][ids[0]]
    (paul,) = loaded["holders"][ids[1]]
    with unit_of_work(engine) as session:
        modify_order(
            session,
            actor=MANAGER,
            order_id=order_id,
            expected_version=1,
            quantities={int(ids[0]): 1, int(ids[1]): 1},  # Marie's badge goes
            buyer=BUYER,
            holders=[jean, {**paul, "first_name": "Paula"}],  # Jean unchanged, Paul renamed
            payment={"mode": "invoice"},
        )
    with unit_of_work(engine) as session:
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "modified")
        ).one()
        assert session.get(Order, order_id).version == 2
        assert entry.details["holders"] == [
            {"n": 2, "name": {"old": "Paul Roux", "new": "Paula Roux"}},
            {"n": 2, "removed": "Marie Curie <marie@example.org>"},
        ]
        sentences = describe(entry.action, entry.details, actor="Ana", currency="EUR")
    assert "Holder 2 renamed from Paul Roux to Paula Roux." in sentences
    assert "Holder Marie Curie <marie@example.org> removed." in sentences
    assert not any("Jean" in s for s in sentences)  # unchanged: never listed as renamed


def test_holders_sent_without_their_item_are_matched_by_person_not_position(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge")
        order = create_order(
            session,
            actor=MANAGER,
            event_id=event.id,
            quantities={badge.id: 3},
            buyer=BUYER,
            holders=[person("Jean", "Dupont"), person("Marie", "Curie"), person("Paul", "Roux")],
            payment={"mode": "invoice"},
        )
        order_id, badge_id = order.id, badge.id
    with unit_of_work(engine) as session:
        modify_order(
            session,
            actor=MANAGER,
            order_id=order_id,
            expected_version=1,
            quantities={badge_id: 2},
            buyer=BUYER,
            holders=[person("Jean", "Dupont"), person("Paul", "Roux")],
            payment={"mode": "invoice"},
        )
    with unit_of_work(engine) as session:
        details = session.scalars(
            select(OrderHistory.details).where(OrderHistory.order_id == order_id, OrderHistory.action == "modified")
        ).one()
    assert details["holders"] == [{"n": 2, "removed": "Marie Curie <marie@example.org>"}]


def test_the_history_names_its_actor_by_the_accounts_name_else_as_recorded(engine):
    from orders_core.services.lifecycle import cancel_orders
    from queries.order_detail import order_detail
    from tests.accounts import add_account

    add_account(engine, "ana@example.org", "admin", "correct horse battery staple 42", name="Ana")
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge")
        order = create_order(
            session,
            actor=Actor("ana@example.org", "admin"),
            event_id=event.id,
            quantities={badge.id: 1},
            buyer=BUYER,
            holders=[person("Jean", "Dupont")],
            payment={"mode": "invoice"},
        )
        order_id, number = order.id, order.number
    with unit_of_work(engine) as session:
        cancel_orders(session, actor=Actor("payment provider", "system"), order_ids=[order_id], reason="Expired")
    detail = order_detail(engine, number, principal=EVERY_EVENT)
    assert detail is not None
    assert list(detail.history["actor_name"]) == ["payment provider", "Ana"]  # newest first
