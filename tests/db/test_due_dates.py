"""Payment terms and due dates (issue 15) on SQLite and PostgreSQL: the event's terms through the
catalogue service, the due date an invoice order gets from the wizard's services, and the grid's
"overdue" filter, due-date column and export, counted in each event's own timezone."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput
from orders_core.models import CatalogueHistory, Event, Order, OrderHistory
from orders_core.permissions import Actor
from orders_core.services import catalogue
from orders_core.services.ledger import confirm_payment
from orders_core.services.order_changes import modify_order
from orders_core.services.order_creation import create_order
from queries.export import export_csv
from queries.grid import GridFilters, grid_count_and_totals, grid_page
from tests.factories import make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
# 10 December 2026, 12:00 UTC: already 11 December (01:00) in Auckland, still the 10th (04:00) in Los Angeles.
NOON = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


# --- the event's terms ------------------------------------------------------------------------------


def test_terms_are_saved_and_logged_old_and_new(engine):
    with unit_of_work(engine) as session:
        event_id = make_event(session).id
    with unit_of_work(engine) as session:
        changes = catalogue.update_event(
            session,
            actor=MANAGER,
            event_id=event_id,
            payment_terms_days="30",
            payment_due_days_before_event=7,
            expire_after_days=None,
        )
    assert changes == {
        "payment_terms_days": {"old": None, "new": 30},
        "payment_due_days_before_event": {"old": None, "new": 7},
    }
    with unit_of_work(engine) as session:
        event = session.get(Event, event_id)
        assert (event.payment_terms_days, event.payment_due_days_before_event, event.expire_after_days) == (30, 7, None)
        (entry,) = session.scalars(select(CatalogueHistory)).all()
        assert entry.details["payment_terms_days"] == {"old": None, "new": 30}


@pytest.mark.parametrize(
    "values,message",
    [
        (dict(payment_terms_days=-3), "Days after the order must be between 0 and 3650."),
        (dict(payment_due_days_before_event="soon"), "Days before the event must be a whole number."),
        (dict(expire_after_days=4000, payment_terms_days=30), "must be between 0 and 3650."),
        (dict(expire_after_days=10), "Cancelling unpaid orders past due needs a due date"),
    ],
)
def test_bad_terms_are_refused_with_a_message_and_change_nothing(engine, values, message):
    with unit_of_work(engine) as session:
        event_id = make_event(session).id
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        catalogue.update_event(session, actor=MANAGER, event_id=event_id, **values)
    assert message in refused.value.message
    with unit_of_work(engine) as session:
        event = session.get(Event, event_id)
        assert (event.payment_terms_days, event.payment_due_days_before_event, event.expire_after_days) == (
            None,
            None,
            None,
        )
        assert session.scalar(select(func.count()).select_from(CatalogueHistory)) == 0


def test_expiry_can_be_turned_off_again(engine):
    with unit_of_work(engine) as session:
        event_id = make_event(session, payment_terms_days=30, expire_after_days=10).id
    with unit_of_work(engine) as session:
        catalogue.update_event(session, actor=MANAGER, event_id=event_id, expire_after_days=None)
    with unit_of_work(engine) as session:
        assert session.get(Event, event_id).expire_after_days is None


# --- the due date of an invoice order ---------------------------------------------------------------


@pytest.fixture
def shop(engine):
    """An event in Montréal on 15 January 2027, due 30 days after the order or 10 days before."""
    with unit_of_work(engine) as session:
        event = make_event(
            session,
            timezone="America/Montreal",
            starts_at=datetime(2027, 1, 15, 14, 0, tzinfo=UTC),
            payment_terms_days=30,
            payment_due_days_before_event=10,
        )
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        return {"event": event.id, "badge": badge.id}


def _create(engine, shop, payment):
    with unit_of_work(engine) as session:
        order = create_order(
            session,
            actor=MANAGER,
            event_id=shop["event"],
            quantities={shop["badge"]: 1},
            buyer=BUYER,
            holders=[BUYER],
            payment=payment,
        )
        return order.id


def test_an_invoice_order_is_due_on_the_earlier_of_its_events_two_days(engine, shop):
    # 3 December, 03:00 UTC is still 2 December in Montréal: 30 days later is 1 January, but the
    # event's 10-days-before rule (5 January) comes later, so 1 January wins.
    with time_machine.travel(datetime(2026, 12, 3, 3, 0, tzinfo=UTC), tick=False):
        order_id = _create(engine, shop, {"mode": "invoice"})
    with time_machine.travel(datetime(2026, 12, 20, 15, 0, tzinfo=UTC), tick=False):
        later_id = _create(engine, shop, {"mode": "invoice"})
    with unit_of_work(engine) as session:
        assert session.get(Order, order_id).due_date == date(2027, 1, 1)
        assert session.get(Order, later_id).due_date == date(2027, 1, 5)
        created = session.scalars(select(OrderHistory).where(OrderHistory.order_id == order_id)).one()
        assert created.details["due_date"] == {"old": None, "new": "2027-01-01"}


def test_an_order_paid_at_once_or_left_undecided_has_no_due_date(engine, shop):
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):
        undecided = _create(engine, shop, {"mode": "undecided"})
        paid = _create(engine, shop, {"mode": "paid_offline", "method": "cash"})
    with unit_of_work(engine) as session:
        assert session.get(Order, undecided).due_date is None
        assert session.get(Order, paid).due_date is None


def test_finishing_an_undecided_order_on_invoice_counts_the_terms_from_that_day(engine, shop):
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        order_id = _create(engine, shop, {"mode": "undecided"})
    with time_machine.travel(datetime(2026, 12, 4, 15, 0, tzinfo=UTC), tick=False), unit_of_work(engine) as session:
        modify_order(
            session,
            actor=MANAGER,
            order_id=order_id,
            expected_version=1,
            quantities={shop["badge"]: 1},
            buyer=BUYER,
            holders=[BUYER],
            payment={"mode": "invoice"},
        )
    with unit_of_work(engine) as session:
        assert session.get(Order, order_id).due_date == date(2027, 1, 3)
        modified = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "modified")
        ).one()
        assert modified.details["due_date"] == {"old": None, "new": "2027-01-03"}


def test_tickets_added_to_a_paid_order_make_their_balance_due_on_the_terms_from_that_day(engine, shop):
    from orders_core.services.order_changes import add_tickets

    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        order_id = _create(engine, shop, {"mode": "paid_offline", "method": "card"})
    with time_machine.travel(datetime(2026, 12, 2, 15, 0, tzinfo=UTC), tick=False), unit_of_work(engine) as session:
        add_tickets(
            session,
            actor=MANAGER,
            order_id=order_id,
            tariff_id=shop["badge"],
            quantity=1,
            reason_note="A colleague joins",
            holders=[{"first_name": "Grace", "last_name": "Hopper"}],
        )
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.status, order.payment_state, order.due_date) == ("paid", "partially_paid", date(2027, 1, 1))
        added = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "tickets_added")
        ).one()
        assert added.details["due_date"] == {"old": None, "new": "2027-01-01"}


# --- overdue in the grid ----------------------------------------------------------------------------


@pytest.fixture
def ledger(engine):
    """Orders of two events far apart in time zones, due on 9 or 10 December, in every state."""
    with time_machine.travel(NOON - timedelta(days=20), tick=False), unit_of_work(engine) as session:
        auckland = make_event(session, name="Auckland", timezone="Pacific/Auckland", payment_terms_days=30)
        angeles = make_event(session, name="Los Angeles", timezone="America/Los_Angeles", payment_terms_days=30)
        numbers = {}
        for event, key in ((auckland, "akl"), (angeles, "lax")):
            badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("0"))
            for name, due, status in (
                ("due_9", date(2026, 12, 9), "awaiting_payment"),
                ("due_10", date(2026, 12, 10), "awaiting_payment"),
                ("cancelled", date(2026, 12, 1), "cancelled"),
                ("paid", date(2026, 12, 1), "paid"),
                ("partial", date(2026, 12, 1), "awaiting_payment"),
                ("deleted", date(2026, 12, 1), "awaiting_payment"),
                ("no_terms", None, "awaiting_payment"),
            ):
                order = make_order(session, event, [(badge, 1)], status=status, due_date=due)
                numbers[f"{key}_{name}"] = order.number
                if name == "partial":
                    confirm_payment(
                        session,
                        actor=FINANCE,
                        order_id=order.id,
                        amount="40.00",
                        method="bank_transfer",
                        received_at=NOON - timedelta(days=20),
                    )
                if name == "deleted":
                    order.deleted_at = NOON - timedelta(days=20)
    return numbers


def test_overdue_means_past_the_due_day_in_the_events_timezone_and_still_owing(engine, ledger):
    with time_machine.travel(NOON, tick=False):
        page = grid_page(engine, GridFilters(overdue=True), "number_asc", principal=EVERY_EVENT)
        count, totals = grid_count_and_totals(engine, GridFilters(overdue=True), principal=EVERY_EVENT)
    assert set(page["number"]) == {
        ledger["akl_due_9"],
        ledger["akl_due_10"],  # the 11th already in Auckland
        ledger["akl_partial"],
        ledger["lax_due_9"],
        ledger["lax_partial"],  # the 10th in Los Angeles: the order due that day is not late yet
    }
    assert count == 5
    assert totals["orders"].tolist() == [5]
    assert page.loc[page["number"] == ledger["lax_due_9"], "due_date"].iloc[0] == date(2026, 12, 9)


def test_a_day_later_the_order_due_on_the_10th_in_los_angeles_is_overdue_too(engine, ledger):
    with time_machine.travel(NOON + timedelta(hours=20), tick=False):  # 11 December, 00:00 in Los Angeles
        page = grid_page(engine, GridFilters(overdue=True, event_ids=()), "number_asc", principal=EVERY_EVENT)
    assert ledger["lax_due_10"] in set(page["number"])
    assert len(page) == 6


def test_the_export_carries_the_due_date_and_honours_the_overdue_filter(engine, ledger):
    out = io.BytesIO()
    with time_machine.travel(NOON, tick=False):
        rows = export_csv(engine, GridFilters(overdue=True), out, principal=FINANCE, separator=",")
    assert rows == 5
    lines = out.getvalue().decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    due = header.index("Due date (event's time zone)")
    number = header.index("Order number")
    by_number = {line.split(",")[number]: line.split(",")[due] for line in lines[1:]}
    assert by_number[str(ledger["lax_due_9"])] == "2026-12-09"


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_gives_its_events_terms_and_its_invoice_orders_due_dates_some_overdue(owner_engine):
    from orders_core.demo import load_demo
    from orders_core.payment_terms import Terms, due_date_for

    today = datetime(2026, 11, 21, tzinfo=UTC)
    load_demo(owner_engine, orders=600, seed=3, today=today)
    with unit_of_work(owner_engine) as session:
        events = {event.id: event for event in session.scalars(select(Event))}
        assert all(e.payment_terms_days or e.payment_due_days_before_event for e in events.values())
        assert all(e.expire_after_days is None for e in events.values())  # expiry stays off by default
        awaiting = session.scalars(
            select(Order).where(Order.status == "awaiting_payment", Order.payment_mode == "invoice")
        ).all()
        assert awaiting
        for order in awaiting:
            event = events[order.event_id]
            assert order.due_date == due_date_for(
                Terms.of(event), ordered_at=order.created_at, event_starts_at=event.starts_at, timezone=event.timezone
            )
        assert (
            session.scalar(select(func.count()).where(Order.payment_mode != "invoice", Order.due_date.is_not(None)))
            == 0
        )
    with time_machine.travel(today.replace(hour=12), tick=False):
        overdue, _totals = grid_count_and_totals(owner_engine, GridFilters(overdue=True), principal=EVERY_EVENT)
    assert 0 < overdue <= len(awaiting)
