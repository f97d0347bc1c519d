"""Every dashboard figure against a hand-built data set with known answers, on SQLite and
PostgreSQL (tests/dashboard_dataset.py describes the orders)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from orders_core.permissions import Actor
from queries.dashboards import finance, marketing, sales
from queries.dashboards.export import to_csv, to_xlsx
from tests.dashboard_dataset import FILTERS, build
from tests.factories import EVERYONE

D = Decimal
FINANCE_ACTOR = Actor("finance@example.org", "finance")


@pytest.fixture
def data(engine):
    return build(engine)


def _row(df, **where):
    rows = df
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows.iloc[0]


def test_headline_gives_revenue_and_orders_per_currency_and_period(engine, data):
    df = sales.headline(engine, FILTERS, principal=EVERYONE)
    period = _row(df, period="period", currency="EUR")
    assert (period["orders"], period["paid_orders"]) == (6, 2)
    assert (period["revenue_ht"], period["revenue_ttc"]) == (D("317.90"), D("381.48"))
    assert period["previous_orders"] == 0 and period["change_revenue_ttc"] is None
    today = _row(df, period="today", currency="EUR")
    assert (today["orders"], today["paid_orders"], today["revenue_ttc"]) == (1, 1, D("240.00"))
    assert (today["previous_orders"], today["previous_revenue_ttc"]) == (2, D("0.00"))
    week = _row(df, period="week", currency="EUR")
    assert (week["orders"], week["paid_orders"], week["revenue_ttc"]) == (4, 2, D("381.48"))
    assert (week["previous_orders"], week["previous_paid_orders"]) == (2, 0)
    usd = _row(df, period="period", currency="USD")
    assert (usd["orders"], usd["paid_orders"], usd["revenue_ht"], usd["revenue_ttc"]) == (
        1,
        1,
        D("100.00"),
        D("110.00"),
    )


def test_change_is_relative_to_the_previous_period(engine, data):
    # 2026-11-18 .. 20 against 11-15 .. 17: paid TTC 381.48 against nothing, then 11-19..20 vs 17..18.
    df = sales.headline(engine, replace(FILTERS, start=date(2026, 11, 19)), principal=EVERYONE)
    row = _row(df, period="period", currency="EUR")
    assert (row["revenue_ttc"], row["previous_revenue_ttc"]) == (D("240.00"), D("141.48"))
    assert row["change_revenue_ttc"] == pytest.approx(0.6964, abs=1e-4)


def test_sales_over_time_groups_statuses_by_day_and_week(engine, data):
    by_day = sales.sales_over_time(engine, FILTERS, principal=EVERYONE)
    row = _row(by_day, bucket=date(2026, 11, 19), status_group="not_completed", currency="EUR")
    assert (row["orders"], row["total_ttc"]) == (2, D("240.00"))  # o5 cart + o6 cancelled; o7 deleted
    by_week = sales.sales_over_time(engine, replace(FILTERS, granularity="week"), principal=EVERYONE)
    validated = _row(by_week, bucket=date(2026, 11, 16), status_group="validated", currency="EUR")
    assert (validated["orders"], validated["total_ttc"]) == (2, D("381.48"))
    assert set(by_week["bucket"]) == {date(2026, 11, 9), date(2026, 11, 16)}
    by_month = sales.sales_over_time(engine, replace(FILTERS, granularity="month"), principal=EVERYONE)
    assert set(by_month["bucket"]) == {date(2026, 11, 1)}
    assert by_month["orders"].sum() == 7


def test_tariff_sales_count_paid_and_reserved_units_against_capacity(engine, data):
    df = sales.tariff_sales(engine, FILTERS, principal=EVERYONE)
    badge = _row(df, tariff_id=data["badge"])
    assert (badge["sold"], badge["reserved"], badge["capacity"], badge["remaining"]) == (3, 4, 10, 3)
    assert badge["fill_rate"] == pytest.approx(0.3) and badge["revenue_ttc"] == D("348.00")
    ticket = _row(df, tariff_id=data["ticket"])
    assert (ticket["sold"], ticket["reserved"], ticket["revenue_ttc"]) == (2, 1, D("110.00"))
    assert pd.isna(ticket["fill_rate"])
    assert "Bag" not in set(df["tariff"])  # products admit nobody


def test_orders_by_status_count_every_status_and_its_share_of_the_orders_created(engine, data):
    df = sales.orders_by_status(engine, FILTERS, principal=EVERYONE)
    assert dict(zip(df["status"], df["orders"])) == {
        "cart_incomplete": 1,
        "awaiting_payment": 1,
        "paid": 3,
        "cancelled": 1,
        "failed": 1,
        "pending_admin": 0,
        "pending_online": 0,
    }
    assert "started" not in set(df["status"])  # no cart tracking: not a funnel stage
    assert sales.paid_share(df) == pytest.approx(3 / 7, abs=1e-4)
    only_usd = sales.orders_by_status(engine, replace(FILTERS, event_ids=(data["usd"],)), principal=EVERYONE)
    assert only_usd["orders"].sum() == 1


def test_payment_modes_discount_codes_and_sources(engine, data):
    modes = sales.payment_modes(engine, FILTERS, principal=EVERYONE)
    online = _row(modes, payment_mode="online", currency="EUR")
    assert (online["orders"], online["paid_orders"], online["revenue_ttc"]) == (3, 2, D("381.48"))
    assert _row(modes, payment_mode="invoice", currency="EUR")["orders"] == 2
    assert _row(modes, payment_mode="invoice", currency="USD")["revenue_ttc"] == D("110.00")
    codes = sales.discount_codes(engine, FILTERS, principal=EVERYONE)
    promo = _row(codes, discount_code="PROMO10")
    assert (promo["orders"], promo["paid_orders"], promo["revenue_ttc"], promo["given_away"]) == (
        1,
        1,
        D("141.48"),
        D("13.10"),
    )
    origins = sales.sources(engine, FILTERS, principal=EVERYONE)
    assert _row(origins, source="organizer", currency="USD")["revenue_ttc"] == D("110.00")
    assert _row(origins, source="online", currency="EUR")["orders"] == 6


def test_receivables_are_aged_per_currency_oldest_first_with_links(engine, data):
    ages = finance.receivables_by_age(engine, FILTERS, principal=EVERYONE)
    assert [(r.bucket, r.currency, r.orders, r.amount_due) for r in ages.itertuples()] == [
        ("0-15", "EUR", 1, D("360.00")),
        ("31-60", "EUR", 1, D("120.00")),
        (">60", "USD", 1, D("55.00")),
    ]
    oldest = finance.oldest_receivables(engine, FILTERS, principal=EVERYONE)
    numbers = [data[name][1] for name in ("o9", "o3", "o4")]
    assert list(oldest["number"]) == numbers
    assert list(oldest["age_days"]) == [111, 50, 10]
    assert oldest["link"].iloc[0] == f"/order?order={numbers[0]}"


def test_payments_are_summed_per_method_and_day(engine, data):
    methods = finance.payments_by_method(engine, FILTERS, principal=EVERYONE)
    assert [(r.method, r.currency, r.payments, r.amount) for r in methods.itertuples()] == [
        ("bank_transfer", "EUR", 1, D("120.00")),  # o7: deleted later, but the money was received
        ("online", "EUR", 2, D("381.48")),
        ("cheque", "USD", 1, D("110.00")),
    ]
    days = finance.payments_by_day(engine, FILTERS, principal=EVERYONE)
    assert _row(days, bucket=date(2026, 11, 20), method="online")["amount"] == D("240.00")


def test_reconciliation_compares_billed_and_paid_per_currency(engine, data):
    df = finance.reconciliation(engine, FILTERS, principal=EVERYONE)
    eur = _row(df, currency="EUR")
    assert (eur["billed_orders"], eur["billed_ttc"], eur["paid_on_billed"], eur["balance_due"], eur["received"]) == (
        3,
        D("741.48"),
        D("381.48"),
        D("360.00"),
        D("501.48"),
    )
    usd = _row(df, currency="USD")
    assert (usd["billed_ttc"], usd["balance_due"], usd["received"]) == (D("110.00"), D("0.00"), D("110.00"))


def test_accounting_exports_list_payments_and_tax_per_rate(engine, data):
    payments = finance.payments_export(engine, FILTERS, principal=FINANCE_ACTOR)
    assert sorted(payments["order_number"]) == sorted(data[n][1] for n in ("o1", "o2", "o7", "o8"))
    assert sum(payments[payments["currency"] == "EUR"]["amount"]) == D("501.48")
    taxes = finance.orders_tax_export(engine, FILTERS, principal=FINANCE_ACTOR)
    rows = {(r.order_number, r.tax_rate): (r.total_ht, r.tax, r.total_ttc) for r in taxes.itertuples()}
    assert rows == {
        (data["o1"][1], D("20")): (D("200.00"), D("40.00"), D("240.00")),
        (data["o2"][1], D("20")): (D("117.90"), D("23.58"), D("141.48")),
        (data["o4"][1], D("20")): (D("300.00"), D("60.00"), D("360.00")),
        (data["o8"][1], D("10")): (D("100.00"), D("10.00"), D("110.00")),
    }
    assert to_csv(taxes).decode("utf-8-sig").splitlines()[0].startswith("order_number,event,created_at")
    assert to_xlsx(payments)[:2] == b"PK"


def test_utm_drill_down_from_source_to_campaign(engine, data):
    sources = marketing.utm_breakdown(engine, FILTERS, principal=EVERYONE)
    google = _row(sources, utm_source="google", currency="EUR")
    assert (google["orders"], google["paid_orders"], google["revenue_ttc"]) == (3, 2, D("381.48"))
    assert google["conversion_rate"] == pytest.approx(0.6667, abs=1e-4)
    assert _row(sources, utm_source="", currency="USD")["paid_orders"] == 1
    mediums = marketing.utm_breakdown(engine, FILTERS, "google", principal=EVERYONE)
    assert list(mediums["utm_medium"]) == ["cpc"]
    campaigns = marketing.utm_breakdown(engine, FILTERS, "google", "cpc", principal=EVERYONE)
    assert list(campaigns["utm_campaign"]) == ["launch"] and campaigns["orders"].iloc[0] == 3


def test_marketing_coverage_abandonment_top_campaigns_and_codes(engine, data):
    coverage = marketing.utm_coverage(engine, FILTERS, principal=EVERYONE).iloc[0]
    assert (coverage["orders"], coverage["with_utm"], coverage["without_utm"]) == (7, 3, 4)
    assert coverage["share_without_utm"] == pytest.approx(4 / 7, abs=1e-4)
    abandoned = marketing.abandoned_by_source(engine, FILTERS, principal=EVERYONE)
    assert (
        _row(abandoned, utm_source="google")["abandoned_carts"],
        _row(abandoned, utm_source="")["abandoned_carts"],
    ) == (1, 0)
    top = marketing.top_campaigns(engine, FILTERS, principal=EVERYONE)
    assert [(r.utm_campaign, r.currency, r.rank, r.revenue_ttc) for r in top.itertuples()] == [
        ("launch", "EUR", 1, D("381.48"))
    ]
    codes = marketing.campaign_codes(engine, FILTERS, principal=EVERYONE)
    assert _row(codes, utm_campaign="launch", discount_code="PROMO10")["revenue_ttc"] == D("141.48")
    assert _row(codes, utm_campaign="launch", discount_code="")["orders"] == 2
    over_time = marketing.utm_over_time(engine, replace(FILTERS, granularity="month"), principal=EVERYONE)
    assert _row(over_time, utm_source="google", currency="EUR")["orders"] == 3


def test_an_empty_database_gives_empty_frames_not_errors(engine):
    assert sales.headline(engine, FILTERS, principal=EVERYONE).empty
    assert sales.orders_by_status(engine, FILTERS, principal=EVERYONE)["orders"].sum() == 0
    assert finance.receivables_by_age(engine, FILTERS, principal=EVERYONE).empty
    assert finance.reconciliation(engine, FILTERS, principal=EVERYONE).empty
    assert marketing.utm_coverage(engine, FILTERS, principal=EVERYONE).iloc[0]["orders"] == 0
    assert marketing.top_campaigns(engine, FILTERS, principal=EVERYONE).empty
