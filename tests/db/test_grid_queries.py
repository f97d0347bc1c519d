"""The grid's queries on both databases, against tests/grid_dataset.py where every count and
total is known; the summary table against a recomputation; exports read back."""

import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, text, update

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.models import Order, OrderSummary
from orders_core.permissions import Actor
from queries.export import export_csv, export_xlsx
from queries.grid import (
    GridFilters,
    _direct_totals,
    _page_ids,
    cursor_after,
    filter_conditions,
    grid_count_and_totals,
    grid_page,
    summary_can_serve,
)
from tests import grid_dataset

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

D = Decimal

EXPORTER = Actor("finance@example.org", "finance")


@pytest.fixture
def grid(engine):
    return engine, grid_dataset.build(engine)


def totals_of(engine, filters):
    count, table = grid_count_and_totals(engine, filters, principal=EVERY_EVENT)
    return count, {row.currency: (row.orders, row.total_ht, row.total_ttc) for row in table.itertuples()}


def numbers_of(engine, filters, **kwargs):
    return list(grid_page(engine, filters, page_size=100, **kwargs, principal=EVERY_EVENT)["number"])


def test_default_view_hides_deleted_orders_and_totals_each_currency_apart(grid):
    engine, n = grid
    assert totals_of(engine, GridFilters()) == (
        7,
        {"EUR": (5, D("590.00"), D("708.00")), "GBP": (2, D("150.00"), D("180.00"))},
    )
    assert numbers_of(engine, GridFilters()) == [n[3], n[7], n[2], n[6], n[1], n[4], n[5]]


def test_showing_deleted_orders_adds_them_to_rows_and_totals(grid):
    engine, n = grid
    count, totals = totals_of(engine, GridFilters(include_deleted=True))
    assert count == 8 and totals["EUR"] == (6, D("690.00"), D("828.00"))
    assert n[8] in numbers_of(engine, GridFilters(include_deleted=True))


@pytest.mark.parametrize(
    "group, expected_rows, expected",
    [
        ("pending", [3, 2], {"EUR": (2, D("290.00"), D("348.00"))}),
        ("validated", [6, 1], {"EUR": (1, D("100.00"), D("120.00")), "GBP": (1, D("50.00"), D("60.00"))}),
        ("not_completed", [7, 4, 5], {"EUR": (2, D("200.00"), D("240.00")), "GBP": (1, D("100.00"), D("120.00"))}),
    ],
)
def test_quick_groups_keep_their_statuses(grid, group, expected_rows, expected):
    engine, n = grid
    filters = GridFilters(group=group)
    assert numbers_of(engine, filters) == [n[r] for r in expected_rows]
    assert totals_of(engine, filters) == (len(expected_rows), expected)


def test_single_filters_count_and_total_exactly(grid):
    engine, n = grid
    invoice = GridFilters(payment_modes=("invoice",))
    assert totals_of(engine, invoice) == (4, {"EUR": (4, D("490.00"), D("588.00"))})
    pending_invoice = GridFilters(group="pending", payment_modes=("invoice",))
    assert numbers_of(engine, pending_invoice) == [n[3], n[2]]
    assert totals_of(engine, GridFilters(event_ids=(n["event_b"],)))[1] == {"GBP": (2, D("150.00"), D("180.00"))}
    assert totals_of(engine, GridFilters(statuses=("failed", "cancelled"))) == (
        2,
        {"EUR": (1, D("100.00"), D("120.00")), "GBP": (1, D("100.00"), D("120.00"))},
    )
    assert totals_of(engine, GridFilters(source="organizer"))[0] == 0
    assert numbers_of(engine, GridFilters(source="organizer", include_deleted=True)) == [n[8]]
    assert totals_of(engine, GridFilters(discount_code="promo10")) == (1, {"EUR": (1, D("90.00"), D("108.00"))})


def test_group_and_statuses_together_keep_only_their_intersection(grid):
    engine, n = grid
    assert numbers_of(engine, GridFilters(group="not_completed", statuses=("failed", "paid"))) == [n[7]]


def test_creation_dates_are_days_of_the_chosen_timezone(grid):
    engine, n = grid
    utc = GridFilters(created_from=date(2026, 11, 11), created_to=date(2026, 11, 12), timezone="UTC")
    paris = GridFilters(created_from=date(2026, 11, 11), created_to=date(2026, 11, 12), timezone="Europe/Paris")
    assert numbers_of(engine, utc) == [n[3], n[7], n[2]]
    assert totals_of(engine, utc) == (3, {"EUR": (2, D("290.00"), D("348.00")), "GBP": (1, D("100.00"), D("120.00"))})
    # 2026-11-12 23:30 UTC is already the 13th in Paris.
    assert numbers_of(engine, paris) == [n[7], n[2]]
    assert totals_of(engine, paris)[0] == 2


def test_open_ended_and_long_date_ranges_agree_with_a_direct_count(grid):
    engine, _n = grid
    for filters in (
        GridFilters(created_from=date(2026, 11, 10), timezone="Europe/Paris"),
        GridFilters(created_to=date(2026, 11, 10), timezone="America/Toronto"),
        GridFilters(
            created_from=date(2026, 11, 1), created_to=date(2026, 11, 30), timezone="Asia/Tokyo", group="pending"
        ),
    ):
        assert summary_can_serve(filters)
        with engine.connect() as conn:
            direct = {
                c: (int(k), ht, ttc)
                for c, k, ht, ttc in conn.execute(_direct_totals(filter_conditions(filters, principal=EVERY_EVENT)))
            }
        assert totals_of(engine, filters)[1] == direct


def test_payment_date_range_counts_directly(grid):
    engine, n = grid
    filters = GridFilters(paid_from=date(2026, 11, 10), paid_to=date(2026, 11, 10))
    assert not summary_can_serve(filters)
    assert numbers_of(engine, filters) == [n[6], n[1]]
    assert totals_of(engine, filters)[0] == 2


@pytest.mark.parametrize(
    "search, rows",
    [
        ("dupont", [1]),
        ("Camille Dupont", [1]),
        ("ACME", [1]),
        ("jean.martin@", [2]),
        ("brontë", [6]),
        ("zoé", [6]),
        ("nobody-here", []),
    ],
)
def test_search_finds_buyer_name_email_company_or_holder(grid, search, rows):
    engine, n = grid
    filters = GridFilters(search=search)
    assert numbers_of(engine, filters) == [n[r] for r in rows]
    assert totals_of(engine, filters)[0] == len(rows)


def test_search_stays_inside_the_date_range(grid):
    engine, n = grid
    assert numbers_of(
        engine, GridFilters(search="martin", created_from=date(2026, 11, 11), created_to=date(2026, 11, 11))
    ) == [n[2]]
    assert numbers_of(engine, GridFilters(search="martin", created_from=date(2026, 11, 12))) == []


def test_a_seven_digit_number_jumps_to_that_order_whatever_the_filters(grid):
    engine, n = grid
    filters = GridFilters(search=str(n[5]), group="pending")
    assert numbers_of(engine, filters) == [n[5]]
    assert totals_of(engine, filters) == (1, {"EUR": (1, D("100.00"), D("120.00"))})
    assert numbers_of(engine, GridFilters(search=str(n[8]))) == [n[8]]  # even a deleted one


def test_search_wildcards_are_taken_literally(grid):
    engine, _n = grid
    assert numbers_of(engine, GridFilters(search="%")) == []
    assert numbers_of(engine, GridFilters(search="_")) == []


@pytest.mark.parametrize(
    "sort", ["created_desc", "created_asc", "number_desc", "number_asc", "total_desc", "total_asc"]
)
def test_keyset_pages_equal_offset_pages_and_cover_every_order(grid, sort):
    engine, _n = grid
    filters = GridFilters(include_deleted=True)
    by_offset = [
        list(grid_page(engine, filters, sort, offset=o, page_size=3, principal=EVERY_EVENT)["number"])
        for o in (0, 3, 6)
    ]
    by_keyset, after = [], None
    for _page in range(3):
        page = grid_page(engine, filters, sort, after=after, page_size=3, principal=EVERY_EVENT)
        by_keyset.append(list(page["number"]))
        after = cursor_after(page, sort)
    assert by_keyset == by_offset
    assert sorted(sum(by_keyset, [])) == sorted(numbers_of(engine, filters))


def test_a_page_carries_lines_money_and_balance_due(grid):
    engine, n = grid
    page = grid_page(engine, GridFilters(search=str(n[2])), principal=EVERY_EVENT)
    row = page.iloc[0]
    assert (row["lines"], row["total_ht"], row["total_ttc"], row["amount_paid"], row["balance_due"]) == (
        1,
        D("200.00"),
        D("240.00"),
        D("0.00"),
        D("240.00"),
    )
    assert row["event_name"] == "Salon A" and row["status"] == "awaiting_payment"


def test_the_summary_follows_every_insert_update_and_delete(grid):
    engine, n = grid
    with unit_of_work(engine) as session:
        session.execute(update(Order).where(Order.number == n[2]).values(status="paid"))
        session.execute(update(Order).where(Order.number == n[7]).values(deleted_at=grid_dataset.at(20, 9)))
        session.execute(update(Order).where(Order.number == n[4]).values(buyer_last_name="Renamed"))
    with engine.connect() as conn:
        assert check_database(conn, only=["order_summary_matches_orders"]) == []
    assert totals_of(engine, GridFilters(group="validated"))[1]["EUR"] == (2, D("300.00"), D("360.00"))
    assert totals_of(engine, GridFilters())[1]["GBP"] == (1, D("50.00"), D("60.00"))
    # A bare order row (no history: PostgreSQL's history is append-only), inserted then deleted.
    with engine.begin() as conn:
        conn.execute(
            Order.__table__.insert().values(
                number=9999990,
                event_id=n["event_b"],
                status="paid",
                payment_mode="online",
                source="online",
                buyer_email="bare@example.org",
                currency="GBP",
                total_ht=D("10.00"),
                total_ttc=D("12.00"),
                amount_paid=D("12.00"),
                terms_accepted=True,
                language="en",
                created_at=grid_dataset.at(15, 12),
                updated_at=grid_dataset.at(15, 12),
                paid_at=grid_dataset.at(15, 13),
                notes="",
                version=1,
            )
        )
    assert totals_of(engine, GridFilters(group="validated"))[1]["GBP"] == (2, D("60.00"), D("72.00"))
    with engine.begin() as conn:
        conn.execute(delete(Order).where(Order.number == 9999990))
    with engine.connect() as conn:
        assert check_database(conn, only=["order_summary_matches_orders"]) == []
    assert totals_of(engine, GridFilters(group="validated"))[1]["GBP"] == (1, D("50.00"), D("60.00"))


def test_the_summary_invariant_reports_a_summary_broken_on_purpose(grid):
    engine, _n = grid
    with engine.begin() as conn:
        conn.execute(
            update(OrderSummary)
            .where(OrderSummary.currency == "GBP")
            .values(total_ttc_cents=OrderSummary.total_ttc_cents + 1)
        )
    with engine.connect() as conn:
        violations = check_database(conn, only=["order_summary_matches_orders"])
    assert violations and all("GBP" in v.message for v in violations)


def test_postgresql_search_uses_the_trigram_indexes(grid):
    engine, _n = grid
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm exists on PostgreSQL only")
    query = select(Order.id).where(*filter_conditions(GridFilters(search="dupont"), principal=EVERY_EVENT))
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql)))
    assert "ix_orders_search_trgm" in plan and "ix_order_items_search_trgm" in plan


PAID_RANGE = GridFilters(paid_from=date(2026, 11, 1), paid_to=date(2026, 11, 30))


@pytest.mark.parametrize(
    "sort, filters, wanted",
    [
        ("total_desc", GridFilters(), {"sqlite": "ix_orders_total_ttc_id", "postgresql": "ix_orders_total_ttc_id"}),
        ("total_asc", GridFilters(), {"sqlite": "ix_orders_total_ttc_id", "postgresql": "ix_orders_total_ttc_id"}),
        # SQLite sorts the range from its covering index; PostgreSQL walks the creation dates
        # back from the range's end (the bound a payment date implies).
        ("created_desc", PAID_RANGE, {"sqlite": "ix_orders_paid_created", "postgresql": "ix_orders_created_at_id"}),
    ],
)
def test_a_total_sort_and_a_payment_date_range_read_their_index(grid, backend, sort, filters, wanted):
    """Issue 19: without these indexes each page sorted every order (366 ms, 1.8 s at 1M)."""
    engine, _n = grid
    query = _page_ids(sort, filter_conditions(filters, principal=EVERY_EVENT), None, 0, 50)
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if backend == "postgresql":  # as on a large table, where a sort of every row costs most
            conn.execute(text("SET enable_seqscan = off"))
            conn.execute(text("SET enable_sort = off"))
        explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
        plan = " ".join(str(row) for row in conn.execute(text(explain + sql)))
    assert wanted[backend] in plan, plan


def test_csv_export_holds_exactly_the_filtered_set_with_french_excel_conventions(grid):
    engine, n = grid
    filters = GridFilters(payment_modes=("invoice",))
    buffer = io.BytesIO()
    assert export_csv(engine, filters, buffer, principal=EXPORTER, chunk_size=2) == 4
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(raw), sep=";", encoding="utf-8-sig", decimal=",", dtype={"Total incl. tax": str})
    assert list(frame["Order number"]) == [n[3], n[2], n[1], n[5]]
    assert list(frame["Total incl. tax"]) == ["108,00", "240,00", "120,00", "120,00"]
    assert list(frame["Status"])[:2] == ["Awaiting payment", "Awaiting payment"]
    assert frame.columns[:3].tolist() == ["Order number", "Lines", "First name"]


def test_csv_export_with_commas_uses_a_decimal_point(grid):
    engine, _n = grid
    buffer = io.BytesIO()
    export_csv(engine, GridFilters(), buffer, principal=EXPORTER, separator=",")
    frame = pd.read_csv(io.BytesIO(buffer.getvalue()), encoding="utf-8-sig")
    assert len(frame) == 7
    assert sorted(frame["Total excl. tax"].astype(str)) == sorted(
        ["100.0", "200.0", "90.0", "100.0", "100.0", "50.0", "100.0"]
    )


def test_xlsx_export_has_a_header_and_numeric_money_cells_in_their_currency(grid):
    engine, n = grid
    buffer = io.BytesIO()
    progress = []
    assert (
        export_xlsx(
            engine,
            GridFilters(group="validated"),
            buffer,
            principal=EXPORTER,
            progress=lambda done, total: progress.append((done, total)),
        )
        == 2
    )
    assert progress[-1] == (2, 2)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Order number" and "Total incl. tax" in header
    ttc = header.index("Total incl. tax") + 1
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=ttc) for r in (2, 3)}
    assert cells[n[6]].value == 60 and cells[n[6]].data_type == "n" and "GBP" in cells[n[6]].number_format
    assert cells[n[1]].value == 120 and "EUR" in cells[n[1]].number_format
