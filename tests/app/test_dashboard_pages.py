"""The three dashboards through AppTest, for every role allowed, on the hand-built data set of
tests/dashboard_dataset.py (range from the URL, as a shared link would give it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Order
from orders_core.permissions import Actor
from orders_core.services.saved_views import save_view, visible_views
from tests import dashboard_dataset
from tests.app.conftest import open_data_tables, open_page

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
        "Orders by status",
        "Payment modes",
        "Tickets and badges sold per tariff",
        "Discount codes",
        "Organiser vs online",
    ]
    assert "Conversion: 42.9% of the orders created in the range are paid." in [c.value for c in at.caption]


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_sales_charts_keep_one_colour_per_status_group_and_name_the_months(dataset):
    """Issue 18 item 8: plotly express coloured status groups in the order they appeared in each
    currency's chart, placed November's bar at "Oct 31" and drew the statuses as a funnel."""
    at = run("sales", "admin", by="month")
    assert not at.exception
    figures = _figures(at)
    assert not [t for f in figures for t in f["data"] if t["type"] in ("funnel", "pie")]
    over_time = [f for f in figures if f["layout"].get("title", {}).get("text") in ("EUR", "USD")]
    assert len(over_time) == 2
    colours: dict[str, set[str]] = {}
    for figure in over_time:
        assert figure["layout"]["xaxis"]["type"] == "category"
        assert {x for t in figure["data"] for x in t["x"]} == {"Nov 2026"}
        for trace in figure["data"]:
            colours.setdefault(trace["name"], set()).add(trace["marker"]["color"])
    assert all(len(c) == 1 for c in colours.values()) and len({c for cs in colours.values() for c in cs}) == len(
        colours
    )


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_the_finance_dashboard_shows_receivables_and_reconciliation(engine, dataset, role):
    today = datetime.now(UTC).date()  # the dashboard's "today" when the URL gives none
    with unit_of_work(engine) as session:  # issue 15: o3 is 10 days overdue, o9 due in 3 days, o4 has no due date
        for name, due in (("o3", today - timedelta(days=10)), ("o9", today + timedelta(days=3))):
            session.execute(update(Order).where(Order.id == dataset[name][0]).values(due_date=due))
    at = run("finance", role)
    assert not at.exception and not at.error
    assert metrics(at) == {
        "Overdue in EUR": "€120.00",
        "Overdue in USD": "US$0.00",
        "Due in EUR": "€480.00",
        "Due in USD": "US$55.00",
    }
    assert [s.value for s in at.subheader][:4] == [
        "By due date",
        "Buyers who owe the most",
        "Expected cash per week",
        "By age since the order was created",
    ]
    open_data_tables(at)
    ages = at.dataframe[0].value
    assert list(zip(ages["bucket"], ages["currency"], ages["amount_due"])) == [
        ("1–30 days overdue", "EUR", "€120.00"),
        ("No due date", "EUR", "€360.00"),
        ("Not due yet", "USD", "US$55.00"),
    ]
    oldest = next(frame.value for frame in at.dataframe if str(frame.value.get("link", [""])[0]).startswith("/order?"))
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
    open_data_tables(at)
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


def test_a_charts_csv_is_made_on_the_click_and_the_click_starts_no_rerun(dataset):
    at = run("sales", "admin")
    assert not at.get("download_button") and not at.dataframe  # nothing drawn while closed
    assert [e.label for e in at.expander].count("Data") == 7
    open_data_tables(at)
    buttons = [b.proto for b in at.get("download_button") if b.proto.label == "Download CSV"]
    assert buttons, "each chart's Data offers its CSV"
    assert all(b.deferred_file_id and b.ignore_rerun for b in buttons)


def test_the_filters_of_the_address_are_also_their_widgets_defaults_in_the_browser(dataset):
    """A run cut short before the filters are drawn leaves the browser with the widgets' defaults,
    which it then sends back as the filters: the defaults must be the address's, not blanks."""
    at = run("sales", "admin", by="week", events=str(dataset["usd"]))
    assert not at.exception
    events = at.multiselect(key="dashboard_sales.events")
    assert events.value == [dataset["usd"]]
    assert [events.options[i] for i in events.proto.default] == ["Summit USD"]
    assert list(at.date_input(key="dashboard_sales.range").proto.default) == ["2026-11-01", "2026-11-20"]
    assert at.radio(key="dashboard_sales.by").proto.default == 1  # week
