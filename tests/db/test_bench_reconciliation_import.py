"""The scale bench of issue 16 (bench/reconciliation_import.py) imports and classifies the mix the
issue names: its statement, made from open orders, parses without error and classifies into
every case it is meant to exercise (exact numbers, look-alikes, name + amount, partial payments,
strangers, outgoing and zero lines), through the page's import path, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select

from bench.reconciliation_import import statement
from orders_core.db import unit_of_work
from orders_core.models import BankLineClassification, BankTransaction
from orders_core.permissions import Actor
from orders_core.reconciliation.service import import_statement
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
NAMES = [("Zoé", "Lefèvre"), ("Paul", "Martin"), ("Hans", "Müller"), ("Léa", "Petit"), ("Jean", "Dupont")]


def test_the_bench_statement_imports_and_classifies_every_case(engine):
    orders = []
    with unit_of_work(engine) as session:
        event = make_event(session)
        for i, (first, last) in enumerate(NAMES):
            price = Decimal(100 + 17 * i)
            tariff = make_tariff(session, event, unit_price_ht=price, tax_rate=Decimal("0"))
            number = 1001000 + i  # a 0 and a 1 for the look-alikes
            make_order(
                session,
                event,
                [(tariff, 1)],
                number=number,
                buyer_first_name=first,
                buyer_last_name=last,
                status="awaiting_payment",
                payment_mode="invoice",
            )
            orders.append((number, first, last, "", "EUR", price.quantize(Decimal("0.01"))))
    content = statement(orders, 300, seed=7)
    with unit_of_work(engine) as session:
        result = import_statement(session, actor=FINANCE, filename="bench.csv", content=content)
        classes = Counter(
            session.scalars(
                select(BankLineClassification.classification).where(
                    BankLineClassification.statement_id == result.statement_id
                )
            )
        )
        debits = session.scalar(
            select(func.count()).where(
                BankTransaction.statement_id == result.statement_id, BankTransaction.direction == "debit"
            )
        )
    assert (result.new, result.errors) == (300, [])
    assert sum(classes.values()) == 300
    assert {"matched", "partial", "refund", "ignored", "no_match"} <= set(classes)
    assert classes["refund"] == debits > 0
