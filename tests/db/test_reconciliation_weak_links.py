"""Issue 16 (recon-weak): a transfer that only the amount links to an order (no order number,
exact or look-alike, in the reference; a payer name that is not the buyer's or company's) is not
a match: it is `no_match`, points at that order as a possibility and says why, and is never
decided. Without a payer name it keeps its class, never decided. A matching name still matches.
One statement fixture per case (tests/fixtures/recon/amount_only_*.csv), imported through
`import_statement` like the page, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.db import unit_of_work
from orders_core.errors import TransitionRefused
from orders_core.i18n import set_locale
from orders_core.models import BankLineClassification, BankTransaction, Order, Payment
from orders_core.reconciliation.classes import describe, proposes_payment
from orders_core.reconciliation.decisions import confirm_decided, confirm_line, plan_decided
from orders_core.reconciliation.service import confirm_match, find_order_by_number, import_statement
from tests.db.test_reconciliation_classes import FINANCE, FIXTURES, classes_of, imported, world  # noqa: F401

D = Decimal
# Order 2000003 (Camille Durand) is the only open order owing €96.00 in the fixtures' world.
OTHER_NAME = (
    "Order 2000003 owes this amount, but neither the reference nor the payer's name (HUBER Mia) points at it: "
    "assign it by hand if it is the right one"
)
PAYS = "Order 2000003 owes €96.00: this transfer pays it exactly"
CASES = [
    ("amount_only_other_name.csv", "no_match", 2000003, False, OTHER_NAME),
    ("amount_only_same_name.csv", "matched", 2000003, True, PAYS),
    ("amount_only_close_name.csv", "matched", 2000003, False, PAYS),
    ("amount_only_no_name.csv", "matched", 2000003, False, PAYS),
]


@pytest.mark.parametrize("fixture,expected,number,decided,sentence", CASES, ids=[c[0][12:-4] for c in CASES])
def test_a_line_linked_by_its_amount_alone_is_classified_by_its_payer_name(
    world,  # noqa: F811
    fixture,
    expected,
    number,
    decided,
    sentence,
):
    statement_id = imported(world, fixture)
    assert classes_of(world, statement_id) == [(2, expected, number, decided, sentence)]


def stored(engine, statement_id: int) -> BankLineClassification:
    with unit_of_work(engine) as session:
        row = session.scalars(
            select(BankLineClassification).where(BankLineClassification.statement_id == statement_id)
        ).one()
        session.expunge(row)
        return row


def test_the_possible_order_is_kept_with_the_matchers_signals_and_no_payment_to_confirm(world):  # noqa: F811
    statement_id = imported(world, "amount_only_other_name.csv")
    row = stored(world, statement_id)
    assert "allocations" not in row.reason
    assert (row.score, row.decided) == (30, False)
    assert describe(row.reason) == OTHER_NAME + " (amount equals the balance due; transfer dated after the order)"
    assert not proposes_payment(row.classification, "unmatched")


def test_the_possible_order_is_explained_in_french(world):  # noqa: F811
    statement_id = imported(world, "amount_only_other_name.csv")
    set_locale("fr")
    try:
        assert classes_of(world, statement_id)[0][4] == (
            "La commande 2000003 doit ce montant, mais ni la référence ni le nom du donneur d'ordre "
            "(HUBER Mia) ne la désignent : affectez ce virement à la main si c'est la bonne commande"
        )
    finally:
        set_locale("en")


def test_the_bulk_plan_leaves_out_lines_linked_by_the_amount_alone(world):  # noqa: F811
    content = b"".join(
        (FIXTURES / name).read_bytes().splitlines(keepends=True)[-1]
        for name in ("amount_only_other_name.csv", "amount_only_no_name.csv")
    )
    content = (FIXTURES / "matched.csv").read_bytes() + content
    with unit_of_work(world) as session:
        statement_id = import_statement(session, actor=FINANCE, filename="weak.csv", content=content).statement_id
    assert [row[:4] for row in classes_of(world, statement_id)] == [
        (2, "matched", 2000001, True),
        (3, "no_match", 2000003, False),
        (4, "matched", 2000003, False),
    ]
    with unit_of_work(world) as session:
        plan = plan_decided(session, statement_id, principal=FINANCE)
    assert [line for _t, line, _c, _p in plan.items] == [2]
    with unit_of_work(world) as session:
        report = confirm_decided(session, actor=FINANCE, statement_id=statement_id)
    assert (report.lines, report.amounts, report.skipped) == (1, {"EUR": D("120.00")}, [])
    with unit_of_work(world) as session:
        paid = session.scalar(select(func.count()).select_from(Payment).join(Order).where(Order.number == 2000003))
        statuses = dict(
            session.execute(
                select(BankTransaction.line_number, BankTransaction.status).where(
                    BankTransaction.statement_id == statement_id
                )
            ).all()
        )
    assert paid == 0
    assert {line: str(status) for line, status in statuses.items()} == {2: "matched", 3: "unmatched", 4: "unmatched"}


def test_the_possible_order_is_refused_as_a_proposal_but_may_be_assigned_by_hand(world):  # noqa: F811
    statement_id = imported(world, "amount_only_other_name.csv")
    with unit_of_work(world) as session:
        transaction_id = session.scalars(
            select(BankTransaction.id).where(BankTransaction.statement_id == statement_id)
        ).one()
    with pytest.raises(TransitionRefused, match="Line 2 proposes no payment"), unit_of_work(world) as session:
        confirm_line(session, actor=FINANCE, transaction_id=transaction_id)
    with unit_of_work(world) as session:  # what the page's "Assign by hand" does
        order = find_order_by_number(session, 2000003, actor=FINANCE)
        confirm_match(session, actor=FINANCE, transaction_id=transaction_id, allocations=[(order.id, D("96.00"))])
    with unit_of_work(world) as session:
        order = session.scalars(select(Order).where(Order.number == 2000003)).one()
        assert (str(order.status), D(str(order.amount_paid))) == ("paid", D("96.00"))
