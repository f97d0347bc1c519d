"""Every grid filter becomes SQL in one function (queries.grid.filter_conditions), so a filter
changes the page's rows, the count, the per-currency totals and the export alike. Checked on
tests/grid_dataset.py, where the orders each filter keeps are known."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from orders_core.models import DashOrderFact, OrderSummary
from orders_core.permissions import Actor
from queries.export import export_chunks
from queries.grid import GridFilters, grid_count_and_totals, grid_page, summary_can_serve, summary_for
from tests import grid_dataset

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

# The dataset's (currency, HT, TTC) per row of its table.
ROWS = {
    1: ("EUR", "100.00", "120.00"),
    2: ("EUR", "200.00", "240.00"),
    3: ("EUR", "90.00", "108.00"),
    4: ("EUR", "100.00", "120.00"),
    5: ("EUR", "100.00", "120.00"),
    6: ("GBP", "50.00", "60.00"),
    7: ("GBP", "100.00", "120.00"),
    8: ("EUR", "100.00", "120.00"),
}
EVERY_VISIBLE = {1, 2, 3, 4, 5, 6, 7}

# filter (given the dataset's {row: number, "event_b": id}) -> the rows it keeps
CASES = {
    "no filter": (lambda n: GridFilters(), EVERY_VISIBLE),
    "quick group": (lambda n: GridFilters(group="validated"), {1, 6}),
    "status": (lambda n: GridFilters(statuses=("awaiting_payment",)), {2, 3}),
    "payment mode": (lambda n: GridFilters(payment_modes=("online",)), {6, 7}),
    "event": (lambda n: GridFilters(event_ids=(n["event_b"],)), {6, 7}),
    "source": (lambda n: GridFilters(source="organizer", include_deleted=True), {8}),
    "discount code": (lambda n: GridFilters(discount_code=" promo10 "), {3}),
    "discount code and status": (
        lambda n: GridFilters(discount_code="PROMO10", statuses=("awaiting_payment", "paid")),
        {3},
    ),
    "discount code and another status": (lambda n: GridFilters(discount_code="PROMO10", group="validated"), set()),
    "discount code, created days in Paris": (
        lambda n: GridFilters(
            discount_code="PROMO10",
            created_from=date(2026, 11, 11),
            created_to=date(2026, 11, 13),
            timezone="Europe/Paris",
        ),
        {3},
    ),
    "discount code, the UTC day before it in Paris": (
        lambda n: GridFilters(
            discount_code="PROMO10",
            created_from=date(2026, 11, 12),
            created_to=date(2026, 11, 12),
            timezone="Europe/Paris",
        ),
        set(),
    ),
    "blank discount code": (lambda n: GridFilters(discount_code="  "), set()),
    "created day in UTC": (
        lambda n: GridFilters(created_from=date(2026, 11, 11), created_to=date(2026, 11, 11)),
        {2, 7},
    ),
    "created days in Paris": (
        lambda n: GridFilters(created_from=date(2026, 11, 10), created_to=date(2026, 11, 13), timezone="Europe/Paris"),
        {1, 2, 3, 6, 7},
    ),
    "deleted shown": (lambda n: GridFilters(include_deleted=True), EVERY_VISIBLE | {8}),
    "search in buyers": (lambda n: GridFilters(search="dupont"), {1}),
    "search in holders": (lambda n: GridFilters(search="brontë"), {6}),
    "order number": (lambda n: GridFilters(search=f"#{n[5]}"), {5}),
}


def expected_totals(rows: set[int]) -> dict[str, tuple[int, Decimal, Decimal]]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    for row in rows:
        currency, ht, ttc = ROWS[row]
        totals[currency][0] += 1
        totals[currency][1] += Decimal(ht)
        totals[currency][2] += Decimal(ttc)
    return {currency: (n, ht, ttc) for currency, (n, ht, ttc) in totals.items()}


@pytest.fixture
def grid(engine):
    return engine, grid_dataset.build(engine)


@pytest.mark.parametrize("case", list(CASES))
def test_a_filter_keeps_the_same_orders_in_rows_count_totals_and_export(grid, case):
    engine, n = grid
    make_filters, kept = CASES[case]
    filters = make_filters(n)
    wanted = {n[row] for row in kept}

    page = set(grid_page(engine, filters, page_size=100, principal=EVERY_EVENT)["number"])
    count, table = grid_count_and_totals(engine, filters, principal=EVERY_EVENT)
    totals = {r.currency: (r.orders, r.total_ht, r.total_ttc) for r in table.itertuples()}
    exported = {row["number"] for chunk in export_chunks(engine, filters, principal=EVERY_EVENT) for row in chunk}

    assert page == wanted
    assert count == len(wanted)
    assert totals == expected_totals(kept)
    assert exported == wanted


def test_the_cases_cover_the_summary_path_and_the_direct_path(grid):
    engine, n = grid
    served = {case: summary_can_serve(make(n)) for case, (make, _kept) in CASES.items()}
    assert served["created days in Paris"] and served["status"]
    assert not served["search in buyers"] and not served["blank discount code"]


def test_a_discount_code_is_counted_from_the_dashboards_facts_which_have_the_code(grid):
    _engine, n = grid
    tables = {case: summary_for(make(n)) for case, (make, _kept) in CASES.items()}
    assert tables["status"] is OrderSummary
    assert tables["discount code"] is DashOrderFact
    assert tables["discount code, created days in Paris"] is DashOrderFact
    assert tables["blank discount code"] is None
