"""The orders grid and the order detail page through AppTest, on tests/grid_dataset.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from orders_core.models import Attendee, Order
from tests import grid_dataset
from tests.app.conftest import markdown_lines, open_orders_filters, open_page

ROOT = Path(__file__).resolve().parents[2]
GRID = str(ROOT / "pages" / "orders.py")
DETAIL = str(ROOT / "pages" / "order_detail.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return grid_dataset.build(engine)


def app(path: str, **params) -> AppTest:
    return open_page(path, FINANCE, query=params, state={"ui.timezone": "UTC"})


def grid_numbers(at: AppTest) -> list[int]:
    return [int(v) for v in at.dataframe[0].value["number"]] if at.dataframe else []


def texts(at: AppTest) -> list[str]:
    """Each line of the markdown and the labels of links to other pages."""
    return markdown_lines(at) + [link.proto.label for link in at.get("page_link")]


def test_the_grid_shows_the_page_the_count_and_totals_per_currency(dataset):
    at = app(GRID)
    assert not at.exception
    n = dataset
    assert grid_numbers(at) == [n[3], n[7], n[2], n[6], n[1], n[4], n[5]]
    assert "**7** orders" in texts(at)
    assert "Total incl. tax: €708.00" in texts(at) and "Total incl. tax: £180.00" in texts(at)


def test_a_quick_filter_changes_the_rows_the_totals_and_the_url(dataset):
    at = app(GRID)
    at.segmented_control(key="orders.group").set_value("pending").run()
    assert not at.exception
    assert grid_numbers(at) == [dataset[3], dataset[2]]
    assert "**2** orders" in texts(at) and "Total incl. tax: €348.00" in texts(at)
    assert at.query_params["group"] in ("pending", ["pending"])


def test_a_bookmarked_url_opens_the_same_filtered_view(dataset):
    at = app(GRID, group="pending", mode="invoice", q="martin")
    assert grid_numbers(at) == [dataset[2]]
    assert at.text_input(key="orders.search").value == "martin"


def test_the_filters_expander_draws_its_widgets_once_opened(dataset):
    at = app(GRID)
    assert at.expander[0].label == "Filters"
    assert not at.multiselect and not at.date_input  # closed and unset: none of its widgets is sent
    open_orders_filters(at)
    assert [m.label for m in at.multiselect] == ["Statuses", "Payment modes", "Events", "Payment states"]
    assert grid_numbers(at) == [dataset[n] for n in (3, 7, 2, 6, 1, 4, 5)]


def test_an_address_with_a_filter_of_the_expander_opens_it_with_its_widget_set(dataset):
    at = app(GRID, mode="online")
    assert at.multiselect(key="orders.modes").value == ["online"]
    assert grid_numbers(at) == [dataset[7], dataset[6]]


def test_statuses_and_payment_modes_filter_the_rows(dataset):
    at = open_orders_filters(app(GRID))
    at.multiselect(key="orders.statuses").set_value(["paid"]).run()
    assert grid_numbers(at) == [dataset[6], dataset[1]]
    at.multiselect(key="orders.modes").set_value(["online"]).run()
    assert grid_numbers(at) == [dataset[6]]
    assert "Total incl. tax: £60.00" in texts(at)


def test_selected_rows_become_order_ids_at_once(dataset, engine):
    at = open_page(GRID, FINANCE, state={"orders.table": {"selection": {"rows": [0, 2], "columns": [], "cells": []}}})
    with engine.connect() as conn:
        ids = {number: oid for oid, number in conn.execute(select(Order.id, Order.number))}
    assert at.session_state["orders.selected_ids"] == [ids[dataset[3]], ids[dataset[2]]]


def test_an_order_number_in_the_search_box_finds_that_order(dataset):
    at = app(GRID)
    at.text_input(key="orders.search").input(str(dataset[5])).run()
    assert grid_numbers(at) == [dataset[5]]
    assert any(f"Open order {dataset[5]}" in t for t in texts(at))


def test_no_match_shows_an_empty_state(dataset):
    at = app(GRID, q="nobody-at-all")
    assert [i.value for i in at.info] == ["No order matches these filters."]


def test_an_unpaid_order_shows_every_tab_with_future_attendee_records(dataset):
    at = app(DETAIL, order=str(dataset[2]))
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Detail",
        "Order items",
        "Lines",
        "UTM",
        "Payments",
        "Invoices",
        "History",
        "Notes",
        "Emails",
        "E-tickets",
    ]
    assert at.title[0].value == f"Order {dataset[2]}"
    captions = [c.value for c in at.caption]
    assert captions.count("Future attendee record: created when the order is paid.") == 2
    assert "No payment recorded." in captions
    lines = at.dataframe[0].value if at.dataframe else None
    assert lines is not None and list(lines["quantity"]) == [2] and list(lines["total_ttc"]) == ["240.00"]
    assert any(m.startswith("- **utm_source:**") for m in texts(at))
    assert "**Order created by tests.**" in texts(at)  # the history as a sentence (issue 18 item 6)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Balance due"] == "€240.00"


def test_a_paid_order_links_each_holder_to_the_attendee_record(dataset):
    at = app(DETAIL, order=str(dataset[6]))
    assert not at.exception
    assert not [c for c in at.caption if "Future attendee record" in c.value]
    assert any("Attendee record" in m for m in texts(at))
    payments = next(d.value for d in at.dataframe if "balance" in d.value.columns)  # the Payments tab
    assert list(payments["amount"]) == ["£60.00"] and list(payments["balance"]) == ["£60.00"]


def test_the_attendee_record_shows_its_order_or_that_the_order_was_deleted(dataset, engine):
    with engine.begin() as conn:
        attendee_id = conn.execute(
            select(Attendee.id).join(Order, Order.id == Attendee.order_id).where(Order.number == dataset[6])
        ).scalar_one()
    at = app(DETAIL, attendee=str(attendee_id))
    assert at.title[0].value == "Attendee record" and at.subheader[0].value == "Zoé Brontë"
    assert any(f"Order {dataset[6]}" in m for m in texts(at))
    with engine.begin() as conn:
        conn.execute(update(Order).where(Order.number == dataset[6]).values(deleted_at=grid_dataset.at(20, 8)))
    st.cache_data.clear()
    at = app(DETAIL, attendee=str(attendee_id))
    assert [w.value for w in at.warning][0].startswith(f"Order {dataset[6]} was deleted on")


def test_an_unknown_order_number_says_so(dataset):
    at = app(DETAIL, order="9999999")
    assert [e.value for e in at.error] == ["No order with number 9999999."]
