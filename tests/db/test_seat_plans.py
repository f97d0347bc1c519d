"""Seat plans and rule 17 (a seat is sold once per event) on SQLite and PostgreSQL: the plan edited
in the catalogue, the database refusing a second sale, every service refusing a sold seat with a
message and writing nothing, cancelling and deleting freeing seats, `orders check` reporting the
seats sold twice before the plan existed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from orders_core import seating
from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import ConflictError, InvalidInput, NotAllowed
from orders_core.models import CatalogueHistory, Event, Order, OrderHistory, OrderItem, Seat, SeatAssignment, Tariff
from orders_core.permissions import Actor
from orders_core.services.cancellations import cancel_tickets
from orders_core.services.catalogue import update_event
from orders_core.services.lifecycle import cancel_orders, delete_orders, restore_order
from orders_core.services.order_changes import add_tickets, modify_order
from orders_core.services.order_creation import create_order
from orders_core.services.refunds import record_refund
from orders_core.services.seat_plans import add_seats, remove_seats
from tests.factories import make_event, make_order, make_seat_plan, make_tariff

ADMIN = Actor("admin@example.org", "admin")
MANAGER = Actor("manager@example.org", "event_manager")
MARKETER = Actor("marketer@example.org", "marketer")
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}


@pytest.fixture
def hall(engine):
    """A seated event with a plan (A-1-1 ... A-3-10), a ticket tariff, and a paid organiser order
    holding A-1-1."""
    with unit_of_work(engine) as session:
        event = make_event(session, seated=True)
        ticket = make_tariff(session, event, kind="ticket", name="Seat")
        make_seat_plan(session, event)
        sold = make_order(session, event, [(ticket, 1)], status="paid", source="organizer", seats=["A-1-1"])
        return {"event": event.id, "ticket": ticket.id, "sold": sold.id}


def assignments(engine, order_id: int | None = None) -> list[str]:
    with engine.connect() as conn:
        query = select(Seat.label).join(SeatAssignment, SeatAssignment.seat_id == Seat.id).order_by(Seat.label)
        if order_id is not None:
            query = query.where(SeatAssignment.order_id == order_id)
        return list(conn.execute(query).scalars())


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(Order)).scalar_one(),
            conn.execute(select(func.count()).select_from(OrderItem)).scalar_one(),
            conn.execute(select(func.count()).select_from(SeatAssignment)).scalar_one(),
        )


def new_order(engine, hall, seats: list[str], **overrides) -> int:
    with unit_of_work(engine) as session:
        return create_order(
            session,
            actor=MANAGER,
            event_id=hall["event"],
            quantities={hall["ticket"]: len(seats)},
            buyer=BUYER,
            holders=[{"first_name": "Grace", "last_name": f"H{n}", "seat": s} for n, s in enumerate(seats)],
            payment={"mode": "invoice"},
            **overrides,
        ).id


# --- the plan ------------------------------------------------------------------------------------


def test_a_block_of_seats_is_added_to_the_plan_with_its_log_entry(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, seated=True)
        event_id = event.id
        added = add_seats(session, actor=MANAGER, event_id=event.id, section="B", rows="A-C", seats_per_row=4)
    assert added == 12
    with engine.connect() as conn:
        labels = conn.execute(select(Seat.label).where(Seat.event_id == event_id).order_by(Seat.id)).scalars().all()
        entry = conn.execute(select(CatalogueHistory).where(CatalogueHistory.action == "seats_added")).one()
    assert labels[:5] == ["B-A-1", "B-A-2", "B-A-3", "B-A-4", "B-B-1"] and len(labels) == 12
    assert (entry.actor, entry.entity, entry.event_id, entry.details["added"]) == (MANAGER.email, "event", event_id, 12)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (dict(section="", rows="1-2", seats_per_row=5), "Name the section"),
        (dict(section="A", rows="10-1", seats_per_row=5), "not a range"),
        (dict(section="A", rows="1-2", seats_per_row=0), "Seats per row"),
        (dict(section="A", rows="1-2", seats_per_row=10**20), "Seats per row"),
        (dict(section="A", rows="1;2", seats_per_row=5), "is not a row"),
        (dict(section="A", rows="1", seats_per_row=5), "already in the plan"),
    ],
)
def test_a_bad_block_is_refused_with_a_message_and_adds_nothing(engine, hall, arguments, message):
    with pytest.raises(InvalidInput, match=message), unit_of_work(engine) as session:
        add_seats(session, actor=ADMIN, event_id=hall["event"], **arguments)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Seat)).scalar_one() == 30


def test_an_event_that_is_not_seated_gets_no_plan_and_a_marketer_edits_none(engine, hall):
    with unit_of_work(engine) as session:
        event_id = make_event(session).id
    with pytest.raises(InvalidInput, match="is not seated"), unit_of_work(engine) as session:
        add_seats(session, actor=ADMIN, event_id=event_id, section="A", rows="1", seats_per_row=5)
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        add_seats(session, actor=MARKETER, event_id=hall["event"], section="Z", rows="1", seats_per_row=5)


def test_an_event_with_sold_seats_stays_seated(engine, hall):
    with pytest.raises(InvalidInput, match="has sold seats"), unit_of_work(engine) as session:
        update_event(session, actor=ADMIN, event_id=hall["event"], seated=False)
    with unit_of_work(engine) as session:
        assert session.get_one(Event, hall["event"]).seated is True


def test_unsold_seats_are_removed_but_a_sold_one_stays(engine, hall):
    with pytest.raises(InvalidInput, match="A-1-1 are sold"), unit_of_work(engine) as session:
        remove_seats(session, actor=ADMIN, event_id=hall["event"], section="A", rows="1")
    with unit_of_work(engine) as session:
        assert remove_seats(session, actor=ADMIN, event_id=hall["event"], section="A", rows="2-3") == 20
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Seat)).scalar_one() == 10


# --- the database refuses a second sale ------------------------------------------------------------


def test_the_database_refuses_a_second_row_for_a_sold_seat(engine, hall):
    with unit_of_work(engine) as session:
        event, ticket = session.get_one(Event, hall["event"]), session.get_one(Tariff, hall["ticket"])
        order = make_order(session, event, [(ticket, 1)])
        item_id = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order.id)).one()
        order_id = order.id
        seat_id = session.scalars(select(Seat.id).where(Seat.label == "A-1-1")).one()
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(SeatAssignment).values(
                event_id=hall["event"], seat_id=seat_id, order_id=order_id, order_item_id=item_id
            )
        )
    assert assignments(engine) == ["A-1-1"]


def test_a_sale_racing_past_the_check_is_refused_by_the_key_with_a_message(engine, hall, monkeypatch):
    """What the loser of two concurrent sales sees: the check saw the seat free, the insert fails."""
    monkeypatch.setattr(seating, "refuse_sold", lambda *args: None)
    before = counts(engine)
    with pytest.raises(ConflictError, match="Seat A-1-1 is already sold"):
        new_order(engine, hall, ["A-1-1"])
    assert counts(engine) == before


# --- every path refuses a sold seat, writing nothing -------------------------------------------------


def test_the_wizard_refuses_a_sold_seat_and_writes_nothing(engine, hall):
    before = counts(engine)
    with pytest.raises(InvalidInput, match="Seat A-1-1 is already sold"):
        new_order(engine, hall, ["A-1-2", "A-1-1"])
    assert counts(engine) == before
    order_id = new_order(engine, hall, ["A-1-2", "A-1-3"])
    assert assignments(engine, order_id) == ["A-1-2", "A-1-3"]


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        (["Z-9-9"], "not in the seat plan"),
        ([""], "choose a seat for each"),
        (["A-1-2", "A-1-2"], "same seat is chosen twice"),
    ],
)
def test_the_wizard_takes_only_distinct_seats_of_the_plan(engine, hall, seats, message):
    before = counts(engine)
    with pytest.raises(InvalidInput, match=message):
        new_order(engine, hall, seats)
    assert counts(engine) == before


def test_modifying_keeps_the_order_own_seats_and_refuses_another_order_seat(engine, hall):
    order_id = new_order(engine, hall, ["A-2-1"])

    def modify(seat: str, first: str = "Grace") -> None:
        with unit_of_work(engine) as session:
            version = session.get_one(Order, order_id).version
            modify_order(
                session,
                actor=MANAGER,
                order_id=order_id,
                expected_version=version,
                quantities={hall["ticket"]: 1},
                buyer=BUYER,
                holders=[{"first_name": first, "last_name": "Hopper", "seat": seat}],
                payment={"mode": "keep"},
            )

    modify("A-2-1", first="Anita")  # its own seat is not "sold to someone else"
    assert assignments(engine, order_id) == ["A-2-1"]
    before = counts(engine)
    with pytest.raises(InvalidInput, match="Seat A-1-1 is already sold"):
        modify("A-1-1")
    assert counts(engine) == before and assignments(engine, order_id) == ["A-2-1"]
    modify("A-2-2")
    assert assignments(engine, order_id) == ["A-2-2"]
    new_order(engine, hall, ["A-2-1"])  # the seat it left is for sale again


def test_adding_a_ticket_refuses_a_sold_seat_and_takes_a_free_one(engine, hall):
    def add(seat: str):
        with unit_of_work(engine) as session:
            add_tickets(
                session,
                actor=MANAGER,
                order_id=hall["sold"],
                tariff_id=hall["ticket"],
                quantity=1,
                seats=[seat],
                reason_note="next to A-1-1",
            )

    before = counts(engine)
    with pytest.raises(InvalidInput, match="Seat A-1-1 is already sold"):
        add("A-1-1")
    assert counts(engine) == before
    add("A-1-2")
    assert assignments(engine, hall["sold"]) == ["A-1-1", "A-1-2"]


def test_cancelling_deleting_and_cancelling_a_ticket_free_seats_and_restoring_takes_them_back(engine, hall):
    cancelled = new_order(engine, hall, ["A-3-1"])
    with unit_of_work(engine) as session:
        assert cancel_orders(session, actor=ADMIN, order_ids=[cancelled], reason="Buyer asked").done
    assert assignments(engine, cancelled) == []
    with engine.connect() as conn:
        entry = conn.execute(
            select(OrderHistory.details).where(OrderHistory.order_id == cancelled, OrderHistory.action == "cancelled")
        ).scalar_one()
    assert entry["seats"] == {"old": "A-3-1", "new": None}
    deleted = new_order(engine, hall, ["A-3-1", "A-3-2"])  # the cancelled order's seat, sold again
    with unit_of_work(engine) as session:
        assert delete_orders(session, actor=ADMIN, order_ids=[deleted], reason="Duplicate").done
    assert assignments(engine, deleted) == []
    with unit_of_work(engine) as session:
        restore_order(session, actor=ADMIN, order_id=deleted)
    assert assignments(engine, deleted) == ["A-3-1", "A-3-2"]
    with unit_of_work(engine) as session:
        delete_orders(session, actor=ADMIN, order_ids=[deleted], reason="Duplicate again")
    new_order(engine, hall, ["A-3-2"])
    with pytest.raises(InvalidInput, match="Seat A-3-2 is already sold"), unit_of_work(engine) as session:
        restore_order(session, actor=ADMIN, order_id=deleted)
    with engine.connect() as conn:
        assert conn.execute(select(Order.deleted_at).where(Order.id == deleted)).scalar_one() is not None
    with unit_of_work(engine) as session:
        event, ticket = session.get_one(Event, hall["event"]), session.get_one(Tariff, hall["ticket"])
        pair = make_order(session, event, [(ticket, 2)], status="paid", seats=["A-2-5", "A-2-6"]).id
        item = session.scalars(select(OrderItem.id).where(OrderItem.order_id == pair).order_by(OrderItem.id)).first()
        cancel_tickets(session, actor=ADMIN, order_id=pair, item_ids=[item], reason="Cannot come")
    assert assignments(engine, pair) == ["A-2-6"]
    new_order(engine, hall, ["A-2-5"])


def test_a_refund_that_cancels_the_order_frees_its_seats(engine, hall):
    with unit_of_work(engine) as session:
        total = session.get_one(Order, hall["sold"]).total_ttc
        record_refund(
            session,
            actor=ADMIN,
            order_id=hall["sold"],
            amount=total,
            method="bank_transfer",
            refunded_at=datetime.now(UTC).date(),
            reason="Event moved",
            cancel_order=True,
        )
    assert assignments(engine, hall["sold"]) == []


# --- seats sold as free text before the plan ---------------------------------------------------------


def test_legacy_doubles_are_reported_and_the_plan_assigns_the_first_sale(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, seated=True)
        ticket = make_tariff(session, event, kind="ticket")
        first = make_order(session, event, [(ticket, 1)])
        second = make_order(session, event, [(ticket, 1)])
        for order in (first, second):  # as the wizard wrote them before issue 18: free text
            session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)).one().seat = "A-1-1"
        numbers, event_id, first_id = (first.number, second.number), event.id, first.id
    with engine.connect() as conn:
        found = [v for v in check_database(conn) if v.invariant == "seat_sold_once"]
    assert [v.order_number for v in found] == [numbers[1]]  # the later sale; the first keeps the seat
    assert "seat A-1-1 was already sold to an earlier order" in found[0].message
    with unit_of_work(engine) as session:
        add_seats(session, actor=ADMIN, event_id=event_id, section="A", rows="1", seats_per_row=5)
    assert assignments(engine, first_id) == ["A-1-1"]
    assert assignments(engine) == ["A-1-1"]


def test_a_clean_seated_database_passes_the_checks(engine, hall):
    new_order(engine, hall, ["A-1-5"])
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_the_migration_keeps_legacy_doubles_unassigned_and_the_check_reports_them(empty_db_url):
    """A database where a free-text seat was sold twice before 0024_seat_plan migrates without
    error; the seats stay as they were, and `orders check` names the later sale."""
    from orders_core import db
    from orders_core.migrate import downgrade, upgrade

    upgrade(empty_db_url, "heads")  # the factories write today's columns
    engine = db.get_engine(empty_db_url)
    try:
        with unit_of_work(engine) as session:
            event = make_event(session, seated=True)
            ticket = make_tariff(session, event, kind="ticket")
            orders = [make_order(session, event, [(ticket, 1)]) for _ in range(3)]
            later = sorted(o.number for o in orders)[1:]
        engine.dispose()
        downgrade(empty_db_url, "0023_search_fold")  # the revision before 0024_seat_plan
        with engine.begin() as conn:  # a free-text seat sold three times, as 0023 allowed
            conn.execute(text("UPDATE order_items SET seat = 'B12'"))
        engine.dispose()
        upgrade(empty_db_url, "heads")
        with engine.connect() as conn:
            found = [v for v in check_database(conn) if v.invariant == "seat_sold_once"]
            kept = conn.execute(select(OrderItem.seat)).scalars().all()
            assert conn.execute(select(func.count()).select_from(SeatAssignment)).scalar_one() == 0
        assert sorted(v.order_number for v in found) == later and kept == ["B12"] * 3
    finally:
        engine.dispose()
