"""Issue 19: the to-do list counts from its partial indexes (migration 0033_todo_indexes) on SQLite
and PostgreSQL. The counts are those of a plain recomputation in Python over every order (and of
the grid's own filter), with events in the timezones furthest ahead of and behind UTC, due dates
on each side of each event's cutoff day, scoped principals; and each count reads its index."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, text, update

from orders_core.db import unit_of_work
from orders_core.models import Order
from orders_core.payment_terms import still_owed
from orders_core.permissions import Actor
from queries.due import today_in
from queries.grid import grid_count_and_totals
from queries.overview import TODO_GRID_ITEMS, todo_filters, todo_list
from tests.factories import make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")
ZONES = ("Pacific/Kiritimati", "Etc/GMT+12", "Europe/Paris")  # UTC+14, UTC-12, Europe
USER_ZONE = "America/Toronto"
STATES = ("unpaid", "partially_paid", "paid", "overpaid")
STATUSES = ("awaiting_payment", "paid", "cancelled", "pending_admin")


@pytest.fixture
def events(engine) -> list[int]:
    """Per event, an order for each (status, payment state) on each due day from three days
    before to three days after UTC's today (and none), some deleted, some with a follow-up date."""
    utc_today = datetime.now(UTC).date()
    with unit_of_work(engine) as session:
        ids = []
        for zone in ZONES:
            ev = make_event(session, timezone=zone)
            tariff = make_tariff(session, ev)
            ids.append(ev.id)
            n = 0
            for status in STATUSES:
                for state in STATES:
                    for shift in (None, -3, -2, -1, 0, 1, 2, 3):
                        n += 1
                        order = make_order(session, ev, [(tariff, 1)], status=status, payment_mode="invoice")
                        values = {
                            "payment_state": state,
                            "due_date": None if shift is None else utc_today + timedelta(days=shift),
                            "follow_up_on": None if n % 3 else utc_today + timedelta(days=(n % 5) - 2),
                            "deleted_at": datetime.now(UTC) if n % 7 == 0 else None,
                        }
                        session.execute(update(Order).where(Order.id == order.id).values(**values))
    return ids


def _recomputed(engine, principal: Actor) -> dict[str, int]:
    """The to-do counts from every order, in Python, by the domain's rules."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.status, o.payment_state, o.due_date, o.follow_up_on, o.deleted_at, o.event_id,"
                " e.timezone FROM orders o JOIN events e ON e.id = o.event_id"
            )
        ).all()
    now = datetime.now(UTC)
    user_today = today_in(USER_ZONE)
    counts = dict.fromkeys(TODO_GRID_ITEMS, 0)
    for status, state, due, follow_up, deleted_at, event_id, zone in rows:
        due = date.fromisoformat(due) if isinstance(due, str) else due
        follow_up = date.fromisoformat(follow_up) if isinstance(follow_up, str) else follow_up
        if deleted_at is not None or not principal.sees_event(event_id):
            continue
        event_today = now.astimezone(ZoneInfo(zone)).date()
        counts["overdue"] += bool(
            due is not None and due < event_today and still_owed(status=status, payment_state=state)
        )
        counts["balance_due"] += status == "paid" and state == "partially_paid"
        counts["refund_due"] += state == "overpaid"
        counts["approvals"] += status == "pending_admin"
        counts["follow_ups"] += follow_up is not None and follow_up <= user_today
    return counts


@pytest.mark.parametrize("scope", ["every", "first", "two_last", "none"])
def test_the_counts_are_a_plain_recomputation_and_the_grids(engine, events, scope):
    principal = {
        "every": EVERY_EVENT,
        "first": Actor("a@example.org", "admin", event_ids=frozenset(events[:1])),
        "two_last": Actor("b@example.org", "admin", event_ids=frozenset(events[1:])),
        "none": Actor("c@example.org", "admin", event_ids=frozenset()),
    }[scope]
    counted = {i.key: i.count for i in todo_list(engine, "admin", USER_ZONE, principal=principal) if i.grid}
    expected = _recomputed(engine, principal)
    assert counted == expected
    # the dataset puts orders on both sides of every cutoff: no count is trivially zero
    assert scope == "none" or all(expected.values())
    for key, count in counted.items():
        assert grid_count_and_totals(engine, todo_filters(key, USER_ZONE), principal=principal)[0] == count, key


def test_the_cutoff_is_each_events_today(engine, events):
    """Due yesterday in its event's timezone: overdue; due today there: not yet. Kiritimati's
    today is UTC's or the next day, UTC-12's UTC's or the day before."""
    counted = {i.key: i.count for i in todo_list(engine, "admin", USER_ZONE, principal=EVERY_EVENT)}
    owing_per_day = 3 * 2  # (awaiting_payment, paid, pending_admin) x (unpaid, partially_paid) per event
    with engine.connect() as conn:
        deleted_owing = conn.execute(
            select(Order.event_id, Order.due_date).where(
                Order.deleted_at.is_not(None),
                Order.due_date.is_not(None),
                Order.payment_state.in_(("unpaid", "partially_paid")),
                Order.status != "cancelled",
            )
        ).all()
    utc_today = datetime.now(UTC).date()
    expected = 0
    for event_id, zone in zip(events, ZONES, strict=True):
        cutoff = datetime.now(ZoneInfo(zone)).date()
        days = [utc_today + timedelta(days=shift) for shift in range(-3, 4)]
        expected += owing_per_day * sum(day < cutoff for day in days)
        expected -= sum(1 for e, due in deleted_owing if e == event_id and _day(due) < cutoff)
    assert counted["overdue"] == expected


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def test_each_count_reads_its_partial_index(engine, events, backend):
    """The counts' SQL carries the index's own conditions: each planner uses the item's index (on
    PostgreSQL with sequential scans off, as on a large table), not the status or event index,
    and never reads the whole table. The counts are one statement (issue 19), one subquery each."""
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "FROM orders" in statement:
            statements.append((statement, parameters))

    for principal in (EVERY_EVENT, Actor("a@example.org", "admin", event_ids=frozenset(events[:2]))):
        statements.clear()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            todo_list(engine, "admin", USER_ZONE, principal=principal)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        ((statement, parameters),) = statements
        assert len(re.findall(r"SELECT count\(\*\) AS count_\d+\s+FROM orders\s", statement)) >= len(TODO_GRID_ITEMS)
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql("SET enable_seqscan = off")
            explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
            plan = " ".join(str(row) for row in conn.exec_driver_sql(explain + statement, parameters))
        for key in TODO_GRID_ITEMS:
            # every event's follow-ups may as well read the older index on the date alone
            wanted = (
                (f"ix_orders_todo_{key}", "ix_orders_follow_up_on")
                if key == "follow_ups"
                else (f"ix_orders_todo_{key}",)
            )
            assert any(name in plan for name in wanted), (key, plan)
        assert "SCAN orders" not in plan and "Seq Scan on orders" not in plan, plan
