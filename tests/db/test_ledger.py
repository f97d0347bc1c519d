"""One money ledger (issue 20): payments and refunds are rows, the order's amount paid and payment
state follow them, an order becomes paid once. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import Attendee, Order, OrderHistory, OutboxEmail, Payment, Refund
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from orders_core.services.refunds import record_refund
from tests.factories import EVERYONE, make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")
MANAGER = Actor("manager@example.org", "event_manager")
TODAY = datetime.now(UTC).date()
EARLIER = TODAY - timedelta(days=6)


def an_order(engine, status="awaiting_payment", **overrides) -> int:
    """An order of two tickets at 120.00 (240.00 in all), two holders."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        return make_order(session, event, [(make_tariff(session, event), 2)], status=status, **overrides).id


def pay(engine, order_id, amount, **kwargs):
    args = dict(actor=FINANCE, order_id=order_id, method="bank_transfer", amount=amount, received_at=TODAY)
    args.update(kwargs)
    with unit_of_work(engine) as session:
        return confirm_payment(session, **args)


def refund(engine, order_id, amount, **kwargs):
    args = dict(
        actor=FINANCE,
        order_id=order_id,
        amount=amount,
        method="bank_transfer",
        refunded_at=TODAY,
        reason="The buyer cannot come",
    )
    args.update(kwargs)
    with unit_of_work(engine) as session:
        return record_refund(session, **args)


def order_row(engine, order_id):
    with engine.connect() as conn:
        return conn.execute(select(Order.__table__).where(Order.id == order_id)).one()


def count(engine, model, order_id) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(model.order_id == order_id)).scalar()


def test_an_order_paid_in_two_payments_becomes_paid_once_on_the_day_the_last_money_arrived(engine):
    order_id = an_order(engine)
    first = pay(engine, order_id, "100.00", received_at=EARLIER, reference="VIR 1")
    assert (first.became_paid, first.balance_due, first.payment_state) == (False, Decimal("140.00"), "partially_paid")
    assert order_row(engine, order_id).status == "awaiting_payment"
    assert count(engine, Attendee, order_id) == 0 and count(engine, OutboxEmail, order_id) == 0
    last = pay(engine, order_id, "140.00", received_at=TODAY - timedelta(days=2), reference="VIR 2")
    assert (last.became_paid, last.balance_due, last.payment_state, last.attendees) == (True, 0, "paid", 2)
    row = order_row(engine, order_id)
    assert (row.status, row.payment_state, Decimal(str(row.amount_paid))) == ("paid", "paid", Decimal("240.00"))
    assert row.paid_at.date() == TODAY - timedelta(days=2)
    assert count(engine, Attendee, order_id) == 2 and count(engine, OutboxEmail, order_id) == 1
    with engine.connect() as conn:
        purposes = conn.execute(select(Payment.purpose).where(Payment.order_id == order_id).order_by(Payment.id))
        assert purposes.scalars().all() == ["payment", "settlement"]
        details = conn.execute(
            select(OrderHistory.details).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id.desc())
        ).scalar()
    assert details["balance_due"] == {"old": "140.00", "new": "0.00"}
    assert details["payment_state"] == {"old": "partially_paid", "new": "paid"}
    assert details["status"] == {"old": "awaiting_payment", "new": "paid"}
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_a_double_click_records_the_payment_once(engine):
    order_id = an_order(engine)
    first = pay(engine, order_id, "240.00", reference="VIR 77")
    again = pay(engine, order_id, "240.00", reference="VIR 77")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert count(engine, Payment, order_id) == 1 and count(engine, OutboxEmail, order_id) == 1
    assert count(engine, Attendee, order_id) == 2


def test_an_overpayment_is_refused_unless_allowed_and_then_flagged_for_a_refund(engine):
    order_id = an_order(engine)
    with pytest.raises(InvalidInput, match="more than the balance due"):
        pay(engine, order_id, "250.00")
    assert count(engine, Payment, order_id) == 0
    outcome = pay(engine, order_id, "250.00", allow_overpayment=True)
    assert (outcome.became_paid, outcome.payment_state, outcome.balance_due) == (True, "overpaid", Decimal("-10.00"))
    back = refund(engine, order_id, "10.00", reason="Paid 10.00 too much")
    assert (back.payment_state, back.amount_paid, back.balance_due) == ("paid", Decimal("240.00"), 0)


def test_a_partial_refund_leaves_the_order_paid_and_partially_refunded(engine):
    order_id = an_order(engine, status="paid")
    outcome = refund(engine, order_id, "40.00", reference="VIR-R 1")
    assert (outcome.payment_state, outcome.amount_paid, outcome.cancelled) == (
        "partially_refunded",
        Decimal("200.00"),
        False,
    )
    row = order_row(engine, order_id)
    assert (row.status, row.payment_state, Decimal(str(row.amount_paid))) == ("paid", "partially_refunded", 200)
    with engine.connect() as conn:
        stored = conn.execute(select(Refund.__table__).where(Refund.order_id == order_id)).one()
        entry = conn.execute(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "refunded")
        ).one()
    assert (Decimal(str(stored.amount)), stored.currency, stored.reason, stored.recorded_by) == (
        Decimal("40.00"),
        "EUR",
        "The buyer cannot come",
        FINANCE.email,
    )
    assert entry.details["amount_paid"] == {"old": "240.00", "new": "200.00"}
    assert entry.reason == "The buyer cannot come"
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_a_full_refund_can_cancel_the_order_mark_its_attendees_and_email_the_buyer(engine):
    order_id = an_order(engine, status="paid")
    outcome = refund(engine, order_id, "240.00", cancel_order=True, send_email=True)
    assert (outcome.payment_state, outcome.amount_paid, outcome.cancelled, outcome.email_queued) == (
        "refunded",
        0,
        True,
        True,
    )
    row = order_row(engine, order_id)
    assert (row.status, row.payment_state) == ("cancelled", "refunded")
    with engine.connect() as conn:
        cancelled = conn.execute(select(Attendee.cancelled_at).where(Attendee.order_id == order_id)).scalars().all()
        kinds = conn.execute(select(OutboxEmail.kind).where(OutboxEmail.order_id == order_id)).scalars().all()
    assert len(cancelled) == 2 and all(at is not None for at in cancelled)
    assert sorted(kinds) == ["order_confirmation", "refund"]
    with engine.connect() as conn:
        assert check_database(conn) == []


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"amount": "-5"}, InvalidInput, "more than zero"),
        ({"amount": "1.234"}, InvalidInput, "more than two decimals"),
        ({"amount": "240.01"}, InvalidInput, "more than order"),
        ({"currency": "USD"}, InvalidInput, "in EUR: a refund in USD"),
        ({"order_id": 999999}, InvalidInput, "Unknown order id"),
        ({"reason": "  "}, InvalidInput, "reason is required"),
        ({"refunded_at": TODAY + timedelta(days=3)}, InvalidInput, "in the future"),
        ({"method": "online"}, InvalidInput, "not a payment method"),
    ],
)
def test_a_bad_refund_is_refused_with_a_clear_message_and_nothing_written(engine, change, error, message):
    order_id = an_order(engine, status="paid")
    before = order_row(engine, order_id)
    args = {"order_id": order_id, "amount": "20.00", **change}
    with pytest.raises(error, match=message):
        refund(engine, args.pop("order_id"), args.pop("amount"), **args)
    assert count(engine, Refund, order_id) == 0
    assert order_row(engine, order_id).version == before.version


def test_an_unpaid_order_has_nothing_to_refund(engine):
    order_id = an_order(engine)
    with pytest.raises(TransitionRefused, match="received no payment"):
        refund(engine, order_id, "10.00")
    assert count(engine, Refund, order_id) == 0


@pytest.mark.parametrize("role", ["event_manager", "marketer"])
def test_only_finance_and_admin_record_refunds(engine, role):
    order_id = an_order(engine, status="paid")
    with pytest.raises(NotAllowed):
        refund(engine, order_id, "10.00", actor=Actor("someone@example.org", role))
    assert count(engine, Refund, order_id) == 0


def test_a_marketer_confirms_no_payment(engine):
    order_id = an_order(engine)
    with pytest.raises(NotAllowed):
        pay(engine, order_id, "10.00", actor=Actor("m@example.org", "marketer"))
    assert count(engine, Payment, order_id) == 0


def test_the_wizards_paid_offline_goes_through_the_ledger_with_its_settlement_and_email(engine):
    from orders_core.services.order_creation import create_order

    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        order = create_order(
            session,
            actor=MANAGER,
            event_id=event.id,
            quantities={tariff.id: 1},
            buyer={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"},
            holders=[{"first_name": "Ada", "last_name": "Lovelace", "email": ""}],
            payment={
                "mode": "paid_offline",
                "method": "cash",
                "received_at": datetime.combine(date.today(), datetime.min.time(), tzinfo=UTC),
            },
        )
        order_id = order.id
    row = order_row(engine, order_id)
    assert (row.status, row.payment_state) == ("paid", "paid")
    with engine.connect() as conn:
        payment = conn.execute(select(Payment.method, Payment.purpose).where(Payment.order_id == order_id)).one()
    assert tuple(payment) == ("cash", "settlement")
    assert count(engine, OutboxEmail, order_id) == 1 and count(engine, Attendee, order_id) == 1


def test_the_finance_dashboard_shows_refunds_per_method_and_what_was_received_net_of_them(engine):
    from queries.dashboards.filters import DashboardFilters
    from queries.dashboards.finance import payments_by_method
    from queries.dashboards.refunds import net_received, refunds_by_method

    order_id = an_order(engine, status="paid")  # 240.00 by bank transfer
    refund(engine, order_id, "40.00", method="cheque")
    filters = DashboardFilters(start=TODAY - timedelta(days=30), end=TODAY, today=TODAY)
    refunds = refunds_by_method(engine, filters, principal=EVERYONE)
    assert [tuple(r) for r in refunds.itertuples(index=False)] == [("cheque", "EUR", 1, Decimal("40.00"))]
    net = net_received(payments_by_method(engine, filters, principal=EVERYONE), refunds)
    assert [tuple(r) for r in net.itertuples(index=False)] == [
        ("EUR", Decimal("240.00"), Decimal("40.00"), Decimal("200.00"))
    ]


def test_refunding_the_excess_of_a_selection_dry_runs_then_refunds_only_overpaid_orders(engine):
    from orders_core.services.refunds import refund_excess

    overpaid = an_order(engine)
    pay(engine, overpaid, "255.50", allow_overpayment=True)
    exact = an_order(engine, status="paid")
    args = dict(actor=FINANCE, order_ids=[overpaid, exact], method="bank_transfer", refunded_at=TODAY, reason="Excess")
    with unit_of_work(engine) as session:
        dry = refund_excess(session, dry_run=True, **args)
    assert dry.amounts == {"EUR": Decimal("15.50")} and len(dry.skipped) == 1
    assert count(engine, Refund, overpaid) == 0  # the dry run wrote nothing
    with unit_of_work(engine) as session:
        done = refund_excess(session, **args)
    assert done.amounts == dry.amounts and done.skipped == dry.skipped
    assert (order_row(engine, overpaid).payment_state, order_row(engine, exact).payment_state) == ("paid", "paid")
    assert count(engine, Refund, overpaid) == 1 and count(engine, Refund, exact) == 0
