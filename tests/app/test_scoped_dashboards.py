"""Issue 17: the three dashboards for a user scoped to one event of tests/dashboard_dataset.py
(EUR "Salon EUR" and USD "Summit USD"): the other event is not in the event picker, and its
figures are in no total, with no event filter and with a URL naming it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Order
from tests import dashboard_dataset
from tests.app.conftest import open_data_tables, open_page
from tests.app.scoped import scoped_user

RANGE = {"from": "2026-11-01", "to": "2026-11-20"}


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return dashboard_dataset.build(engine)


def run(page: str, user: dict, **params) -> AppTest:
    return open_page(f"pages/dashboard_{page}.py", user, query={**RANGE, **params}, timeout=90)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def picker(at: AppTest, page: str) -> list[str]:
    return list(at.multiselect(key=f"dashboard_{page}.events").options)  # as shown


def test_a_scoped_event_manager_sees_the_sales_of_their_event_only(dataset):
    manager = scoped_user("event_manager", [dataset["usd"]])
    at = run("sales", manager)
    assert not at.exception and not at.error
    assert picker(at, "sales") == ["Summit USD"]
    revenue = [m.value for m in at.metric if m.label.endswith("this period")]
    assert revenue == ["US$110.00"]  # an admin sees €381.48 too (test_dashboard_pages)
    open_data_tables(at)
    tables = "".join(d.value.to_csv() for d in at.dataframe)
    assert "Ticket" in tables and "Badge" not in tables and "PROMO10" not in tables  # the EUR tariff and code

    # A shared link naming the other event: that event is dropped, never shown.
    asked = run("sales", manager, events=str(dataset["eur"]))
    assert not asked.exception
    assert asked.multiselect(key="dashboard_sales.events").value == []
    assert [m.value for m in asked.metric if m.label.endswith("this period")] == ["US$110.00"]


def test_a_scoped_finance_user_sees_the_receivables_of_their_event_only(engine, dataset):
    today = datetime.now(UTC).date()
    with unit_of_work(engine) as session:
        for name, due in (("o3", today - timedelta(days=10)), ("o9", today + timedelta(days=3))):
            session.execute(update(Order).where(Order.id == dataset[name][0]).values(due_date=due))
    at = run("finance", scoped_user("finance", [dataset["eur"]]))
    assert not at.exception and not at.error
    assert picker(at, "finance") == ["Salon EUR"]
    assert metrics(at) == {"Overdue in EUR": "€120.00", "Due in EUR": "€480.00"}  # no USD figure at all
    open_data_tables(at)
    oldest = next(frame.value for frame in at.dataframe if str(frame.value.get("link", [""])[0]).startswith("/order?"))
    assert list(oldest["link"]) == [f"/order?order={dataset[n][1]}" for n in ("o3", "o4")]  # o9 is USD
    reconciliation = at.dataframe[-1].value
    assert list(reconciliation["balance_due"]) == ["€360.00"]


def test_a_scoped_marketer_sees_the_campaigns_of_their_event_only(dataset):
    at = run("marketing", scoped_user("marketer", [dataset["usd"]]))
    assert not at.exception and not at.error
    assert picker(at, "marketing") == ["Summit USD"]
    # The USD order of the range (o8) carries no UTM; google / newsletter are the EUR event's
    # (an admin reads 7 orders, 3 with UTM).
    assert metrics(at) == {"Orders": "1", "Orders with UTM": "0", "Share without UTM": "100%"}
    open_data_tables(at)
    assert at.dataframe and not any("google" in d.value.to_csv() for d in at.dataframe)
