"""Issue 17 on the order-centric read side: a principal of one event counts and reads that
event's orders only (the grid's summary fast path too), and a marketer reads no person: names,
emails, phones, addresses, company and VAT number masked in the grid, the order page and the
exports, while UTM, amounts, statuses and codes stay; a marketer's search finds no one by a
personal field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed
from orders_core.permissions import Actor
from orders_core.scope import MASK
from orders_core.status import Role
from queries.attendees import AttendeeFilters, attendee_count
from queries.export import csv_stream, export_chunks
from queries.grid import GridFilters, grid_count_and_totals, grid_page
from queries.order_detail import order_detail
from queries.order_lookup import Lookup, lookup_order
from queries.overview import todo_list
from queries.pending import pending_invoice_orders
from queries.reminders import reminder_ladder
from tests.factories import NOW, make_code, make_event, make_order, make_tariff
from tests.scope.world import build_world

EVERY_EVENT = Actor("admin@example.org", Role.ADMIN)
EMAIL = "ada.buyer@people.example"


@pytest.fixture
def people(engine):
    """One event with one invoice order of a known buyer and holder, with UTM values and a code."""
    with unit_of_work(engine) as session:
        event = make_event(session, name="Campaign fair")
        tariff = make_tariff(session, event, name="Day pass", unit_price_ht=Decimal("80.00"))
        code = make_code(session, event, code="SPRING20")
        order = make_order(
            session,
            event,
            [(tariff, 1)],
            code=code,
            holders=[("Grace", "Hopper", "grace@people.example")],
            buyer_email=EMAIL,
            buyer_phone="+33 1 23 45 67 89",
            company_name="Analytical Engines",
            billing_address="12 rue des Machines",
            billing_city="Paris",
            vat_number="FR12345678901",
            utm_source="newsletter",
            utm_campaign="spring-launch",
        )
        return event.id, order.number


def marketer(event_id: int) -> Actor:
    return Actor("marketer@example.org", Role.MARKETER, event_ids=frozenset({event_id}))


def test_the_grid_masks_people_for_a_marketer_and_keeps_campaigns_and_amounts(engine, people):
    event_id, number = people
    [row] = grid_page(engine, GridFilters(), principal=marketer(event_id)).to_dict("records")
    for column in ("buyer_first_name", "buyer_last_name", "buyer_email", "company_name"):
        assert row[column] == MASK, column
    assert (row["number"], row["utm_source"], row["utm_campaign"]) == (number, "newsletter", "spring-launch")
    assert (row["discount_code"], row["status"]) == ("SPRING20", "awaiting_payment")
    assert row["total_ttc"] > 0
    [seen] = grid_page(engine, GridFilters(), principal=EVERY_EVENT).to_dict("records")
    assert (seen["buyer_email"], seen["company_name"]) == (EMAIL, "Analytical Engines")


def test_the_order_page_masks_buyer_and_holders_for_a_marketer(engine, people):
    event_id, number = people
    detail = order_detail(engine, number, principal=marketer(event_id))
    assert detail is not None
    order = detail.order
    for column in (
        "buyer_first_name",
        "buyer_last_name",
        "buyer_email",
        "buyer_phone",
        "company_name",
        "billing_address",
        "billing_city",
        "vat_number",
        "search_folded",
    ):
        assert order[column] == MASK, column
    assert (order["utm_source"], order["utm_campaign"], order["discount_code"]) == (
        "newsletter",
        "spring-launch",
        "SPRING20",
    )
    item = detail.items.iloc[0]
    assert (item.holder_first_name, item.holder_last_name, item.holder_email) == (MASK, MASK, MASK)
    assert EMAIL not in repr(detail) and "grace@people.example" not in repr(detail)
    assert "Hopper" not in repr(detail)
    full = order_detail(engine, number, principal=EVERY_EVENT)
    assert full is not None and full.order["buyer_email"] == EMAIL


def test_the_export_masks_people_for_a_marketer_who_may_not_download_it_anyway(engine, people):
    event_id, number = people
    [[record]] = list(export_chunks(engine, GridFilters(), principal=marketer(event_id)))
    assert (record["buyer_email"], record["buyer_last_name"], record["company_name"]) == (MASK, MASK, MASK)
    assert (record["number"], record["utm_source"]) == (number, "newsletter")
    assert EMAIL not in repr(record)
    with pytest.raises(NotAllowed):
        b"".join(csv_stream(engine, GridFilters(), principal=marketer(event_id)))


def test_a_marketers_search_never_matches_a_person_but_finds_numbers_and_codes(engine, people):
    event_id, number = people
    seller = marketer(event_id)
    for typed in (EMAIL, "Lovelace", "Analytical", "Hopper"):
        assert grid_page(engine, GridFilters(search=typed), principal=seller).empty, typed
        assert grid_count_and_totals(engine, GridFilters(search=typed), principal=seller)[0] == 0, typed
        assert lookup_order(engine, typed, principal=seller).number is None, typed
        assert len(grid_page(engine, GridFilters(search=typed), principal=EVERY_EVENT)) == 1, typed
    assert list(grid_page(engine, GridFilters(search="spring20"), principal=seller)["number"]) == [number]
    assert list(grid_page(engine, GridFilters(search=str(number)), principal=seller)["number"]) == [number]
    assert lookup_order(engine, "SPRING20", principal=seller).number == number


@pytest.fixture
def world(engine):
    with unit_of_work(engine) as session:
        return build_world(session)


def test_a_scoped_principal_counts_its_events_orders_only_on_every_path(engine, world):
    ours = world.scoped(Role.EVENT_MANAGER)
    everything = grid_count_and_totals(engine, GridFilters(include_deleted=True), principal=EVERY_EVENT)[0]
    window = GridFilters(created_from=(NOW - timedelta(days=10)).date(), timezone="Europe/Zurich")
    for filters in (GridFilters(), window, GridFilters(search="MSCOPE"), GridFilters(include_deleted=True)):
        count, totals = grid_count_and_totals(engine, filters, principal=ours)
        direct = len(grid_page(engine, filters, principal=ours, page_size=100))
        assert count == direct == 3, filters  # paid, pending and cancelled of ours
        assert list(totals["currency"]) == ["CAD"], filters
    assert everything == 6
    assert grid_count_and_totals(engine, GridFilters(event_ids=(world.theirs.event_id,)), principal=ours)[0] == 0


def test_an_order_of_another_event_reads_as_one_that_does_not_exist(engine, world):
    ours = world.scoped(Role.EVENT_MANAGER)
    assert order_detail(engine, world.theirs.paid_number, principal=ours) is None
    assert order_detail(engine, world.ours.paid_number, principal=ours) is not None
    theirs = world.theirs.paid_number
    assert lookup_order(engine, str(theirs), principal=ours) == Lookup(asked_number=theirs)
    assert lookup_order(engine, "9999999", principal=ours) == Lookup(asked_number=9999999)
    assert lookup_order(engine, str(theirs), principal=EVERY_EVENT) == Lookup(number=theirs, asked_number=theirs)


def test_scoped_counts_of_the_to_do_list_pending_invoices_and_attendees(engine, world):
    ours = world.scoped(Role.FINANCE)
    scoped = {item.key: item.count for item in todo_list(engine, Role.FINANCE, principal=ours)}
    every = {item.key: item.count for item in todo_list(engine, Role.FINANCE, principal=EVERY_EVENT)}
    assert "statement_lines" not in scoped and "statement_lines" in every  # bank lines belong to no event
    assert set(pending_invoice_orders(engine, principal=ours)["number"]) == {world.ours.pending_number}
    assert pending_invoice_orders(engine, world.theirs.event_id, principal=ours).empty
    assert attendee_count(engine, AttendeeFilters(world.theirs.event_id), principal=ours) == 0
    assert attendee_count(engine, AttendeeFilters(world.theirs.event_id), principal=EVERY_EVENT) > 0
    assert reminder_ladder(engine, world.theirs.event_id, principal=ours) == reminder_ladder(
        engine, 999_999, principal=ours
    )
