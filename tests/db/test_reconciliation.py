"""Bank reconciliation end to end on both databases: the fixture statement against open invoice
orders, confirmed one by one and in bulk, with exact outcomes."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.models import Attendee, BankTransaction, Order, Payment
from orders_core.permissions import Actor
from orders_core.reconciliation.bulk_plan import plan_decided
from orders_core.reconciliation.decisions import confirm_decided
from orders_core.reconciliation.proposals import suggestions
from orders_core.reconciliation.service import confirm_match, ignore_transaction, import_statement
from queries.reconciliation import statement_report
from tests.factories import make_event, make_order, make_tariff

STATEMENT = (Path(__file__).resolve().parent.parent / "fixtures" / "statement.csv").read_bytes()
FINANCE = Actor("finance@example.org", "finance")
D = Decimal

# number -> (unit price HT at 20 % tax, quantity, buyer first, last, company); TTC in comments
OPEN_ORDERS = {
    1000001: ("100.00", 2, "Paul", "Martin", "ACME SAS"),  # 240.00
    1000002: ("100.00", 1, "Zoé", "Lefèvre", ""),  # 120.00
    1000003: ("100.00", 3, "Jean", "Dupont", ""),  # 360.00
    1000004: ("80.00", 1, "Camille", "Martin", ""),  # 96.00
    1000005: ("125.00", 1, "Benoît", "Rousseau", ""),  # 150.00
    1000006: ("83.33", 1, "Klaus", "Weber", "Nordlicht GmbH"),  # 100.00
    1000007: ("166.67", 1, "Klaus", "Weber", "Nordlicht GmbH"),  # 200.00
    1000008: ("66.67", 1, "Hugo", "Bernard", ""),  # 80.00
    1000009: ("375.00", 1, "Léa", "Petit", ""),  # 450.00
    1000010: ("66.67", 1, "Anna", "Meier", ""),  # 80.00 EUR (the transfer is in CHF)
}


@pytest.fixture
def orders(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariffs = {}
        for number, (price, quantity, first, last, company) in OPEN_ORDERS.items():
            tariff = tariffs.get(price) or make_tariff(session, event, unit_price_ht=D(price))
            tariffs[price] = tariff
            make_order(
                session,
                event,
                [(tariff, quantity)],
                number=number,
                buyer_first_name=first,
                buyer_last_name=last,
                company_name=company,
                status="awaiting_payment",
                payment_mode="invoice",
            )
    return engine


def imported(engine) -> int:
    with unit_of_work(engine) as session:
        return import_statement(session, actor=FINANCE, filename="statement.csv", content=STATEMENT).statement_id


def order(engine, number) -> Order:
    with unit_of_work(engine) as session:
        return session.scalars(select(Order).where(Order.number == number)).one()


def transaction(engine, statement_id, line) -> BankTransaction:
    with unit_of_work(engine) as session:
        return session.scalars(
            select(BankTransaction).where(
                BankTransaction.statement_id == statement_id, BankTransaction.line_number == line
            )
        ).one()


def test_importing_reports_new_lines_the_malformed_row_and_keeps_the_outgoing_line(orders):
    with unit_of_work(orders) as session:
        result = import_statement(session, actor=FINANCE, filename="statement.csv", content=STATEMENT)
    assert (result.new, result.duplicates, result.outgoing) == (10, 0, 1)
    assert result.errors == ["Line 11: the amount 'abc' is not a number."]


def test_importing_the_same_statement_again_creates_no_duplicate(orders):
    imported(orders)
    with unit_of_work(orders) as session:
        again = import_statement(session, actor=FINANCE, filename="again.csv", content=STATEMENT)
        assert (again.new, again.duplicates) == (0, 10)
        assert session.scalar(select(func.count()).select_from(BankTransaction)) == 10


def test_a_marketer_cannot_import_a_statement(orders):
    with pytest.raises(NotAllowed), unit_of_work(orders) as session:
        import_statement(session, actor=Actor("m@example.org", "marketer"), filename="s.csv", content=STATEMENT)


def test_the_dry_run_lists_the_decided_matches_and_writes_nothing(orders):
    statement_id = imported(orders)
    with unit_of_work(orders) as session:
        plan = plan_decided(session, statement_id, principal=FINANCE)
        numbers = {r.id: r.number for r in session.execute(select(Order.id, Order.number))}
    planned = {tuple(numbers[order_id] for order_id, _amount in pairs) for *_rest, pairs in plan.items}
    # 1000005: no reference, but the exact amount and the buyer's name, and no other open order
    # comes close (issue 16): decided like an order number.
    assert planned == {(1000001,), (1000002,), (1000003,), (1000004,), (1000005,), (1000006, 1000007)}
    assert plan.amounts == {"EUR": D("1266.00")}
    assert order(orders, 1000001).status == "awaiting_payment"


def test_confirming_every_decided_match_validates_those_orders(orders):
    statement_id = imported(orders)
    with unit_of_work(orders) as session:
        report = confirm_decided(session, actor=FINANCE, statement_id=statement_id)
    assert (report.lines, report.orders, report.amounts, report.skipped) == (6, 7, {"EUR": D("1266.00")}, [])
    for number in (1000001, 1000002, 1000003, 1000004, 1000005, 1000006, 1000007):
        paid = order(orders, number)
        assert (paid.status, paid.amount_paid) == ("paid", paid.total_ttc)
    with unit_of_work(orders) as session:
        methods = set(session.scalars(select(Payment.method)))
        attendees = session.scalar(select(func.count()).select_from(Attendee))
    assert methods == {"bank_transfer"}
    assert attendees == 2 + 1 + 3 + 1 + 1 + 1 + 1
    assert order(orders, 1000008).status == "awaiting_payment"  # a partial payment: a person confirms
    report = statement_report(orders, statement_id, principal=FINANCE).set_index("currency")
    assert report.loc["EUR", "received"] == D("1816.00")
    assert report.loc["EUR", "matched"] == D("1266.00")
    assert report.loc["EUR", "unmatched"] == D("550.00")
    assert report.loc["CHF", "unmatched"] == D("80.00")
    with orders.connect() as conn:
        assert check_database(conn) == []


def test_an_underpayment_is_recorded_and_leaves_a_balance_due(orders):
    statement_id = imported(orders)
    line = transaction(orders, statement_id, 8)
    with unit_of_work(orders) as session:
        confirm_match(
            session, actor=FINANCE, transaction_id=line.id, allocations=[(order(orders, 1000008).id, D("50.00"))]
        )
    owed = order(orders, 1000008)
    assert (owed.status, owed.amount_paid, owed.total_ttc - owed.amount_paid) == (
        "awaiting_payment",
        D("50.00"),
        D("30.00"),
    )
    assert transaction(orders, statement_id, 8).status == "matched"
    report = statement_report(orders, statement_id, principal=FINANCE).set_index("currency")
    assert report.loc["EUR", "matched"] == D("50.00")


def test_an_overpayment_pays_the_order_and_keeps_the_excess_unallocated(orders):
    statement_id = imported(orders)
    line = transaction(orders, statement_id, 9)
    with unit_of_work(orders) as session:
        best = suggestions(session, [session.get(BankTransaction, line.id)], principal=FINANCE)[line.id][0]
        confirm_match(
            session,
            actor=FINANCE,
            transaction_id=line.id,
            allocations=list(zip(best.order_ids, best.allocations, strict=True)),
        )
    assert order(orders, 1000009).status == "paid"
    after = transaction(orders, statement_id, 9)
    assert (after.status, after.allocated) == ("partial", D("450.00"))
    report = statement_report(orders, statement_id, principal=FINANCE).set_index("currency")
    assert report.loc["EUR", "partially_matched"] == D("450.00")


def test_a_transfer_cannot_pay_an_order_in_another_currency(orders):
    statement_id = imported(orders)
    line = transaction(orders, statement_id, 10)
    with pytest.raises(InvalidInput, match="is in EUR, the transfer in CHF"), unit_of_work(orders) as session:
        confirm_match(
            session, actor=FINANCE, transaction_id=line.id, allocations=[(order(orders, 1000010).id, D("80.00"))]
        )
    assert transaction(orders, statement_id, 10).status == "unmatched"
    assert order(orders, 1000010).amount_paid == D("0.00")


def test_allocating_more_than_the_transfer_is_refused_and_nothing_is_written(orders):
    statement_id = imported(orders)
    line = transaction(orders, statement_id, 7)  # 300.00 for two orders
    with pytest.raises(InvalidInput, match="exceed"), unit_of_work(orders) as session:
        confirm_match(
            session,
            actor=FINANCE,
            transaction_id=line.id,
            allocations=[(order(orders, 1000006).id, D("100.00")), (order(orders, 1000009).id, D("450.00"))],
        )
    assert order(orders, 1000006).status == "awaiting_payment"


def test_an_unmatched_line_is_ignored_only_with_a_comment(orders):
    statement_id = imported(orders)
    line = transaction(orders, statement_id, 10)
    with pytest.raises(InvalidInput), unit_of_work(orders) as session:
        ignore_transaction(session, actor=FINANCE, transaction_id=line.id, comment="  ")
    with unit_of_work(orders) as session:
        ignore_transaction(session, actor=FINANCE, transaction_id=line.id, comment="Refund of a CHF deposit")
    ignored = transaction(orders, statement_id, 10)
    assert (ignored.status, ignored.comment) == ("ignored", "Refund of a CHF deposit")
