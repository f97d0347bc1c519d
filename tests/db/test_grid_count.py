"""Issue 19: the grid's count for a search or a payment-date range is exact up to a cap and says
"more than" past it, with the exact count on demand; the page is the same whichever form the
search takes (the matching ids, or each order tested while walking the sort's index)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from queries import grid
from queries.grid import GridFilters, cursor_after, grid_count_and_totals, grid_page
from queries.grid_count import COUNT_CAP, GridCount, grid_count, is_costly
from tests.factories import TESTS, make_code, make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")
MARKETER = Actor("marketing@example.org", "marketer")
D = Decimal


def day(n: int) -> datetime:
    return datetime(2026, 10, n, 9, 0, tzinfo=UTC)


@pytest.fixture
def martins(engine):
    """Six orders where "Martin" is found: four EUR buyers (one deleted, one paid), one GBP
    holder under another buyer, one GBP buyer with the code SPRING (10% off); and one Dupont."""
    with unit_of_work(engine) as session:
        paris = make_event(session, name="Paris", currency="EUR", timezone="Europe/Paris")
        london = make_event(session, name="London", currency="GBP", timezone="Europe/London")
        badge = make_tariff(session, paris, kind="badge", unit_price_ht=D("100.00"), tax_rate=D("20"))
        ticket = make_tariff(session, london, kind="ticket", unit_price_ht=D("50.00"), tax_rate=D("20"))
        spring = make_code(session, london, "SPRING")

        def order(event, tariff, last: str, created: int, **extra) -> int:
            return make_order(
                session,
                event,
                [(tariff, 1)],
                buyer_first_name="Léa",
                buyer_last_name=last,
                created_at=day(created),
                **extra,
            ).number

        numbers = {
            "eur1": order(paris, badge, "Martin", 1),
            "eur2": order(paris, badge, "MARTIN", 2),
            "eur_paid": order(paris, badge, "Martín", 3, status="paid"),
            "eur_deleted": order(paris, badge, "Martin", 4, deleted_at=day(5)),
            "gbp_holder": order(london, ticket, "Smith", 6, holders=[("Paul", "Martin", "p@example.org")]),
            "gbp_code": order(london, ticket, "Martin", 7, code=spring, status="paid"),
            "dupont": order(paris, badge, "Dupont", 8, status="paid"),
        }
    return engine, numbers


def test_a_search_under_the_cap_is_counted_and_totalled_exactly(martins):
    engine, n = martins
    counted = grid_count(engine, GridFilters(search="martin"), principal=EVERY_EVENT)
    assert (counted.orders, counted.exact, counted.cap) == (5, True, COUNT_CAP)
    totals = {r.currency: (r.orders, r.total_ht, r.total_ttc) for r in counted.totals.itertuples()}
    assert totals == {"EUR": (3, D("300.00"), D("360.00")), "GBP": (2, D("95.00"), D("114.00"))}
    exact, table = grid_count_and_totals(engine, GridFilters(search="martin"), principal=EVERY_EVENT)
    assert exact == 5 and table.equals(counted.totals)


def test_past_the_cap_the_count_says_more_than_and_the_exact_count_comes_on_demand(martins):
    engine, _n = martins
    filters = GridFilters(search="Martin")
    counted = grid_count(engine, filters, principal=EVERY_EVENT, cap=3)
    assert counted == GridCount(4, False, None, 3)  # "more than 3": cap + 1, no totals
    assert grid_count(engine, filters, principal=EVERY_EVENT, cap=5).orders == 5  # exactly at the cap
    assert grid_count_and_totals(engine, filters, principal=EVERY_EVENT)[0] == 5
    with_deleted = GridFilters(search="Martin", include_deleted=True)
    assert grid_count(engine, with_deleted, principal=EVERY_EVENT, cap=5) == GridCount(6, False, None, 5)
    assert grid_count(engine, with_deleted, principal=EVERY_EVENT, cap=6).orders == 6


def test_a_holder_counts_once_however_many_of_its_holders_match(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="Lyon", currency="EUR", timezone="Europe/Paris")
        badge = make_tariff(session, event, kind="badge", unit_price_ht=D("10.00"), tax_rate=D("20"))
        holders = [("Ana", "Keller", ""), ("Bo", "Keller", ""), ("Cy", "Keller", "")]
        make_order(session, event, [(badge, 3)], buyer_last_name="Roy", holders=holders)
        make_order(session, event, [(badge, 3)], buyer_last_name="Roy", holders=list(holders))
    counted = grid_count(engine, GridFilters(search="keller"), principal=EVERY_EVENT, cap=2)
    assert (counted.orders, counted.exact) == (2, True)  # six holder rows, two orders
    assert grid_count(engine, GridFilters(search="keller"), principal=EVERY_EVENT, cap=1).exact is False


def test_a_payment_date_range_is_counted_up_to_the_cap(martins):
    engine, n = martins
    filters = GridFilters(paid_from=day(1).date(), paid_to=day(30).date(), timezone="Europe/Paris")
    assert is_costly(filters) and is_costly(GridFilters(search="x")) and not is_costly(GridFilters(group="pending"))
    counted = grid_count(engine, filters, principal=EVERY_EVENT)
    assert (counted.orders, counted.exact) == (3, True)
    totals = {r.currency: (r.orders, r.total_ttc) for r in counted.totals.itertuples()}
    assert totals == {"EUR": (2, D("240.00")), "GBP": (1, D("54.00"))}
    assert grid_count(engine, filters, principal=EVERY_EVENT, cap=2) == GridCount(3, False, None, 2)


def test_filters_that_a_summary_serves_stay_exact_whatever_the_cap(martins):
    engine, _n = martins
    counted = grid_count(engine, GridFilters(), principal=EVERY_EVENT, cap=1)
    assert (counted.orders, counted.exact) == (6, True)


@pytest.mark.parametrize("sort", ["created_desc", "created_asc", "total_desc", "number_asc"])
@pytest.mark.parametrize("search", ["martin", "Léa Martin", "martin lea", "spring"])
def test_the_page_is_the_same_by_ids_or_walking_the_index(martins, monkeypatch, sort, search):
    engine, _n = martins
    filters = GridFilters(search=search, include_deleted=True)
    by_ids = grid_page(engine, filters, sort, page_size=2, principal=EVERY_EVENT)
    following = grid_page(engine, filters, sort, after=cursor_after(by_ids, sort), page_size=10, principal=EVERY_EVENT)
    monkeypatch.setattr(grid, "PAGE_BY_IDS", 0)  # every search now tests each order
    walked = grid_page(engine, filters, sort, page_size=2, principal=EVERY_EVENT)
    walked_on = grid_page(engine, filters, sort, after=cursor_after(walked, sort), page_size=10, principal=EVERY_EVENT)
    assert list(walked["number"]) == list(by_ids["number"])
    assert list(walked_on["number"]) == list(following["number"])
    assert walked.equals(by_ids)


def test_both_forms_find_the_holder_and_skip_the_deleted_order(martins, monkeypatch):
    engine, n = martins
    expected = {n["eur1"], n["eur2"], n["eur_paid"], n["gbp_holder"], n["gbp_code"]}
    assert (
        set(grid_page(engine, GridFilters(search="martin"), page_size=50, principal=EVERY_EVENT)["number"]) == expected
    )
    monkeypatch.setattr(grid, "PAGE_BY_IDS", 0)
    assert (
        set(grid_page(engine, GridFilters(search="martin"), page_size=50, principal=EVERY_EVENT)["number"]) == expected
    )


def test_a_marketer_counts_codes_never_names(martins, monkeypatch):
    engine, n = martins
    names = grid_count(engine, GridFilters(search="martin"), principal=MARKETER)
    assert (names.orders, names.exact) == (0, True)
    assert grid_count(engine, GridFilters(search="spring"), principal=MARKETER).orders == 1
    assert grid_count(engine, GridFilters(search="spring"), principal=MARKETER, cap=0).exact is False
    monkeypatch.setattr(grid, "PAGE_BY_IDS", 0)
    assert grid_page(engine, GridFilters(search="martin"), principal=MARKETER).empty
    assert list(grid_page(engine, GridFilters(search="spring"), principal=MARKETER)["number"]) == [n["gbp_code"]]


def test_a_payment_date_range_finds_an_order_paid_weeks_after_it_was_created(engine):
    """The range's end also bounds the creation date (an order is paid after it was created), so
    the page walks the creation-date index from there: an order created long before its payment
    is still on its page, in its place, and counted."""
    with unit_of_work(engine) as session:
        event = make_event(session, name="Nantes", currency="EUR", timezone="Europe/Paris")
        badge = make_tariff(session, event, kind="badge", unit_price_ht=D("10.00"), tax_rate=D("20"))
        late = make_order(session, event, [(badge, 1)], status="awaiting_payment", created_at=day(1))
        confirm_payment(
            session,
            actor=TESTS,
            order_id=late.id,
            amount=late.total_ttc,
            method="bank_transfer",
            received_at=day(20),
            action="validated",
        )
        numbers = {
            "late": late.number,
            "in_range": make_order(session, event, [(badge, 2)], status="paid", created_at=day(18)).number,
            "paid_after": make_order(session, event, [(badge, 1)], status="paid", created_at=day(25)).number,
            "paid_before": make_order(session, event, [(badge, 1)], status="paid", created_at=day(3)).number,
            "unpaid": make_order(session, event, [(badge, 1)], status="awaiting_payment", created_at=day(16)).number,
        }
    filters = GridFilters(paid_from=day(15).date(), paid_to=day(21).date(), timezone="Europe/Paris")
    first = grid_page(engine, filters, page_size=1, principal=EVERY_EVENT)
    second = grid_page(engine, filters, after=cursor_after(first), page_size=1, principal=EVERY_EVENT)
    assert list(first["number"]) + list(second["number"]) == [numbers["in_range"], numbers["late"]]
    oldest_first = grid_page(engine, filters, "created_asc", page_size=5, principal=EVERY_EVENT)
    assert list(oldest_first["number"]) == [numbers["late"], numbers["in_range"]]
    by_total = grid_page(engine, filters, "total_desc", page_size=5, principal=EVERY_EVENT)
    assert list(by_total["number"]) == [numbers["in_range"], numbers["late"]]
    counted = grid_count(engine, filters, principal=EVERY_EVENT)
    assert (counted.orders, counted.exact) == (2, True)
    assert grid_count_and_totals(engine, filters, principal=EVERY_EVENT)[0] == 2
