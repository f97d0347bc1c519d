"""The three dashboards through AppTest, for every role allowed, on the hand-built data set of
tests/dashboard_dataset.py (range from the URL, as a shared link would give it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services.saved_views import save_view, visible_views
from tests import dashboard_dataset
from tests.app.conftest import open_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = {name: str(ROOT / "pages" / f"dashboard_{name}.py") for name in ("sales", "finance", "marketing")}
RANGE = {"from": "2026-11-01", "to": "2026-11-20"}


def user(role: str) -> dict:
    return {"id": 1, "email": f"{role}@example.org", "role": role, "name": role.title()}


@pytest.fixture
def dataset(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    return dashboard_dataset.build(engine)


def run(page: str, role: str, **params) -> AppTest:
    return open_page(PAGES[page], user(role), query={**RANGE, **params}, timeout=90)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("role", ["admin", "event_manager"])
def test_the_sales_dashboard_shows_revenue_per_currency(dataset, role):
    at = run("sales", role)
    assert not at.exception and not at.error
    revenue = [m.value for m in at.metric if m.label.endswith("this period")]
    assert revenue == ["€381.48", "US$110.00"]
    assert [h.value for h in at.header] == [
        "Sales over time",
        "Conversion funnel",
        "Payment modes",
        "Tickets and badges sold per tariff",
        "Discount codes",
        "Organiser vs online",
    ]
    assert "Conversion: 42.9% of carts started were paid." in [c.value for c in at.caption]


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_the_finance_dashboard_shows_receivables_and_reconciliation(dataset, role):
    at = run("finance", role)
    assert not at.exception and not at.error
    assert metrics(at) == {"Due in EUR": "€480.00", "Due in USD": "US$55.00"}
    oldest = at.dataframe[1].value
    assert list(oldest["link"]) == [f"/order?order={dataset[n][1]}" for n in ("o9", "o3", "o4")]
    reconciliation = at.dataframe[-1].value
    assert list(reconciliation["balance_due"]) == ["€360.00", "US$0.00"]


@pytest.mark.parametrize("role", ["admin", "marketer"])
def test_the_marketing_dashboard_drills_down_from_source_to_campaign(dataset, role):
    at = run("marketing", role)
    assert not at.exception and not at.error
    assert metrics(at) == {"Orders": "7", "Orders with UTM": "3", "Share without UTM": "57.1%"}
    at.selectbox(key="dashboard_marketing.source").select("google").run()
    at.selectbox(key="dashboard_marketing.medium").select("cpc").run()
    assert at.query_params["utm_source"] == "google" and at.query_params["utm_medium"] == "cpc"
    campaigns = at.dataframe[0].value
    assert list(campaigns["utm_campaign"]) == ["launch"] and list(campaigns["revenue_ttc"]) == ["€381.48"]


def test_filters_follow_the_url_and_an_empty_range_says_so(dataset):
    at = run("sales", "admin", **{"from": "2025-01-01", "to": "2025-01-31", "by": "week"})
    assert not at.exception
    assert at.radio(key="dashboard_sales.by").value == "week"
    assert any("No order" in i.value for i in at.info)


def test_a_view_saved_from_the_sidebar_is_listed_and_applied(dataset, engine):
    at = run("marketing", "marketer", by="month")
    at.text_input(key="views.dashboard_marketing.name").input("Monthly")
    at.checkbox(key="views.dashboard_marketing.shared").check()
    at.button(key="views.dashboard_marketing.save").click().run()
    assert not at.exception and [s.value for s in at.success] == ["View “Monthly” saved."]
    with unit_of_work(engine) as session:
        views = visible_views(session, actor=Actor("other@example.org", "marketer"), page="dashboard_marketing")
    assert [(v["name"], v["params"]["by"], v["shared"]) for v in views] == [("Monthly", "month", True)]

    with unit_of_work(engine) as session:
        save_view(
            session,
            actor=Actor("marketer@example.org", "marketer"),
            page="dashboard_marketing",
            name="November weeks",
            params={"from": "2026-11-02", "to": "2026-11-15", "by": "week"},
        )
    at = run("marketing", "marketer")
    at.selectbox(key="views.dashboard_marketing.choice").select_index(1)
    at.button(key="views.dashboard_marketing.apply").click().run()
    assert not at.exception
    assert at.query_params["by"] == "week" and at.query_params["from"] == "2026-11-02"
    assert at.radio(key="dashboard_marketing.by").value == "week"
