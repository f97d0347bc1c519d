"""Issue 21 in the bank reconciliation, on SQLite and PostgreSQL: a transfer quoting an invoice
or credit-note number ("F2026-00042") names the order of that document, as its order number
would: the order is proposed (and decided when the amount is exact), its reason says which
document, and an order that may not take the money is refused the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_credit_note, issue_invoice
from orders_core.i18n import set_locale
from orders_core.models import BankLineClassification, BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.classes import describe
from orders_core.reconciliation.proposals import suggestions
from orders_core.reconciliation.service import import_statement
from tests.factories import NOW, make_event, make_order, make_seller_settings, make_tariff

FINANCE = Actor("finance@example.org", "finance")
ISSUED = datetime(2026, 11, 20, 9, tzinfo=UTC)
D = Decimal


@pytest.fixture
def world(engine):
    """Orders 3000001..3000004, 120.00 each, with invoices F2026-00001..00004; the third one's
    invoice credited (A2026-00001) and the order cancelled."""
    set_locale("en")
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=D("100.00"), tax_rate=D("20"))
        for number, (first, last) in enumerate(
            [("Zoé", "Lefèvre"), ("Paul", "Martin"), ("Léa", "Petit"), ("Anna", "Meier")], start=3000001
        ):
            order = make_order(
                session,
                event,
                [(badge, 1)],
                number=number,
                status="awaiting_payment",
                payment_mode="invoice",
                buyer_first_name=first,
                buyer_last_name=last,
                created_at=NOW - (NOW - ISSUED) * 2,
            )
            invoice = issue_invoice(session, actor=FINANCE, order_id=order.id, now=ISSUED)
            if number == 3000003:
                issue_credit_note(session, actor=FINANCE, invoice_id=invoice.id, reason="Cancelled", now=ISSUED)
                session.execute(update(Order).where(Order.id == order.id).values(status="cancelled"))
    return engine


def imported(engine, lines: list[tuple[str, str, str]]) -> int:
    booked = f"{NOW:%d/%m/%Y}"
    csv = "Date;Montant;Devise;Donneur d'ordre;Communication\n" + "".join(
        f"{booked};{amount.replace('.', ',')};EUR;{payer};{reference}\n" for amount, payer, reference in lines
    )
    with unit_of_work(engine) as session:
        result = import_statement(session, actor=FINANCE, filename="statement.csv", content=csv.encode())
    assert result.errors == []
    return result.statement_id


def classified(engine, statement_id: int) -> list[tuple[str, int | None, bool, str]]:
    with unit_of_work(engine) as session:
        query = (
            select(BankLineClassification, Order.number)
            .join(BankTransaction, BankTransaction.id == BankLineClassification.transaction_id)
            .outerjoin(Order, Order.id == BankLineClassification.order_id)
            .where(BankTransaction.statement_id == statement_id)
            .order_by(BankTransaction.line_number)
        )
        return [(c.classification.value, number, c.decided, describe(c.reason)) for c, number in session.execute(query)]


def test_a_transfer_quoting_an_invoice_number_is_matched_to_its_order(world):
    statement_id = imported(world, [("120.00", "ACME TRESORERIE", "Paiement facture F2026-00002")])
    [(classification, number, decided, reason)] = classified(world, statement_id)
    assert (classification, number, decided) == ("matched", 3000002, True)
    assert reason.startswith("Order 3000002 owes €120.00: this transfer pays it exactly")
    assert "invoice F2026-00002 of order 3000002 in the reference" in reason


def test_the_number_is_found_in_any_case_and_among_other_words(world):
    statement_id = imported(
        world,
        [
            ("120.00", "", "VIR SEPA /REF f2026-00004/ merci"),
            ("50.00", "Anna Meier", "acompte F2026-00001."),
        ],
    )
    assert [row[:3] for row in classified(world, statement_id)] == [
        ("matched", 3000004, True),
        ("partial", 3000001, False),
    ]


def test_a_credit_note_number_names_its_order_which_may_not_take_the_money(world):
    statement_id = imported(world, [("120.00", "Léa Petit", "A2026-00001")])
    [(classification, number, decided, reason)] = classified(world, statement_id)
    assert (classification, number, decided) == ("cancelled_order", 3000003, False)
    assert reason.startswith("Order 3000003 is cancelled")


@pytest.mark.parametrize("reference", ["F2026-0000", "F2026-00009", "2026-00002", "F2026"])
def test_a_part_of_a_number_or_an_unknown_one_names_no_order(world, reference):
    statement_id = imported(world, [("77.00", "Karl Fremder", reference)])
    [(classification, number, _decided, _reason)] = classified(world, statement_id)
    assert (classification, number) == ("no_match", None)


def test_the_proposals_rank_the_invoiced_order_first_with_the_documents_reason(world):
    statement_id = imported(world, [("120.00", "Karl Fremder", "Facture F2026-00001")])
    with unit_of_work(world) as session:
        lines = list(session.scalars(select(BankTransaction).where(BankTransaction.statement_id == statement_id)))
        [best, *_others] = suggestions(session, lines, principal=FINANCE)[lines[0].id]
    assert (best.order_numbers, best.by_reference, best.decided) == ((3000001,), True, True)
    assert (
        "invoice {document} of order {number} in the reference",
        {"document": "F2026-00001", "number": "3000001"},
    ) in best.reasons
