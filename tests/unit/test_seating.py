"""The seat plan's pure rules (issue 18): rows typed as ranges or names, labels, and "nearest
first" among free seats."""

from __future__ import annotations

import pandas as pd
import pytest

from orders_core.errors import InvalidInput
from orders_core.seating import clean_section, parse_rows, row_order, seat_label
from queries.seats import COLUMNS, seat_choices


@pytest.mark.parametrize(
    ("typed", "rows"),
    [
        ("1-3", ["1", "2", "3"]),
        ("a-c", ["A", "B", "C"]),
        ("A, C, 7-8", ["A", "C", "7", "8"]),
        (" Loge ", ["Loge"]),
    ],
)
def test_rows_are_ranges_or_names(typed, rows):
    assert parse_rows(typed) == rows


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Give the rows"),
        ("3-1", "not a range"),
        ("1-900", "not a range"),
        ("1, 1", "given twice"),
        ("A;B", "not a row"),
    ],
)
def test_bad_rows_are_refused_with_a_message(typed, message):
    with pytest.raises(InvalidInput, match=message):
        parse_rows(typed)


def test_labels_sections_and_row_order():
    assert seat_label("A", "3", 12) == "A-3-12"
    assert clean_section("  Balcony ") == "Balcony"
    with pytest.raises(InvalidInput, match="letters, digits and spaces"):
        clean_section("A-1")  # a dash would make labels ambiguous
    assert sorted(["10", "2", "B", "A"], key=row_order) == ["2", "10", "A", "B"]


def _plan(sold=(), own=()) -> pd.DataFrame:
    seats = [("A", r, n) for r in range(2) for n in range(1, 6)]
    return pd.DataFrame(
        [
            (seat_label(s, str(r + 1), n), s, str(r + 1), n, r, seat_label(s, str(r + 1), n) in sold + own,
             seat_label(s, str(r + 1), n) in own)
            for s, r, n in seats
        ],
        columns=COLUMNS,
    )  # fmt: skip


def test_free_seats_come_nearest_to_the_order_first_and_sold_ones_never():
    plan = _plan(sold=("A-1-2",), own=("A-1-3",))
    assert seat_choices(plan, ["A-1-3"], own_is_free=False)[:4] == ["A-1-4", "A-1-1", "A-1-5", "A-2-3"]
    assert seat_choices(plan, ["A-1-3"], keep=["A-1-3"])[:3] == ["A-1-3", "A-1-4", "A-1-1"]
    assert "A-1-2" not in seat_choices(plan, [])
    assert seat_choices(plan, [])[:2] == ["A-1-1", "A-1-3"]  # no order seat yet: the plan's order
