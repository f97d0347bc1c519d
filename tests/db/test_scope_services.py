"""Issue 17: the services refuse what is outside the actor's events. A bulk action on a selection
with one order of another event is refused as a whole, naming it, and changes nothing; a single
order (or tariff, attendee...) of another event is refused exactly like an unknown one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed, OrderError
from orders_core.i18n import set_locale
from orders_core.models import Attendee, Order, OrderHistory, OrderLine, Payment
from orders_core.permissions import Actor
from orders_core.services.cancellations import cancel_tickets
from orders_core.services.lifecycle import cancel_orders
from orders_core.services.notes import add_note
from orders_core.services.order_changes import add_tickets, modify_order
from orders_core.services.order_creation import create_order
from orders_core.services.tariffs import update_tariff
from orders_core.services.tickets import change_holder
from orders_core.services.validation import validate_orders
from tests.factories import make_event, make_order, make_tariff

TODAY = datetime.now(UTC).date()


@pytest.fixture(autouse=True)
def english():
    set_locale("en")


@pytest.fixture
def two_events(engine):
    """Montréal (ours) and Zürich (theirs), each with an awaiting invoice order and a paid one."""
    with unit_of_work(engine) as session:
        ours, theirs = make_event(session, name="Montréal"), make_event(session, name="Zürich")
        our_pass, their_pass = make_tariff(session, ours), make_tariff(session, theirs)
        rows = {
            "our_pending": make_order(session, ours, [(our_pass, 1)]),
            "our_pending_2": make_order(session, ours, [(our_pass, 2)]),
            "their_pending": make_order(session, theirs, [(their_pass, 1)]),
            "our_paid": make_order(session, ours, [(our_pass, 1)], status="paid", source="organizer"),
            "their_paid": make_order(
                session, theirs, [(their_pass, 1)], status="paid", source="organizer", holders=[("Zed", "Z", "")]
            ),
        }
        session.flush()
        ids = {name: (order.id, order.number) for name, order in rows.items()}
        ids["ours"], ids["theirs"] = (ours.id, 0), (theirs.id, 0)
        ids["our_tariff"], ids["their_tariff"] = (our_pass.id, 0), (their_pass.id, 0)
        ids["their_attendee"] = (
            session.scalar(select(Attendee.id).where(Attendee.order_id == rows["their_paid"].id)) or 0,
            0,
        )
        return ids


def scoped(world, role: str) -> Actor:
    return Actor(f"{role}@montreal.example", role, event_ids=frozenset({world["ours"][0]}))


def snapshot(engine) -> tuple:
    with engine.connect() as conn:
        orders = conn.execute(select(Order.id, Order.status, Order.version, Order.notes).order_by(Order.id)).all()
        counts = [conn.scalar(select(func.count()).select_from(m)) for m in (Payment, OrderHistory, OrderLine)]
    return tuple(orders), tuple(counts)


def test_bulk_validation_with_one_order_of_another_event_is_refused_naming_it(engine, two_events):
    finance = scoped(two_events, "finance")
    before = snapshot(engine)
    selection = [two_events[k][0] for k in ("our_pending", "their_pending", "our_pending_2")]
    with pytest.raises(NotAllowed) as refused, unit_of_work(engine) as session:
        validate_orders(
            session, actor=finance, order_ids=selection, method="bank_transfer", received_at=TODAY, reference="VIR"
        )
    their_number = two_events["their_pending"][1]
    assert refused.value.message == (f"Order {their_number} is not one of your events' orders. Nothing was changed.")
    assert str(two_events["our_pending"][1]) not in refused.value.message
    assert snapshot(engine) == before
    # the same selection without their order goes through
    with unit_of_work(engine) as session:
        result = validate_orders(
            session,
            actor=finance,
            order_ids=[two_events["our_pending"][0], two_events["our_pending_2"][0]],
            method="bank_transfer",
            received_at=TODAY,
        )
    assert sorted(result.validated_numbers) == sorted([two_events["our_pending"][1], two_events["our_pending_2"][1]])


def test_bulk_cancel_names_every_order_outside_the_scope(engine, two_events):
    manager = scoped(two_events, "event_manager")
    before = snapshot(engine)
    with pytest.raises(NotAllowed) as refused, unit_of_work(engine) as session:
        cancel_orders(
            session,
            actor=manager,
            order_ids=[two_events["our_pending"][0], two_events["their_pending"][0], two_events["their_paid"][0]],
            reason="Duplicate",
        )
    numbers = sorted([two_events["their_pending"][1], two_events["their_paid"][1]])
    assert refused.value.message == (
        f"Orders {numbers[0]}, {numbers[1]} are not among your events' orders. Nothing was changed."
    )
    assert snapshot(engine) == before


def _unknown_and_theirs(engine, call) -> tuple[str, str]:
    """The refusal for an order id that does not exist and for their order: returned as messages."""
    messages = []
    for which in ("unknown", "theirs"):
        with pytest.raises(OrderError) as refused, unit_of_work(engine) as session:
            call(session, which)
        messages.append(refused.value.message)
    return messages[0], messages[1]


def test_a_scoped_event_manager_cannot_touch_another_events_order_and_learns_nothing(engine, two_events):
    manager = scoped(two_events, "event_manager")
    before = snapshot(engine)
    unknown_id = 999_999
    their_paid, their_pending = two_events["their_paid"][0], two_events["their_pending"][0]

    def order(which: str, theirs: int) -> int:
        return unknown_id if which == "unknown" else theirs

    calls = {
        "modify": lambda s, w: modify_order(
            s,
            actor=manager,
            order_id=order(w, their_pending),
            expected_version=None,
            quantities={str(two_events["their_tariff"][0]): 2},
            buyer={"first_name": "A", "last_name": "Changed", "email": "a@example.org"},
        ),
        "add tickets": lambda s, w: add_tickets(
            s,
            actor=manager,
            order_id=order(w, their_paid),
            tariff_id=two_events["their_tariff"][0],
            quantity=1,
            reason_note="walk-in",
        ),
        "cancel": lambda s, w: cancel_orders(s, actor=manager, order_ids=[order(w, their_pending)], reason="No"),
        "note": lambda s, w: add_note(s, actor=manager, order_id=order(w, their_paid), text="hello"),
    }
    for name, call in calls.items():
        unknown, theirs = _unknown_and_theirs(engine, call)
        if name == "cancel":  # a selection: refused naming it (the bulk rule), never changed
            assert theirs.endswith("Nothing was changed."), theirs
            continue
        theirs_id = their_pending if name == "modify" else their_paid
        assert theirs == unknown.replace(str(unknown_id), str(theirs_id)), name
    assert snapshot(engine) == before


def test_single_order_services_refuse_their_order_with_the_unknown_order_message(engine, two_events):
    finance = scoped(two_events, "finance")
    their_paid, their_number = two_events["their_paid"]

    def cancel(session, which):
        order_id = 424_242 if which == "unknown" else their_paid
        cancel_tickets(session, actor=finance, order_id=order_id, item_ids=[1], reason="ill")

    unknown, theirs = _unknown_and_theirs(engine, cancel)
    assert unknown == "Unknown order id: 424242. Nothing was changed."
    assert theirs == f"Unknown order id: {their_paid}. Nothing was changed."
    assert their_number  # the number of their order is never named


def test_creating_an_order_for_another_event_reads_like_an_unknown_event(engine, two_events):
    manager = scoped(two_events, "event_manager")
    theirs = two_events["theirs"][0]
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        create_order(
            session,
            actor=manager,
            event_id=theirs,
            quantities={str(two_events["their_tariff"][0]): 1},
            buyer={"first_name": "A", "last_name": "B", "email": "a@example.org"},
        )
    assert refused.value.message == f"Event {theirs} does not exist."


def test_their_tariff_and_attendee_are_unknown_to_a_scoped_manager(engine, two_events):
    manager = scoped(two_events, "event_manager")
    tariff_id = two_events["their_tariff"][0]
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        update_tariff(session, actor=manager, tariff_id=tariff_id, name="Mine now")
    assert refused.value.message == f"Tariff {tariff_id} does not exist."
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        change_holder(
            session, actor=manager, attendee_id=two_events["their_attendee"][0], first_name="Eve", last_name="X"
        )
    assert refused.value.message == "This attendee does not exist."
    # an admin of every event may
    with unit_of_work(engine) as session:
        changed = update_tariff(session, actor=Actor("root@example.org", "admin"), tariff_id=tariff_id, name="Renamed")
    assert changed["name"]["new"] == "Renamed"


def test_system_actors_reach_every_event(engine, two_events):
    with unit_of_work(engine) as session:
        result = cancel_orders(
            session,
            actor=Actor("system", "system"),
            order_ids=[two_events["our_pending"][0], two_events["their_pending"][0]],
            reason="Expired",
        )
    assert sorted(result.done) == sorted([two_events["our_pending"][1], two_events["their_pending"][1]])
