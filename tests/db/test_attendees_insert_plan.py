"""On SQLite, a validation's attendees are read by the ids of their order items alone: named by
both their orders and their items, SQLite probed ix_order_items_order_id for every (order, item)
pair of the two lists, 10 million searches for 2,000 orders (2.3 s at 100k orders)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from orders_core.db import unit_of_work
from orders_core.models import Attendee
from orders_core.permissions import Actor
from orders_core.services.validation import validate_orders
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")


@pytest.fixture
def backend():
    return "sqlite"


def test_the_attendees_insert_finds_each_item_by_its_id_not_by_order_and_item_pairs(engine):
    with unit_of_work(engine) as session:
        show = make_event(session)
        badge = make_tariff(session, show)
        ids = [make_order(session, show, [(badge, 1 + i % 4)]).id for i in range(40)]
    with engine.begin() as conn:  # statistics, as a database in use has them
        conn.exec_driver_sql("ANALYZE")
    inserts: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO attendees"):
            inserts.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with unit_of_work(engine) as session:
            validate_orders(session, actor=FINANCE, order_ids=ids[:8], method="bank_transfer", received_at=date.today())
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    [(statement, parameters)] = inserts
    with engine.connect() as conn:
        plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        created = conn.execute(select(func.count()).select_from(Attendee)).scalar_one()
    assert created == 20  # 1 + 2 + 3 + 4, twice
    assert "SEARCH order_items USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert not any("order_id=? AND rowid=?" in step for step in plan)
