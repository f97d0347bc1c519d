"""Issue 18 item 8: the dashboards' charts tell the truth. One colour per status (and status
group) whatever the currency or the groups present; periods named as words in the user's
language on a category axis; orders by status as bars, not a funnel; breakdowns as horizontal
bars with their values; the marketing "over time" chart keeps the top sources and "other"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from orders_core.i18n import set_locale
from orders_core.status import Status
from queries.dashboards.marketing import top_sources_over_time
from ui.charts import (
    currency_colour,
    grouped_horizontal_bars,
    number_separators,
    period_label,
    status_breakdown,
    status_colour,
    status_group_over_time,
)
from ui.dashboard_widgets import percent


@pytest.fixture(autouse=True)
def english():
    set_locale("en")
    yield
    set_locale("en")


def _over_time(rows):
    return pd.DataFrame(rows, columns=["bucket", "status_group", "currency", "orders", "total_ttc"])


def _colours(figure) -> dict[str, str]:
    return {trace.name: trace.marker.color for trace in figure.data}


def test_a_status_group_has_one_colour_whatever_the_currency_and_the_groups_present():
    eur = _over_time([(date(2026, 11, 2), "pending", "EUR", 1, 50.0), (date(2026, 11, 2), "validated", "EUR", 2, 9.0)])
    usd = _over_time(
        [(date(2026, 11, 2), "validated", "USD", 1, 5.0), (date(2026, 11, 3), "not_completed", "USD", 4, 8.0)]
    )
    in_eur = _colours(status_group_over_time(eur, granularity="day", y_title="", title="EUR"))
    in_usd = _colours(status_group_over_time(usd, granularity="day", y_title="", title="USD"))
    assert in_eur["Validated"] == in_usd["Validated"] == status_colour("paid")
    assert in_eur["Pending"] == status_colour("awaiting_payment")
    assert in_usd["Not completed"] == status_colour("cart_incomplete")
    assert len({*in_eur.values(), *in_usd.values()}) == 3  # three groups, three colours


def test_a_month_is_named_as_its_month_in_the_users_language():
    november = _over_time([(date(2026, 11, 1), "validated", "EUR", 3, 30.0)])
    figure = status_group_over_time(november, granularity="month", y_title="", title=None)
    assert list(figure.data[0].x) == ["Nov 2026"]
    assert figure.layout.xaxis.type == "category"  # no date axis: it put the bar at "Oct 31"
    set_locale("fr")
    assert period_label(date(2026, 11, 1), "month") == "nov. 2026"
    assert period_label(date(2026, 11, 2), "week") == "Semaine du 2 nov. 2026"
    assert period_label(date(2026, 11, 2), "day") == "2 nov. 2026"
    assert number_separators() == ",\u202f"  # plotly's axes and tooltips: 1 234,5


def test_orders_by_status_are_bars_in_their_colours_not_a_funnel():
    counts = pd.DataFrame(
        [("awaiting_payment", 94, 0.1), ("paid", 664, 0.7), ("cancelled", 190, 0.2)],
        columns=["status", "orders", "share"],
    )
    figure = status_breakdown(counts, x_title="Orders", percent=percent)
    (trace,) = figure.data
    assert trace.type == "bar" and trace.orientation == "h"
    assert list(trace.y) == ["Payment validated", "Awaiting payment", "Payment cancelled"]
    assert list(trace.x) == [664, 94, 190]
    assert list(trace.text) == ["664 (70%)", "94 (10%)", "190 (20%)"]
    assert list(trace.marker.color) == [status_colour(s) for s in ("paid", "awaiting_payment", "cancelled")]


def test_payment_modes_are_horizontal_bars_with_their_values_per_currency():
    modes = pd.DataFrame(
        [("invoice", "EUR", 12), ("online", "EUR", 1200), ("invoice", "USD", 3)],
        columns=["payment_mode", "currency", "orders"],
    )
    figure = grouped_horizontal_bars(
        modes,
        category="payment_mode",
        group="currency",
        value="orders",
        names={"invoice": "On invoice", "online": "Online"},
        x_title="Orders",
    )
    assert [t.type for t in figure.data] == ["bar", "bar"] and {t.orientation for t in figure.data} == {"h"}
    eur, usd = figure.data
    assert (eur.name, list(eur.y), list(eur.text)) == ("EUR", ["On invoice", "Online"], ["12", "1,200"])
    assert (usd.name, list(usd.x)) == ("USD", [3, 0])
    status_colours = {status_colour(s.value) for s in Status}
    assert eur.marker.color == currency_colour("EUR") and usd.marker.color == currency_colour("USD")
    assert not {eur.marker.color, usd.marker.color} & status_colours  # a currency never looks like a status


def test_the_utm_chart_keeps_the_top_sources_and_puts_the_rest_together():
    sources = ["google", "newsletter", "facebook", "linkedin", "", "bing", "twitter", "partner"]
    rows = [(date(2026, 11, 2), source, "EUR", 10 - i, 0, Decimal("0.00")) for i, source in enumerate(sources)] + [
        (date(2026, 11, 2), "partner", "USD", 1, 0, Decimal("0.00"))
    ]
    over_time = pd.DataFrame(rows, columns=["bucket", "utm_source", "currency", "orders", "paid_orders", "revenue_ttc"])
    top = top_sources_over_time(over_time, top=5)
    assert list(zip(top["utm_source"], top["other"], top["orders"])) == [
        ("google", False, 10),
        ("newsletter", False, 9),
        ("facebook", False, 8),
        ("linkedin", False, 7),
        ("", False, 6),
        ("", True, 5 + 4 + 3 + 1),  # bing, twitter, partner in both currencies
    ]


def test_campaigns_of_one_currency_each_are_one_bar_per_row_not_empty_slots():
    top = pd.DataFrame(
        [("paris_launch", "EUR", 2202.75), ("london_launch", "GBP", 528.0)],
        columns=["utm_campaign", "currency", "revenue_ttc"],
    )
    figure = grouped_horizontal_bars(
        top,
        category="utm_campaign",
        group="currency",
        value="revenue_ttc",
        names={},
        x_title="Revenue",
        text=lambda amount, currency: f"{currency} {amount:.2f}",
    )
    (trace,) = figure.data
    assert list(trace.y) == ["paris_launch · EUR", "london_launch · GBP"]
    assert list(trace.text) == ["EUR 2202.75", "GBP 528.00"]
    assert list(trace.marker.color) == [currency_colour("EUR"), currency_colour("GBP")]
