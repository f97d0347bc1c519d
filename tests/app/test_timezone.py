"""One time policy (issue 14, issue 18 item 5): a user picks a time zone in the sidebar, it is
kept with their account, and every date of the grid and the order page is shown in it and names
it; until they choose, Europe/Paris (AppTest has no browser zone)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.i18n import format_datetime_in_zone
from orders_core.models import Order, User
from tests.app.conftest import open_orders_filters, open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
FINANCE = {"email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def order(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, timezone="Asia/Tokyo")  # neither the user's nor the default zone
        made = make_order(session, event, [(make_tariff(session, event, unit_price_ht=Decimal("10.00")), 1)])
        return {"number": made.number, "created_at": made.created_at}


def created_on(at) -> str:
    line = next(m.value for m in at.markdown if "**Created on:**" in m.value)
    return line.split("**Created on:** ", 1)[1].split("\n", 1)[0]


def test_a_user_picks_a_time_zone_and_every_date_names_it(engine, order):
    at = open_page(str(ROOT / "pages" / "order_detail.py"), FINANCE, query={"order": str(order["number"])})
    assert not at.exception
    assert created_on(at) == format_datetime_in_zone(order["created_at"], "Europe/Paris")
    assert created_on(at).endswith(" CET")

    at.sidebar.selectbox(key="shell.timezone").set_value("America/Montreal").run()
    assert not at.exception
    assert created_on(at) == format_datetime_in_zone(order["created_at"], "America/Montreal")
    assert created_on(at).endswith(" EST")
    with unit_of_work(engine) as session:
        assert session.scalar(select(User.timezone).where(User.email == FINANCE["email"])) == "America/Montreal"

    # a new browser session of the same user: the grid shows the stored zone in its date headers
    grid = open_orders_filters(open_page(str(ROOT / "pages" / "orders.py"), FINANCE))
    assert not grid.exception
    assert grid.sidebar.selectbox(key="shell.timezone").value == "America/Montreal"
    assert "Dates are days in the America/Montreal timezone." in [c.value for c in grid.caption]
    with unit_of_work(engine) as session:
        assert session.scalar(select(Order.number)) == order["number"]
