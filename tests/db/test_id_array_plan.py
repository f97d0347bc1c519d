"""On PostgreSQL, the ids of a bulk action reach the planner as one constant `integer[]`: read
once, whatever the plan. Sent as a VARCHAR and cast, the array was an I/O conversion evaluated
again for every row a scan filtered (a 10,000-order validation spent 20 s parsing it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orders_core.db import id_chunks, session_factory
from orders_core.models import Invoice, Order
from tests.factories import make_event, make_order, make_tariff

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def backend():
    return "postgresql"


def plan_of(session, statement) -> str:
    compiled = statement.compile(session.get_bind())
    rows = session.connection().exec_driver_sql("EXPLAIN (VERBOSE, COSTS OFF) " + str(compiled), compiled.params)
    return "\n".join(row[0] for row in rows)


def test_the_ids_are_one_constant_array_in_a_sequential_scans_filter(engine):
    with session_factory(engine)() as session:
        session.connection().exec_driver_sql("SET LOCAL enable_indexscan = off")
        session.connection().exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        [(ids, condition)] = list(id_chunks(session, Invoice.order_id, [4, 1, 9]))
        plan = plan_of(session, select(Invoice.id).where(condition))
    assert ids == [4, 1, 9]
    assert "Seq Scan on public.invoices" in plan
    assert "(invoices.order_id = ANY ('{4,1,9}'::integer[]))" in plan
    assert "cstring" not in plan and "character varying" not in plan


def test_the_ids_select_the_rows_they_name_and_no_other(engine):
    with session_factory(engine)() as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        orders = [make_order(session, event, [(tariff, 1)]) for _ in range(4)]
        session.flush()
        wanted = [orders[2].id, orders[0].id]
        [(_ids, condition)] = list(id_chunks(session, Order.id, wanted))
        assert sorted(session.scalars(select(Order.id).where(condition))) == sorted(wanted)
