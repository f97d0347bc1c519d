"""Issue 20: the dashboards and exports net of refunds, on SQLite and PostgreSQL. The data set of
tests/dashboard_dataset.py plus three refunds recorded by finance through the ledger:
o2 (EUR, online, 141.48) refunded in full by bank transfer on Nov 19, o1 (EUR, online, 240.00)
refunded 40.00 by card on Nov 20, o8 (USD, cheque, 110.00) refunded 30.00 by cheque on Nov 20."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services.refunds import record_refund
from queries.dashboards import finance, sales
from tests.dashboard_dataset import FILTERS, at, build
from tests.factories import EVERYONE

D = Decimal
FINANCE = Actor("finance@example.org", "finance")
REFUNDS = (
    ("o2", "141.48", "bank_transfer", at(19, hour=15)),
    ("o1", "40.00", "card", at(20, hour=16)),
    ("o8", "30.00", "cheque", at(20, hour=15)),
)


@pytest.fixture
def data(engine):
    built = build(engine)
    for name, amount, method, when in REFUNDS:
        with unit_of_work(engine) as session:
            record_refund(
                session,
                actor=FINANCE,
                order_id=built[name][0],
                amount=amount,
                method=method,
                refunded_at=when,
                reason="Goodwill",
                reference=f"R-{name}",
            )
    return built


def test_payments_per_method_show_payments_refunds_and_net_per_currency(engine, data):
    df = finance.payments_by_method(engine, FILTERS, principal=EVERYONE)
    assert [(r.method, r.currency, r.payments, r.amount, r.refunds, r.refunded, r.net) for r in df.itertuples()] == [
        ("bank_transfer", "EUR", 1, D("120.00"), 1, D("141.48"), D("-21.48")),
        ("card", "EUR", 0, D("0.00"), 1, D("40.00"), D("-40.00")),
        ("online", "EUR", 2, D("381.48"), 0, D("0.00"), D("381.48")),
        ("cheque", "USD", 1, D("110.00"), 1, D("30.00"), D("80.00")),
    ]


def test_payments_per_day_date_a_refund_by_the_day_the_money_went_back(engine, data):
    df = finance.payments_by_day(engine, FILTERS, principal=EVERYONE)
    rows = {
        (r.bucket, r.method, r.currency): (r.payments, r.amount, r.refunds, r.refunded, r.net) for r in df.itertuples()
    }
    assert rows[(date(2026, 11, 19), "bank_transfer", "EUR")] == (1, D("120.00"), 1, D("141.48"), D("-21.48"))
    assert rows[(date(2026, 11, 20), "card", "EUR")] == (0, D("0.00"), 1, D("40.00"), D("-40.00"))
    assert rows[(date(2026, 11, 20), "cheque", "USD")] == (1, D("110.00"), 1, D("30.00"), D("80.00"))
    weeks = finance.payments_by_day(
        engine, FILTERS.__class__((), FILTERS.start, FILTERS.end, "month", FILTERS.today), principal=EVERYONE
    )
    assert sum(weeks[weeks["currency"] == "EUR"]["net"]) == D("320.00")


def test_a_refund_outside_the_range_is_not_counted(engine, data):
    before = FILTERS.__class__((), date(2026, 11, 1), date(2026, 11, 18), "day", FILTERS.today)
    df = finance.payments_by_method(engine, before, principal=EVERYONE)
    assert [(r.method, r.currency, r.refunds, r.net) for r in df.itertuples()] == [("online", "EUR", 0, D("141.48"))]


def test_reconciliation_shows_received_refunded_and_net_per_currency(engine, data):
    df = finance.reconciliation(engine, FILTERS, principal=EVERYONE).set_index("currency")
    assert tuple(df.loc["EUR", ["billed_orders", "billed_ttc", "paid_on_billed", "balance_due"]]) == (
        3,
        D("741.48"),
        D("200.00"),
        D("360.00"),  # o4 awaiting; what went back on o1 and o2 is not owed again
    )
    assert tuple(df.loc["EUR", ["received", "refunded", "net_received"]]) == (D("501.48"), D("181.48"), D("320.00"))
    assert tuple(df.loc["USD", ["paid_on_billed", "received", "refunded", "net_received"]]) == (
        D("80.00"),
        D("110.00"),
        D("30.00"),
        D("80.00"),
    )


def test_accounting_export_lists_refunds_as_negative_amounts_that_sum_to_the_net(engine, data):
    df = finance.payments_export(engine, FILTERS, principal=FINANCE)
    refunds = df[df["kind"] == "refund"]
    assert sorted((r.order_number, r.method, r.amount, r.reason) for r in refunds.itertuples()) == sorted(
        [
            (data["o2"][1], "bank_transfer", D("-141.48"), "Goodwill"),
            (data["o1"][1], "card", D("-40.00"), "Goodwill"),
            (data["o8"][1], "cheque", D("-30.00"), "Goodwill"),
        ]
    )
    assert len(df[df["kind"] == "payment"]) == 4
    assert sum(df[df["currency"] == "EUR"]["amount"]) == D("320.00")
    assert sum(df[df["currency"] == "USD"]["amount"]) == D("80.00")
    assert list(df["date"]) == sorted(df["date"])


def test_sales_revenue_counts_what_was_sold_and_received_what_was_kept(engine, data):
    df = sales.headline(engine, FILTERS, principal=EVERYONE)
    eur = df[(df["period"] == "period") & (df["currency"] == "EUR")].iloc[0]
    assert (eur["revenue_ttc"], eur["received_ttc"]) == (D("381.48"), D("200.00"))
    usd = df[(df["period"] == "period") & (df["currency"] == "USD")].iloc[0]
    assert (usd["revenue_ttc"], usd["received_ttc"]) == (D("110.00"), D("80.00"))


def test_the_refund_summary_matches_the_refunds_and_orders_check_says_when_it_does_not(engine, data):
    with engine.connect() as conn:
        assert check_database(conn, only=["dash_refund_facts_match_base_tables"]) == []
    with engine.begin() as conn:
        conn.execute(text("UPDATE dash_refund_facts SET amount_cents = amount_cents + 1"))
    with engine.connect() as conn:
        assert [v.invariant for v in check_database(conn, only=["dash_refund_facts_match_base_tables"])] == [
            "dash_refund_facts_match_base_tables"
        ]


def test_an_order_moved_to_another_event_moves_its_refunds_in_the_summary(engine, data):
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE orders SET event_id = :usd WHERE id = :o1"), {"usd": data["usd"], "o1": data["o1"][0]}
        )
    with engine.connect() as conn:
        assert check_database(conn, only=["dash_refund_facts_match_base_tables"]) == []
    usd_only = FILTERS.__class__((data["usd"],), FILTERS.start, FILTERS.end, "day", FILTERS.today)
    df = finance.payments_by_method(engine, usd_only, principal=EVERYONE)
    assert _refunds(df) == {("card", "EUR"): D("40.00"), ("cheque", "USD"): D("30.00")}


def _refunds(df) -> dict:
    return {(r.method, r.currency): r.refunded for r in df.itertuples() if r.refunds}
