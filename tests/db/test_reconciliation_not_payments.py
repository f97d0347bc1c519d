"""Issue 16: outgoing (debit) and zero-amount lines are never proposed as payments, anywhere:
not by the ranked suggestions, not by the bulk confirmation's plan, not by the manual "assign
to an order" path. A statement naming one open order three times (a transfer, a refund paid out
and a zero line), imported like the page does, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput
from orders_core.models import BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.bulk_plan import plan_decided
from orders_core.reconciliation.proposals import suggestions
from orders_core.reconciliation.service import confirm_match, import_statement
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
STATEMENT = (
    "Date;Montant;Devise;Donneur d'ordre;Communication;Identifiant\n"
    "04/11/2026;120,00;EUR;Zoé Lefèvre;CMD 3000001;N-1\n"
    "05/11/2026;-120,00;EUR;Zoé Lefèvre;CMD 3000001;N-2\n"
    "06/11/2026;0,00;EUR;Zoé Lefèvre;CMD 3000001;N-3\n"
).encode()


@pytest.fixture
def statement(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event, unit_price_ht=Decimal("120.00"), tax_rate=Decimal("0"))
        make_order(
            session,
            event,
            [(tariff, 1)],
            number=3000001,
            buyer_first_name="Zoé",
            buyer_last_name="Lefèvre",
            status="awaiting_payment",
            payment_mode="invoice",
        )
    with unit_of_work(engine) as session:
        statement_id = import_statement(session, actor=FINANCE, filename="n.csv", content=STATEMENT).statement_id
    with unit_of_work(engine) as session:
        lines = {
            t.line_number: t.id
            for t in session.scalars(select(BankTransaction).where(BankTransaction.statement_id == statement_id))
        }
        order_id = session.scalars(select(Order.id).where(Order.number == 3000001)).one()
    return engine, statement_id, lines, order_id


def test_suggestions_leave_out_outgoing_and_zero_lines(statement):
    engine, _statement_id, lines, _order_id = statement
    with unit_of_work(engine) as session:
        ranked = suggestions(
            session, list(session.scalars(select(BankTransaction).order_by(BankTransaction.id))), principal=FINANCE
        )
        best = {line: [s.order_numbers for s in ranked.get(tid, [])][:1] for line, tid in lines.items()}
    assert best == {2: [(3000001,)], 3: [], 4: []}


def test_the_bulk_plan_holds_only_the_incoming_line(statement):
    engine, statement_id, lines, order_id = statement
    with unit_of_work(engine) as session:
        plan = plan_decided(session, statement_id, principal=FINANCE)
    assert [(tid, pairs) for tid, _line, _cur, pairs in plan.items] == [(lines[2], [(order_id, Decimal("120.00"))])]


@pytest.mark.parametrize(
    "line,message",
    [
        (3, "This line is money paid out: it cannot pay an order."),
        (4, "This line has a zero amount: it cannot pay an order."),
    ],
)
def test_assigning_an_outgoing_or_zero_line_by_hand_is_refused(statement, line, message):
    engine, _statement_id, lines, order_id = statement
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        confirm_match(session, actor=FINANCE, transaction_id=lines[line], allocations=[(order_id, Decimal("1.00"))])
    assert str(refused.value) == message
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.status, order.amount_paid) == ("awaiting_payment", Decimal("0.00"))
