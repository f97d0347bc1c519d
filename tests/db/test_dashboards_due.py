"""Finance dashboard by due date (issue 15) on SQLite and PostgreSQL: open invoices aged by days
past their due date per currency, the buyers who owe most, and the cash expected per week, on a
hand-built set where every amount is known. Today is Friday 2026-11-20."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from orders_core.db import unit_of_work
from orders_core.models import Order
from queries.dashboards import DashboardFilters
from queries.dashboards.due import expected_cash, receivables_by_due_date, top_debtors
from tests.factories import EVERYONE, make_event, make_order, make_tariff

TODAY = date(2026, 11, 20)
FILTERS = DashboardFilters((), date(2026, 11, 1), TODAY, "day", TODAY)
D = Decimal


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def book(engine):
    with unit_of_work(engine) as session:
        eur = make_event(session, currency="EUR")
        usd = make_event(session, currency="USD", timezone="America/New_York")
        badge = make_tariff(session, eur)  # 120.00 incl. tax
        ticket = make_tariff(session, usd, unit_price_ht=D("50.00"), tax_rate=D("10"))  # 55.00

        def invoice(due, tariff=badge, event=eur, **overrides):
            return make_order(
                session,
                event,
                [(tariff, 1)],
                status="awaiting_payment",
                payment_mode="invoice",
                due_date=due,
                **overrides,
            )

        acme = dict(buyer_email="Accounts@Acme.example", company_name="Acme")
        orders = {
            "not_due": invoice(TODAY + timedelta(days=5)),
            "due_today": invoice(TODAY),
            "due_much_later": invoice(TODAY + timedelta(days=100)),
            "late_1": invoice(ago(1)),
            "late_30": invoice(ago(30)),
            "part_paid": invoice(ago(5)),
            "late_31": invoice(ago(31)),
            "late_61": invoice(ago(61), **acme),
            "late_91": invoice(ago(91), buyer_email="accounts@acme.example", company_name="Acme"),
            "no_due_date": invoice(None),
            "usd": invoice(TODAY + timedelta(days=10), ticket, usd),
            # Not open invoices: paid, cancelled, deleted, not on invoice.
            "paid": make_order(session, eur, [(badge, 1)], status="paid", payment_mode="invoice", due_date=ago(40)),
            "cancelled": make_order(
                session, eur, [(badge, 1)], status="cancelled", payment_mode="invoice", due_date=ago(40)
            ),
            "deleted": invoice(ago(40), deleted_at=datetime.now(UTC)),
            "online": make_order(session, eur, [(badge, 1)], status="cart_incomplete", payment_mode="undefined"),
        }
        session.execute(
            update(Order)
            .where(Order.id == orders["part_paid"].id)
            .values(amount_paid=D("20.00"), payment_state="partially_paid")
        )
        return {name: order.number for name, order in orders.items()}, usd.id


def test_ageing_by_due_date_per_currency(engine, book):
    ages = receivables_by_due_date(engine, FILTERS, principal=EVERYONE)
    assert [tuple(r) for r in ages.itertuples(index=False)] == [
        ("not_due", "EUR", 3, D("360.00")),
        ("1-30", "EUR", 3, D("340.00")),
        ("31-60", "EUR", 1, D("120.00")),
        ("61-90", "EUR", 1, D("120.00")),
        (">90", "EUR", 1, D("120.00")),
        ("no_due_date", "EUR", 1, D("120.00")),
        ("not_due", "USD", 1, D("55.00")),
    ]


def test_the_event_filter_keeps_its_currency_only(engine, book):
    _numbers, usd = book
    filters = DashboardFilters((usd,), date(2026, 11, 1), TODAY, "day", TODAY)
    assert [tuple(r) for r in receivables_by_due_date(engine, filters, principal=EVERYONE).itertuples(index=False)] == [
        ("not_due", "USD", 1, D("55.00"))
    ]
    assert list(expected_cash(engine, filters, principal=EVERYONE)["currency"]) == ["USD"]


def test_the_buyers_who_owe_most_come_first_per_currency(engine, book):
    debtors = top_debtors(engine, FILTERS, principal=EVERYONE)
    eur = debtors[debtors["currency"] == "EUR"]
    assert len(eur) == 9  # ten open EUR invoices, two of them Acme's (one email, two spellings)
    first = eur.iloc[0]
    assert (first["company"], first["email"], first["orders"], first["amount_due"], first["oldest_due"]) == (
        "Acme",
        "accounts@acme.example",
        2,
        D("240.00"),
        ago(91),
    )
    assert first["link"] == "/orders?mode=invoice&paystate=unpaid%2Cpartially_paid&q=accounts%40acme.example"
    assert eur.iloc[-1]["amount_due"] == D("100.00")
    assert list(debtors[debtors["currency"] == "USD"]["amount_due"]) == [D("55.00")]
    limited = top_debtors(engine, FILTERS, limit=2, principal=EVERYONE)
    assert list(limited["currency"]) == ["EUR", "EUR", "USD"]


def test_expected_cash_per_week_keeps_overdue_apart(engine, book):
    cash = expected_cash(engine, FILTERS, principal=EVERYONE)
    assert [tuple(r) for r in cash.itertuples(index=False)] == [
        ("overdue", None, "EUR", 6, D("700.00")),
        ("2026-11-16", date(2026, 11, 16), "EUR", 1, D("120.00")),
        ("2026-11-23", date(2026, 11, 23), "EUR", 1, D("120.00")),
        ("2026-11-30", date(2026, 11, 30), "USD", 1, D("55.00")),
        ("later", None, "EUR", 1, D("120.00")),
    ]


def test_nothing_open_gives_empty_tables(engine):
    assert receivables_by_due_date(engine, FILTERS, principal=EVERYONE).empty
    assert top_debtors(engine, FILTERS, principal=EVERYONE).empty
    assert expected_cash(engine, FILTERS, principal=EVERYONE).empty


def test_every_event_from_the_summary_ranks_as_the_open_invoices_of_each_event(engine, book):
    """All events: read from dash_debtor_facts; an event filter naming them all: grouped from
    the open invoices. Both rankings are the same, and both follow a payment."""
    numbers, usd = book
    with engine.connect() as conn:
        events = sorted({e for (e,) in conn.execute(select(Order.event_id))})
    every = DashboardFilters(tuple(events), date(2026, 11, 1), TODAY, "day", TODAY)

    def ranking(filters):
        return [tuple(r) for r in top_debtors(engine, filters, principal=EVERYONE).itertuples(index=False)]

    assert ranking(FILTERS) == ranking(every)
    assert ranking(FILTERS)[0][1:7] == ("Ada Lovelace", "Acme", "accounts@acme.example", 2, D("240.00"), ago(91))
    with unit_of_work(engine) as session:  # Acme's older invoice is paid: it owes one invoice now
        session.execute(
            update(Order)
            .where(Order.number == numbers["late_91"])
            .values(amount_paid=D("120.00"), payment_state="paid", status="paid")
        )
    after = ranking(FILTERS)
    assert after == ranking(every)
    acme = [row for row in after if row[2] == "Acme"]
    assert [row[4:7] for row in acme] == [(1, D("120.00"), ago(61))]
