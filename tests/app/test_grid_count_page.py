"""Issue 19 through AppTest: past the cap the grid says "More than N orders" and its button counts
exactly, with the totals per currency, for these filters only."""

from __future__ import annotations

from pathlib import Path

import pytest

import queries.grid_count
from orders_core.permissions import Actor
from queries.grid import GridFilters, grid_count_and_totals
from tests import grid_dataset
from tests.app.conftest import markdown_lines, open_page

ROOT = Path(__file__).resolve().parents[2]
GRID = str(ROOT / "pages" / "orders.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    monkeypatch.setattr(queries.grid_count, "COUNT_CAP", 2)  # the grid's dataset has a handful of orders
    return engine, grid_dataset.build(engine)


def test_a_search_past_the_cap_says_more_than_and_counts_exactly_on_demand(dataset):
    engine, _numbers = dataset
    exact, totals = grid_count_and_totals(engine, GridFilters(search="lovelace"), principal=Actor("a@x.org", "admin"))
    assert exact > 2 and set(totals["currency"]) == {"EUR", "GBP"}
    at = open_page(GRID, FINANCE, query={"q": "lovelace"}, state={"ui.timezone": "UTC"})
    assert not at.exception
    assert "More than **2** orders" in markdown_lines(at)
    assert not any("Total incl. tax" in t for t in markdown_lines(at))
    assert any("or more" in t for t in markdown_lines(at))  # "Page 1 of 1 or more"
    at.button(key="orders.exact_count").click().run()
    assert not at.exception
    assert f"**{exact}** orders" in markdown_lines(at) and "More than **2** orders" not in markdown_lines(at)
    eur = totals.set_index("currency").loc["EUR"]
    assert f"Total incl. tax: €{eur.total_ttc:,.2f}" in markdown_lines(at)
    # another search is capped again until asked
    at.text_input(key="orders.search").set_value("a").run()
    assert "More than **2** orders" in markdown_lines(at)
