"""Issue 16: acting on the stored classifications, on SQLite and PostgreSQL: confirming one
line's proposal, settling an outgoing line against a refund (matched, or recorded through the
ledger), and the bulk confirmation of decided matches with its dry run and report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed, TransitionRefused
from orders_core.models import (
    BankLineClassification,
    BankRefundAllocation,
    BankTransaction,
    Order,
    OrderHistory,
    Payment,
    Refund,
)
from orders_core.permissions import Actor
from orders_core.reconciliation.classes import summary
from orders_core.reconciliation.decisions import confirm_decided, confirm_line, confirm_refund_line, plan_decided
from orders_core.reconciliation.service import import_statement
from orders_core.services.ledger import confirm_payment
from tests.db import test_reconciliation_classes as classes
from tests.db.test_reconciliation_classes import FINANCE, FIXTURES, imported, stored_lines

D = Decimal
world = classes.world  # the orders of every classification fixture
MIXED = (
    (FIXTURES / "matched.csv").read_bytes()
    + b"03/11/2026;120,00;EUR;Jean Dupont;CMD 2000004;B-104\n"
    + b"03/11/2026;100,00;EUR;Paul Martin;CMD 2000002;B-102\n"
    + b"03/11/2026;120,00;CHF;Anna Meier;CMD 2000006;B-106\n"
)


def line_id(engine, statement_id: int, line: int = 2) -> int:
    with unit_of_work(engine) as session:
        return session.scalars(
            select(BankTransaction.id).where(
                BankTransaction.statement_id == statement_id, BankTransaction.line_number == line
            )
        ).one()


def order_of(engine, number: int) -> tuple[str, Decimal, int, int]:
    """(status, amount paid, payments, refunds) of the order."""
    with unit_of_work(engine) as session:
        o = session.scalars(select(Order).where(Order.number == number)).one()
        payments = session.scalar(select(func.count()).where(Payment.order_id == o.id))
        refunds = session.scalar(select(func.count()).where(Refund.order_id == o.id))
        return o.status.value, D(str(o.amount_paid)), payments or 0, refunds or 0


def stored(engine, transaction_id: int) -> tuple[str, str]:
    with unit_of_work(engine) as session:
        row = session.get_one(BankLineClassification, transaction_id)
        return row.classification.value, summary(row.reason)


def test_confirming_a_matched_line_pays_the_order_and_restates_the_line(world):
    transaction_id = line_id(world, imported(world, "matched.csv"))
    with unit_of_work(world) as session:
        confirm_line(session, actor=FINANCE, transaction_id=transaction_id)
    assert order_of(world, 2000001) == ("paid", D("120.00"), 1, 0)
    assert stored(world, transaction_id) == ("matched", "Recorded as a payment of €120.00 on order 2000001")


def test_a_line_naming_a_paid_order_cannot_be_confirmed_and_nothing_is_written(world):
    transaction_id = line_id(world, imported(world, "already_paid.csv"))
    with pytest.raises(TransitionRefused) as refused, unit_of_work(world) as session:
        confirm_line(session, actor=FINANCE, transaction_id=transaction_id)
    assert refused.value.message == "Line 2 proposes no payment: assign it by hand or ignore it."
    assert order_of(world, 2000004) == ("paid", D("120.00"), 1, 0)


def test_an_outgoing_line_is_matched_to_the_recorded_refund_with_history(world):
    statement_id = stored_lines(
        world, [dict(booked_on=date(2026, 11, 6), amount=D("20.00"), direction="debit", reference="Remb 2000007")]
    )
    transaction_id = line_id(world, statement_id)
    with unit_of_work(world) as session:
        outcome = confirm_refund_line(session, actor=FINANCE, transaction_id=transaction_id)
    assert (outcome.order_number, outcome.amount, outcome.recorded) == (2000007, D("20.00"), False)
    assert order_of(world, 2000007) == ("paid", D("100.00"), 1, 1)  # no second refund
    with unit_of_work(world) as session:
        allocation = session.scalars(select(BankRefundAllocation)).one()
        assert (allocation.transaction_id, D(str(allocation.amount))) == (transaction_id, D("20.00"))
        actions = session.scalars(select(OrderHistory.action).order_by(OrderHistory.id.desc()).limit(1)).all()
        assert actions == ["bank_refund_matched"]
        assert session.get_one(BankTransaction, transaction_id).status.value == "matched"
    assert stored(world, transaction_id) == (
        "refund",
        "Matched to the refund of €20.00 recorded on order 2000007 on 5 Nov 2026",
    )
    with pytest.raises(TransitionRefused), unit_of_work(world) as session:
        confirm_refund_line(session, actor=FINANCE, transaction_id=transaction_id)


def test_an_outgoing_line_records_the_proposed_refund_through_the_ledger(world):
    statement_id = stored_lines(
        world, [dict(booked_on=date(2026, 11, 6), amount=D("30.00"), direction="debit", reference="Remb 2000004")]
    )
    transaction_id = line_id(world, statement_id)
    with unit_of_work(world) as session:
        outcome = confirm_refund_line(session, actor=FINANCE, transaction_id=transaction_id)
    assert (outcome.order_number, outcome.amount, outcome.recorded) == (2000004, D("30.00"), True)
    assert order_of(world, 2000004) == ("paid", D("90.00"), 1, 1)
    with unit_of_work(world) as session:
        refund = session.scalars(select(Refund).order_by(Refund.id.desc()).limit(1)).one()
        assert (refund.method.value, D(str(refund.amount)), refund.reason) == (
            "bank_transfer",
            D("30.00"),
            f"Refund paid by bank transfer (statement #{statement_id}, line 2)",
        )
    assert stored(world, transaction_id)[0] == "refund"


def test_an_event_manager_cannot_settle_an_outgoing_line(world):
    statement_id = stored_lines(
        world, [dict(booked_on=date(2026, 11, 6), amount=D("30.00"), direction="debit", reference="Remb 2000004")]
    )
    with pytest.raises(NotAllowed), unit_of_work(world) as session:
        confirm_refund_line(
            session, actor=Actor("em@example.org", "event_manager"), transaction_id=line_id(world, statement_id)
        )


def test_the_bulk_dry_run_lists_only_decided_matches_and_writes_nothing(world):
    with unit_of_work(world) as session:
        statement_id = import_statement(session, actor=FINANCE, filename="m.csv", content=MIXED).statement_id
    with unit_of_work(world) as session:
        plan = confirm_decided(session, actor=FINANCE, statement_id=statement_id, dry_run=True)
    assert (plan.dry_run, plan.lines, plan.orders, plan.amounts) == (True, 1, 1, {"EUR": D("120.00")})
    assert [line for _t, line, _c, _p in plan.items] == [2]
    assert order_of(world, 2000001) == ("awaiting_payment", D("0.00"), 0, 0)


def test_confirming_decided_matches_pays_them_and_reports_it(world):
    with unit_of_work(world) as session:
        statement_id = import_statement(session, actor=FINANCE, filename="m.csv", content=MIXED).statement_id
    with unit_of_work(world) as session:
        report = confirm_decided(session, actor=FINANCE, statement_id=statement_id)
    assert (report.dry_run, report.lines, report.orders, report.amounts, report.skipped) == (
        False,
        1,
        1,
        {"EUR": D("120.00")},
        [],
    )
    assert order_of(world, 2000001) == ("paid", D("120.00"), 1, 0)
    assert order_of(world, 2000004) == ("paid", D("120.00"), 1, 0)  # the already-paid line paid nothing
    assert order_of(world, 2000002) == ("awaiting_payment", D("0.00"), 0, 0)  # partial: a person decides
    assert order_of(world, 2000006) == ("awaiting_payment", D("0.00"), 0, 0)  # CHF for a EUR order
    with unit_of_work(world) as session:
        assert plan_decided(session, statement_id, principal=FINANCE).lines == 0  # nothing left to confirm


def test_a_decided_line_whose_order_was_paid_since_is_skipped_and_reported(world):
    statement_id = imported(world, "matched.csv")
    with unit_of_work(world) as session:
        order_id = session.scalars(select(Order.id).where(Order.number == 2000001)).one()
        confirm_payment(
            session,
            actor=FINANCE,
            order_id=order_id,
            amount="120.00",
            method="cheque",
            received_at=date(2026, 11, 2),
            reference="CHQ 1",
        )
    with unit_of_work(world) as session:
        report = confirm_decided(session, actor=FINANCE, statement_id=statement_id)
    assert (report.lines, report.skipped) == (
        0,
        [(2, "Order 2000001 is “Payment validated” and owes nothing: no payment can be recorded.")],
    )
    assert order_of(world, 2000001) == ("paid", D("120.00"), 1, 0)


def test_a_marketer_cannot_confirm_in_bulk(world):
    statement_id = imported(world, "matched.csv")
    with pytest.raises(NotAllowed), unit_of_work(world) as session:
        confirm_decided(session, actor=Actor("m@example.org", "marketer"), statement_id=statement_id)
