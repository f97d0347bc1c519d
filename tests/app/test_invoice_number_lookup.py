"""Issue 21 through AppTest: the Order page's lookup field and the grid's search box take an
invoice or credit-note number, in any case, and find its order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_invoice
from orders_core.permissions import Actor
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

ROOT = Path(__file__).resolve().parents[2]
GRID = str(ROOT / "pages" / "orders.py")
DETAIL = str(ROOT / "pages" / "order_detail.py")
FINANCE = {"email": "finance@example.org", "role": "finance", "name": "Finance"}
ISSUED = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def invoiced(engine, db_url, monkeypatch):
    """Two orders; the second has invoice F2026-00001. Returns their numbers."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"))
        other, order = (make_order(session, event, [(badge, 1)]) for _ in range(2))
        assert (
            issue_invoice(session, actor=Actor("finance@example.org", "finance"), order_id=order.id, now=ISSUED).number
            == "F2026-00001"
        )
        return other.number, order.number


@pytest.mark.parametrize("typed", ["F2026-00001", "f2026-00001 "])
def test_the_lookup_field_opens_the_order_of_an_invoice_number(invoiced, typed):
    _other, number = invoiced
    at = open_page(DETAIL, FINANCE, state={"ui.timezone": "UTC"})
    at.text_input(key="order_detail.lookup_text").input(typed)
    at.button(key="order_detail.lookup_open").click().run()
    assert not at.exception
    assert at.title[0].value == f"Order {number}"


def test_the_grid_search_lists_the_order_of_an_invoice_number(invoiced):
    _other, number = invoiced
    at = open_page(GRID, FINANCE, state={"ui.timezone": "UTC"})
    at.text_input(key="orders.search").input("f2026-00001").run()
    assert not at.exception
    assert [int(v) for v in at.dataframe[0].value["number"]] == [number]
