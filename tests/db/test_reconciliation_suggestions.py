"""Issue 16 on both databases: a generated statement, imported through the page's import path,
gets for each line the expected best order, decided or left to a person."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.bulk_plan import plan_decided
from orders_core.reconciliation.proposals import suggestions
from orders_core.reconciliation.service import import_statement
from tests.factories import NOW, make_event, make_order, make_tariff

FINANCE = Actor("finance@example.org", "finance")
D = Decimal

# number -> (balance due, buyer first name, last name, company)
OPEN_ORDERS = {
    2000001: ("120.00", "Hans", "Müller", ""),
    2000002: ("135.00", "Jean", "Dupont", ""),
    2000003: ("150.00", "Zoé", "Lefèvre", ""),
    2000004: ("175.00", "Paul", "Martin", "Nordlicht GmbH"),
    2000005: ("190.00", "Anna", "Schröder", ""),
    2310046: ("210.00", "Léa", "Petit", ""),
    2000007: ("230.00", "Klaus", "Weber", ""),
    2000008: ("250.00", "Jean", "Durand", ""),
    2000009: ("250.00", "Jeanne", "Durand", ""),
    2000010: ("99.00", "Peter", "Strauß", ""),
    2000011: ("260.00", "Noël", "Girard", ""),
    2000012: ("120.00", "Camille", "Bernard", ""),  # same amount as Hans Müller, another name
}

# (amount, payer, reference) -> (expected best order or None, decided)
LINES = [
    ("120.00", "MUELLER HANS", "", 2000001, True),  # ü/ue, case, word order; 2000012 is not close
    ("135.00", "J. DUPONT", "Virement", 2000002, True),  # an initial
    ("150.00", "LEFEVRE ZOE", "", 2000003, True),  # accents, word order
    ("175.00", "NORDLICHT", "", 2000004, True),  # the company, without its legal form
    ("190.00", "A SCHROEDER", "CMD 2000005", 2000005, True),  # the exact number
    ("210.00", "Karl Fremder", "Commande 231OO46", 2310046, False),  # look-alike, nothing else: a person
    ("210.00", "Lea Petit", "Commande 231OO46", 2310046, True),  # look-alike, the amount and the name
    ("100.00", "Klaus Weber", "Acompte 2000007", 2000007, False),  # a partial payment
    ("250.00", "Jean Durand", "", 2000008, False),  # Jeanne Durand owes the same amount: too close
    ("99.00", "STRAUSS PETER", "", 2000010, True),  # ß/ss
    ("260.00", "Girard Noel", "cmd 200 00 11", 2000011, True),  # a mangled number
    ("77.00", "Karl Fremder", "Loyer", None, False),  # a stranger
]


@pytest.fixture
def statement(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariffs: dict[str, object] = {}
        for number, (balance, first, last, company) in OPEN_ORDERS.items():
            tariff = tariffs.get(balance) or make_tariff(session, event, unit_price_ht=D(balance), tax_rate=D("0"))
            tariffs[balance] = tariff
            make_order(
                session,
                event,
                [(tariff, 1)],
                number=number,
                buyer_first_name=first,
                buyer_last_name=last,
                company_name=company,
                status="awaiting_payment",
                payment_mode="invoice",
            )
    booked = f"{NOW:%d/%m/%Y}"
    csv = "Date;Montant;Devise;Donneur d'ordre;Communication\n" + "".join(
        f"{booked};{amount.replace('.', ',')};EUR;{payer};{reference}\n" for amount, payer, reference, *_ in LINES
    )
    with unit_of_work(engine) as session:
        result = import_statement(session, actor=FINANCE, filename="generated.csv", content=csv.encode("utf-8"))
    assert result.new == len(LINES) and result.errors == []
    return engine, result.statement_id


def test_each_line_gets_its_expected_order_decided_or_left_to_a_person(statement):
    engine, statement_id = statement
    with unit_of_work(engine) as session:
        lines = session.scalars(
            select(BankTransaction)
            .where(BankTransaction.statement_id == statement_id)
            .order_by(BankTransaction.line_number)
        ).all()
        ranked = suggestions(session, list(lines), principal=FINANCE)
        got = [
            (
                line.payer,
                ranked[line.id][0].order_numbers[0] if ranked[line.id] else None,
                bool(ranked[line.id]) and ranked[line.id][0].decided,
            )
            for line in lines
        ]
    assert got == [(payer, number, decided) for _, payer, _, number, decided in LINES]


def test_the_dry_run_plans_exactly_the_decided_lines(statement):
    engine, statement_id = statement
    with unit_of_work(engine) as session:
        plan = plan_decided(session, statement_id, principal=FINANCE)
        numbers = {r.id: r.number for r in session.execute(select(Order.id, Order.number))}
    assert sorted(numbers[pairs[0][0]] for *_rest, pairs in plan.items) == sorted(
        number for *_, number, decided in LINES if decided
    )
