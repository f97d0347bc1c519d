"""Finding an order by the number of its invoice or credit note (issue 21), on SQLite and
PostgreSQL: the grid's search and the Order page's lookup take the exact number, in any case;
a part of a number finds nothing; the lookup goes through the unique index on invoices.number."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_credit_note, issue_invoice
from orders_core.permissions import Actor
from queries.grid import GridFilters, grid_count_and_totals, grid_page
from queries.grid_search import search_ids
from queries.order_lookup import lookup_order
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

FINANCE = Actor("finance@example.org", "finance")
ON = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.fixture
def documents(engine):
    """Three orders: the first invoiced then credited, the second invoiced, the third not."""
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        credited, invoiced, bare = (make_order(session, event, [(badge, 1)]) for _ in range(3))
        first = issue_invoice(session, actor=FINANCE, order_id=credited.id, now=ON)
        second = issue_invoice(session, actor=FINANCE, order_id=invoiced.id, now=ON)
        note = issue_credit_note(session, actor=FINANCE, invoice_id=first.id, reason="Cancelled", now=ON)
        return {
            "numbers": (first.number, second.number, note.number),
            "orders": (credited.number, invoiced.number, bare.number),
        }


def _grid_numbers(engine, search: str) -> list[int]:
    return sorted(grid_page(engine, GridFilters(search=search), page_size=50, principal=EVERY_EVENT)["number"])


def test_the_grid_finds_an_order_by_its_invoice_number_in_any_case(engine, documents):
    assert documents["numbers"] == ("F2026-00001", "F2026-00002", "A2026-00001")
    credited, invoiced, _bare = documents["orders"]
    assert _grid_numbers(engine, "F2026-00002") == [invoiced]
    assert _grid_numbers(engine, " f2026-00002 ") == [invoiced]
    assert _grid_numbers(engine, "F2026-00001") == [credited]
    assert grid_count_and_totals(engine, GridFilters(search="f2026-00001"), principal=EVERY_EVENT)[0] == 1


def test_the_grid_finds_an_order_by_its_credit_note_number(engine, documents):
    credited, _invoiced, _bare = documents["orders"]
    assert _grid_numbers(engine, "A2026-00001") == [credited]
    assert _grid_numbers(engine, "a2026-00001") == [credited]


@pytest.mark.parametrize("typed", ["F2026-0000", "2026-00002", "F2026", "F2026-00003"])
def test_a_part_of_a_number_or_an_unknown_number_finds_no_order(engine, documents, typed):
    assert _grid_numbers(engine, typed) == []


def test_the_order_lookup_opens_the_order_of_an_invoice_number(engine, documents):
    _credited, invoiced, _bare = documents["orders"]
    found = lookup_order(engine, "f2026-00002", principal=EVERY_EVENT)
    assert (found.number, found.several) == (invoiced, False)


def test_the_search_reads_the_invoice_number_through_its_unique_index(engine, documents):
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan read is PostgreSQL's")
    by_document = search_ids("F2026-00002").selects[-1]
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # three rows: a scan would be as cheap
        sql = by_document.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "Index" in plan and "uq_invoices_number" in plan, plan


def test_a_number_of_digits_only_opens_the_order_of_that_invoice_when_no_order_has_it(engine):
    with unit_of_work(engine) as session:
        make_seller_settings(session, invoice_pattern="{YYYY}{counter:05}")
        event = make_event(session)
        order = make_order(session, event, [(make_tariff(session, event), 1)])
        invoice = issue_invoice(session, actor=FINANCE, order_id=order.id, now=ON)
        wanted = (invoice.number, order.number)
    assert wanted[0] == "202600001"
    assert lookup_order(engine, "202600001", principal=EVERY_EVENT).number == wanted[1]
    assert lookup_order(engine, "202600002", principal=EVERY_EVENT).number is None
