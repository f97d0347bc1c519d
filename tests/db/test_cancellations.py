"""Partial cancellation (issue 20): finance cancels some tickets or products of a paid order; the
lines and totals (HT, tax, TTC) follow, the cancelled tickets' attendees are marked cancelled
(never deleted), the money kept beyond the new total is a refund due, a refund may be recorded
in the same action, and `orders check` still holds. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import Attendee, Order, OrderHistory, OrderItem, OrderLine, Refund
from orders_core.order_rules import Action, actions_for
from orders_core.permissions import Actor
from orders_core.services.cancellations import RefundRequest, cancel_tickets
from orders_core.services.refunds import record_refund
from queries.order_detail import order_facts
from tests.factories import make_code, make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

D = Decimal
FINANCE = Actor("fin@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")
TODAY = datetime.now(UTC).date()


@pytest.fixture
def paid(engine) -> dict:
    """A paid order of two badges at 100.00 + 20 % (240.00 in all) and three goodies at 10.00 + 20 %."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=D("100.00"))
        goodie = make_tariff(session, event, name="Goodie", kind="product", unit_price_ht=D("10.00"))
        order = make_order(
            session,
            event,
            [(badge, 2), (goodie, 3)],
            status="paid",
            holders=[("Ada", "Lovelace", "ada@example.org"), ("Alan", "Turing", "alan@example.org")],
        )
        items = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order.id).order_by(OrderItem.id))
        lines = {
            line.name: line.id for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
        }
        return {"id": order.id, "number": order.number, "items": list(items), "lines": lines}


def cancel(engine, order_id, **kwargs):
    args = dict(actor=FINANCE, order_id=order_id, reason="Alan cannot come")
    args.update(kwargs)
    with unit_of_work(engine) as session:
        return cancel_tickets(session, **args)


def order_row(engine, order_id):
    with engine.connect() as conn:
        return conn.execute(select(Order.__table__).where(Order.id == order_id)).one()


def count(engine, model, *conditions) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*conditions)).scalar()


def healthy(engine) -> list:
    with engine.connect() as conn:
        return check_database(conn)


def test_cancelling_one_ticket_lowers_the_totals_marks_its_attendee_and_shows_a_refund_due(engine, paid):
    alan = paid["items"][1]
    outcome = cancel(engine, paid["id"], item_ids=[alan])
    assert (outcome.total_ht, outcome.total_ttc, outcome.tax) == (
        (D("230.00"), D("130.00")),
        (D("276.00"), D("156.00")),
        (D("46.00"), D("26.00")),
    )
    assert (outcome.refund_due, outcome.balance_due, outcome.payment_state) == (D("120.00"), 0, "overpaid")
    assert outcome.lines == (("Badge", 2, 1),) and outcome.holders == ("Alan Turing",)
    row = order_row(engine, paid["id"])
    assert (row.status, row.payment_state, D(str(row.total_ttc)), D(str(row.amount_paid))) == (
        "paid",
        "overpaid",
        D("156.00"),
        D("276.00"),
    )
    with engine.connect() as conn:
        attendees = conn.execute(
            select(Attendee.first_name, Attendee.cancelled_at, Attendee.order_id).where(Attendee.order_id == paid["id"])
        ).all()
        entry = conn.execute(
            select(OrderHistory).where(OrderHistory.order_id == paid["id"], OrderHistory.action == "tickets_cancelled")
        ).one()
    assert sorted((a.first_name, a.cancelled_at is not None) for a in attendees) == [("Ada", False), ("Alan", True)]
    assert count(engine, OrderItem, OrderItem.order_id == paid["id"]) == 1
    assert entry.reason == "Alan cannot come"
    assert entry.details["total_ttc"] == {"old": "276.00", "new": "156.00"}
    assert entry.details["refund_due"] == {"old": "0.00", "new": "120.00"}
    assert entry.details["lines"] == {"old": "2 x Badge", "new": "1 x Badge"}
    facts = order_facts(engine, number=paid["number"], principal=EVERY_EVENT)
    assert (facts.refund_due, facts.balance_due) == (D("120.00"), 0)
    assert not actions_for(facts, "finance").can(Action.RECORD_PAYMENT)
    assert healthy(engine) == []
    # The refund due is then paid back: the order is paid again, exactly.
    with unit_of_work(engine) as session:
        back = record_refund(
            session,
            actor=FINANCE,
            order_id=paid["id"],
            amount="120.00",
            method="bank_transfer",
            refunded_at=TODAY,
            reason="Alan's ticket",
        )
    assert (back.payment_state, back.amount_paid) == ("paid", D("156.00"))
    assert healthy(engine) == []


def test_a_refund_recorded_in_the_same_action_settles_what_is_owed_back(engine, paid):
    outcome = cancel(
        engine,
        paid["id"],
        item_ids=[paid["items"][1]],
        products={paid["lines"]["Goodie"]: 2},
        refund=RefundRequest(amount="144.00", method="bank_transfer", refunded_at=TODAY, reference="VIR-R 9"),
    )
    assert outcome.total_ttc == (D("276.00"), D("132.00")) and outcome.refund_due == D("144.00")
    assert outcome.refund is not None and outcome.payment_state == "paid"
    row = order_row(engine, paid["id"])
    assert (row.payment_state, D(str(row.amount_paid)), D(str(row.total_ht))) == ("paid", D("132.00"), D("110.00"))
    with engine.connect() as conn:
        query = select(OrderLine.name, OrderLine.quantity).where(OrderLine.order_id == row.id)
        quantities = {row[0]: row[1] for row in conn.execute(query)}
        refund = conn.execute(select(Refund.amount, Refund.reason, Refund.reference)).one()
    assert quantities == {"Badge": 1, "Goodie": 1}
    assert (D(str(refund.amount)), refund.reason, refund.reference) == (D("144.00"), "Alan cannot come", "VIR-R 9")
    assert healthy(engine) == []


def test_a_double_click_cancels_once(engine, paid):
    request = dict(item_ids=[paid["items"][1]], refund=RefundRequest("120.00", "cheque", TODAY))
    first = cancel(engine, paid["id"], **request)
    second = cancel(engine, paid["id"], **request)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert count(engine, Refund, Refund.order_id == paid["id"]) == 1
    assert count(engine, OrderHistory, OrderHistory.action == "tickets_cancelled") == 1
    assert D(str(order_row(engine, paid["id"]).total_ttc)) == D("156.00")


def test_a_dry_run_tells_the_new_totals_and_writes_nothing(engine, paid):
    before = order_row(engine, paid["id"])
    preview = cancel(engine, paid["id"], item_ids=[paid["items"][0]], dry_run=True)
    assert (preview.total_ttc, preview.refund_due, preview.holders) == (
        (D("276.00"), D("156.00")),
        D("120.00"),
        ("Ada Lovelace",),
    )
    after = order_row(engine, paid["id"])
    assert (after.version, after.total_ttc) == (before.version, before.total_ttc)
    assert count(engine, OrderItem, OrderItem.order_id == paid["id"]) == 2


def test_a_discounted_line_keeps_its_discount_per_unit(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        code = make_code(session, event, "TEN", percent_off=D("10"))
        badge = make_tariff(session, event, name="Badge", unit_price_ht=D("100.00"))
        order = make_order(session, event, [(badge, 3)], code=code, status="paid")
        order_id = order.id
        item = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order.id)).first()
    outcome = cancel(engine, order_id, item_ids=[item])
    assert outcome.total_ht == (D("270.00"), D("180.00")) and outcome.total_ttc == (D("324.00"), D("216.00"))
    assert healthy(engine) == []


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"reason": " "}, InvalidInput, "reason is required"),
        ({"item_ids": []}, InvalidInput, "at least one ticket"),
        ({"item_ids": ["x"]}, InvalidInput, "not a ticket id"),
        ({"item_ids": [999999]}, InvalidInput, "is not in order"),
        ({"products": {"Goodie": 4}}, InvalidInput, "has only 3"),
        ({"products": {"Badge": 1}}, InvalidInput, "one by one"),
        ({"everything": True}, InvalidInput, "cancel the whole order instead"),
        ({"actor": MANAGER}, NotAllowed, "does not allow"),
        ({"actor": Actor("m@example.org", "marketer")}, NotAllowed, "does not allow"),
        ({"refund": RefundRequest("500.00", "cheque", TODAY)}, InvalidInput, "more than order"),
    ],
)
def test_a_bad_cancellation_is_refused_with_the_reason_and_nothing_written(engine, paid, change, error, message):
    before = order_row(engine, paid["id"])
    args = {"item_ids": [paid["items"][1]], **change}
    if "products" in args:
        args["products"] = {paid["lines"][name]: n for name, n in args["products"].items()}
        args["item_ids"] = []
    if args.pop("everything", False):
        args = {"item_ids": paid["items"], "products": {paid["lines"]["Goodie"]: 3}}
    with pytest.raises(error, match=message):
        cancel(engine, paid["id"], **args)
    after = order_row(engine, paid["id"])
    assert (after.version, after.total_ttc) == (before.version, before.total_ttc)
    assert count(engine, OrderItem, OrderItem.order_id == paid["id"]) == 2
    assert count(engine, Attendee, Attendee.cancelled_at.is_not(None)) == 0


def test_an_unpaid_order_is_cancelled_whole_not_ticket_by_ticket(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        order = make_order(session, event, [(make_tariff(session, event), 2)])
        order_id = order.id
        item = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order.id)).first()
    with pytest.raises(TransitionRefused, match="only a paid order"):
        cancel(engine, order_id, item_ids=[item])
