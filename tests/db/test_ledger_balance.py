"""Issue 20, the balance rule: money handed back deliberately is not a balance the buyer owes.
Balance due = total - sum of payments (when positive); refund due = amount kept - total (when
positive). A paid order partly refunded (without cancelling) owes nothing: no "Balance due",
no "Record payment", not in the pending list or the receivables, and no payment can be recorded
on it. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders_core.db import unit_of_work
from orders_core.errors import TransitionRefused
from orders_core.order_rules import Action, actions_for
from orders_core.payment_state import payment_state
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from orders_core.services.refunds import record_refund
from queries.dashboards import DashboardFilters, finance
from queries.grid import GridFilters, grid_page
from queries.order_detail import order_facts
from queries.pending import pending_invoice_orders, pending_totals
from tests.factories import EVERYONE, make_event, make_order, make_tariff

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

D = Decimal
FINANCE = Actor("fin@example.org", "finance")
TODAY = datetime.now(UTC).date()


def refund(engine, order_id, amount, **kwargs):
    with unit_of_work(engine) as session:
        return record_refund(
            session,
            actor=FINANCE,
            order_id=order_id,
            amount=amount,
            method="bank_transfer",
            refunded_at=TODAY,
            reason="Goodwill gesture",
            **kwargs,
        )


@pytest.fixture
def refunded(engine) -> tuple[int, int]:
    """A paid order of one badge at 100.00 + 20 % (120.00), 30.00 of it refunded, not cancelled."""
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        badge = make_tariff(session, event, unit_price_ht=D("100.00"), tax_rate=D("20"))
        order = make_order(session, event, [(badge, 1)], status="paid", source="organizer", paid_method="card")
        ids = order.id, order.number
    refund(engine, ids[0], "30.00")
    return ids


def test_a_partial_refund_leaves_no_balance_due_and_no_record_payment(engine, refunded):
    order_id, number = refunded
    facts = order_facts(engine, number=number, principal=EVERY_EVENT)
    assert (facts.amount_paid, facts.payments, facts.balance_due, facts.refund_due) == (
        D("90.00"),
        D("120.00"),
        D("0.00"),
        D("0.00"),
    )
    for role in ("finance", "admin", "event_manager"):
        actions = actions_for(facts, role)
        assert not actions.can(Action.RECORD_PAYMENT) and not actions.owes_after_added_tickets
        assert actions.why_not[Action.RECORD_PAYMENT] == f"Order {number} owes nothing."


def test_no_payment_can_be_recorded_against_money_handed_back(engine, refunded):
    order_id, number = refunded
    with pytest.raises(TransitionRefused, match="owes nothing"), unit_of_work(engine) as session:
        confirm_payment(
            session, actor=FINANCE, order_id=order_id, amount="30.00", method="bank_transfer", received_at=TODAY
        )


def test_a_partly_refunded_order_is_not_a_receivable(engine, refunded):
    order_id, number = refunded
    assert number not in set(pending_invoice_orders(engine, principal=EVERY_EVENT)["number"])
    assert pending_totals(engine, principal=EVERY_EVENT).empty
    assert number not in set(finance.oldest_receivables(engine, DashboardFilters(), principal=EVERYONE)["number"])


def test_the_grid_shows_no_balance_due_for_a_refund(engine, refunded):
    order_id, number = refunded
    page = grid_page(engine, GridFilters(), page_size=10, principal=EVERY_EVENT)
    row = page[page["number"] == number].iloc[0]
    assert (row["amount_paid"], row["balance_due"]) == (D("90.00"), D("0.00"))


def test_a_refund_on_a_part_payment_leaves_the_balance_of_the_payments(engine):
    """An invoice order of 240.00 paid 100.00, then 20.00 handed back: it still owes 140.00 (its
    payments' shortfall), is partially paid, and is listed as owing exactly that."""
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        badge = make_tariff(session, event, unit_price_ht=D("100.00"), tax_rate=D("20"))
        order = make_order(session, event, [(badge, 2)])
        order_id, number = order.id, order.number
    with unit_of_work(engine) as session:
        confirm_payment(
            session, actor=FINANCE, order_id=order_id, amount="100.00", method="bank_transfer", received_at=TODAY
        )
    outcome = refund(engine, order_id, "20.00")
    assert outcome.payment_state == "partially_paid"
    facts = order_facts(engine, number=number, principal=EVERY_EVENT)
    assert (facts.amount_paid, facts.balance_due) == (D("80.00"), D("140.00"))
    pending = pending_invoice_orders(engine, principal=EVERY_EVENT)
    assert list(pending.loc[pending["number"] == number, "balance_due"]) == [D("140.00")]
    assert list(pending_totals(engine, principal=EVERY_EVENT)["balance_due"]) == [D("140.00")]


def test_an_overpaid_order_shows_a_refund_due_not_a_negative_balance():
    assert payment_state(total=D("100.00"), paid=D("130.00"), refunded=D("0"), status="paid") == "overpaid"
    from orders_core.order_rules import OrderFacts

    facts = OrderFacts(1, "paid", "invoice", "online", "EUR", D("100.00"), D("130.00"))
    assert (facts.balance_due, facts.refund_due) == (D("0.00"), D("30.00"))
