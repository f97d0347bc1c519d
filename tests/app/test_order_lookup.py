"""Getting to an order (issue 18, items 2 and 9), through AppTest on tests/grid_dataset.py: a click
on a number or a buyer's name in the grid opens that order; the Order page has a lookup field on
every view and an empty state of its own; a number search says that it ignores the filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import grid_dataset
from tests.app.conftest import open_page

ROOT = Path(__file__).resolve().parents[2]
GRID = str(ROOT / "pages" / "orders.py")
DETAIL = str(ROOT / "pages" / "order_detail.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}
NUMBER_NOTE = "the other filters (dates, statuses, events…) are not applied"


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return grid_dataset.build(engine)


def app(path: str, state: dict | None = None, **params) -> AppTest:
    return open_page(path, FINANCE, query=params, state={"ui.timezone": "UTC", **(state or {})})


def clicked(cell: tuple[int, str]) -> dict:
    return {"orders.table": {"selection": {"rows": [], "columns": [], "cells": [list(cell)]}}}


def title(at: AppTest) -> str:
    return at.title[0].value if at.title else ""


def lookup(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="order_detail.lookup_text").input(typed)
    return at.button(key="order_detail.lookup_open").click().run()


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


# --- the grid ------------------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["number", "buyer_last_name", "buyer_first_name"])
def test_clicking_a_number_or_a_name_in_the_grid_opens_that_order(dataset, column):
    # The default view lists [3, 7, 2, 6, 1, 4, 5]: position 2 is order 2 (Jean Martin).
    at = app(GRID, state=clicked((2, column)))
    assert not at.exception
    assert title(at) == f"Order {dataset[2]}"
    assert param(at, "order") == str(dataset[2])


def test_clicking_another_cell_stays_on_the_grid(dataset):
    at = app(GRID, state=clicked((2, "buyer_email")))
    assert not at.exception
    assert title(at) == "Orders"


def test_a_number_search_says_that_it_ignores_the_other_filters(dataset):
    at = app(GRID, q=str(dataset[5]), group="pending", **{"from": "2026-11-11"})
    assert [int(v) for v in at.dataframe[0].value["number"]] == [dataset[5]]  # cancelled, 8 Nov
    notes = [i.value for i in at.info]
    assert any(f"order number {dataset[5]}" in n and NUMBER_NOTE in n for n in notes), notes


def test_a_text_search_has_no_such_note(dataset):
    at = app(GRID, q="martin", group="pending")
    assert not any(NUMBER_NOTE in i.value for i in at.info)


# --- the Order page --------------------------------------------------------------------------------


def test_the_order_page_without_an_order_shows_an_empty_state_and_the_lookup_field(dataset):
    at = app(DETAIL)
    assert not at.exception
    assert title(at) == "Order"
    assert [i.value for i in at.info] == ["No order is open. Type an order number, or a buyer's name or email, above."]
    assert not at.error and not at.tabs
    assert at.text_input(key="order_detail.lookup_text").label == "Find an order"


def test_looking_up_a_number_from_an_order_opens_the_other_and_the_url_follows(dataset):
    at = app(DETAIL, order=str(dataset[1]))
    assert title(at) == f"Order {dataset[1]}"
    lookup(at, f"#{dataset[2]}")
    assert not at.exception
    assert title(at) == f"Order {dataset[2]}"
    assert param(at, "order") == str(dataset[2])


def test_looking_up_an_unknown_number_keeps_the_order_shown_and_says_so(dataset):
    at = app(DETAIL, order=str(dataset[1]))
    lookup(at, "9999999")
    assert [w.value for w in at.warning] == ["No order with number 9999999."]
    assert title(at) == f"Order {dataset[1]}" and param(at, "order") == str(dataset[1])


def test_the_lookup_field_leaves_an_address_error_behind(dataset):
    at = app(DETAIL, order="abc")
    assert [e.value for e in at.error] == ["“abc” in the address is not an order number."]
    lookup(at, str(dataset[6]))
    assert not at.error
    assert title(at) == f"Order {dataset[6]}" and param(at, "order") == str(dataset[6])


@pytest.mark.parametrize("typed", ["Camille Dupont", "dupont camille", "camille@acme.fr", "DUPONT"])
def test_a_name_or_email_that_finds_one_order_opens_it(dataset, typed):
    at = app(DETAIL)
    lookup(at, typed)
    assert not at.exception
    assert title(at) == f"Order {dataset[1]}" and param(at, "order") == str(dataset[1])


def test_a_name_that_finds_several_orders_opens_the_grid_search(dataset):
    at = app(DETAIL)
    lookup(at, "Lovelace")  # the factory's default buyer: orders 3 to 7 (8 is deleted)
    assert not at.exception
    assert title(at) == "Orders"
    assert param(at, "q") == "Lovelace"
    assert sorted(int(v) for v in at.dataframe[0].value["number"]) == sorted(dataset[r] for r in (3, 4, 5, 6, 7))


def test_a_name_that_finds_nothing_says_so(dataset):
    at = app(DETAIL)
    lookup(at, "nobody-at-all")
    assert [w.value for w in at.warning] == ["No order matches “nobody-at-all”."]
    assert title(at) == "Order"
