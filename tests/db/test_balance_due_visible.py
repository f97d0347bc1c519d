"""Issue 20: an order owing a balance is visible to finance, not only on its page: a paid
organiser order after added tickets, and an invoice order paid in part, appear in the pending
list (with totals per currency) and in the receivables by age; a partly paid order that was
cancelled, or a deleted one, does not. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from orders_core.services.lifecycle import cancel_orders
from orders_core.services.order_changes import add_tickets, record_balance_payment
from queries.dashboards import DashboardFilters, finance
from queries.pending import pending_events, pending_invoice_orders, pending_totals
from tests.factories import EVERYONE, NOW, make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

D = Decimal
MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")


@pytest.fixture
def orders(engine) -> dict[str, tuple[int, int]]:
    """EUR badges at 100.00 HT + 20 % (120.00 TTC): `balance` is a paid organiser order with one
    badge added 5 days after its creation 40 days ago; `part` an invoice order of two badges with
    100.00 paid; `waiting` an invoice order of one badge; `paid` is settled; `cancelled` was paid
    in part then cancelled."""
    created = NOW - timedelta(days=40)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Balance Fair", currency="EUR")
        badge = make_tariff(session, event, unit_price_ht=D("100.00"), tax_rate=D("20"))
        balance = make_order(
            session, event, [(badge, 1)], status="paid", source="organizer", paid_method="card", created_at=created
        )
        part = make_order(session, event, [(badge, 2)], created_at=NOW - timedelta(days=20))
        waiting = make_order(session, event, [(badge, 1)], created_at=NOW - timedelta(days=3))
        paid = make_order(session, event, [(badge, 1)], status="paid")
        cancelled = make_order(session, event, [(badge, 1)], created_at=NOW - timedelta(days=2))
        made = {"balance": balance, "part": part, "waiting": waiting, "paid": paid, "cancelled": cancelled}
        ids = {name: (order.id, order.number) for name, order in made.items()}
        event_id = event.id
        badge_id = badge.id
    with unit_of_work(engine) as session:
        add_tickets(
            session,
            actor=MANAGER,
            order_id=ids["balance"][0],
            tariff_id=badge_id,
            quantity=1,
            reason_note="A colleague joins",
            holders=[{"first_name": "Grace", "last_name": "Hopper"}],
        )
    for name in ("part", "cancelled"):
        with unit_of_work(engine) as session:
            confirm_payment(
                session,
                actor=FINANCE,
                order_id=ids[name][0],
                amount=D("100.00"),
                method="bank_transfer",
                received_at=datetime.now(UTC) - timedelta(days=1),
            )
    with unit_of_work(engine) as session:
        cancel_orders(session, actor=FINANCE, order_ids=[ids["cancelled"][0]], reason="Buyer withdrew")
    return {**ids, "event": (event_id, 0)}


def test_the_pending_list_shows_a_balance_due_after_added_tickets_and_a_part_payment(engine, orders):
    df = pending_invoice_orders(engine, principal=EVERY_EVENT)
    rows = {r.number: (r.status, r.payment_state, r.total_ttc, r.amount_paid, r.balance_due) for r in df.itertuples()}
    assert rows == {
        orders["balance"][1]: ("paid", "partially_paid", D("240.00"), D("120.00"), D("120.00")),
        orders["part"][1]: ("awaiting_payment", "partially_paid", D("240.00"), D("100.00"), D("140.00")),
        orders["waiting"][1]: ("awaiting_payment", "unpaid", D("120.00"), D("0.00"), D("120.00")),
    }
    assert list(df["number"]) == [orders[n][1] for n in ("balance", "part", "waiting")]  # oldest first
    totals = pending_totals(engine, principal=EVERY_EVENT)
    assert [(r.currency, r.orders, r.balance_due) for r in totals.itertuples()] == [("EUR", 3, D("380.00"))]
    assert pending_events(engine, principal=EVERY_EVENT) == [(orders["event"][0], "Balance Fair")]


def test_the_receivables_age_a_balance_due_with_the_invoices(engine, orders):
    filters = DashboardFilters(today=NOW.date())
    ages = finance.receivables_by_age(engine, filters, principal=EVERYONE)
    assert [(r.bucket, r.currency, r.orders, r.amount_due) for r in ages.itertuples()] == [
        ("0-15", "EUR", 1, D("120.00")),
        ("16-30", "EUR", 1, D("140.00")),
        ("31-60", "EUR", 1, D("120.00")),
    ]
    oldest = finance.oldest_receivables(engine, filters, principal=EVERYONE)
    assert list(oldest["number"]) == [orders[n][1] for n in ("balance", "part", "waiting")]
    assert list(oldest["amount_due"]) == [D("120.00"), D("140.00"), D("120.00")]


def test_a_settled_balance_leaves_the_pending_list_and_the_receivables(engine, orders):
    with unit_of_work(engine) as session:
        record_balance_payment(session, actor=FINANCE, order_id=orders["balance"][0], method="cheque", amount="120.00")
    assert orders["balance"][1] not in set(pending_invoice_orders(engine, principal=EVERY_EVENT)["number"])
    ages = finance.receivables_by_age(engine, DashboardFilters(today=NOW.date()), principal=EVERYONE)
    assert "31-60" not in set(ages["bucket"])


def test_the_reconciliation_balance_due_counts_a_balance_after_added_tickets(engine, orders):
    filters = DashboardFilters(start=(NOW - timedelta(days=60)).date(), end=NOW.date(), today=NOW.date())
    eur = finance.reconciliation(engine, filters, principal=EVERYONE).set_index("currency").loc["EUR"]
    assert (eur["billed_orders"], eur["billed_ttc"], eur["paid_on_billed"], eur["balance_due"]) == (
        4,
        D("720.00"),
        D("340.00"),
        D("380.00"),
    )
