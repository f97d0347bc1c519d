"""The bank reconciliation page in AppTest: the report, the bulk confirmation with its summary,
a manual assignment and an ignored line (the upload widget itself is not drivable in AppTest:
the statement is imported through the same service the page calls)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.service import import_statement
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "reconciliation.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}
STATEMENT = (
    b"Date;Montant;Devise;Donneur d'ordre;Communication\n"
    b"03/11/2026;240,00;EUR;ACME SAS;CMD 1000001\n"
    b"04/11/2026;120,00;EUR;Unknown Person;no reference\n"
)


@pytest.fixture
def statement(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        make_order(session, event, [(badge, 2)], number=1000001, company_name="ACME SAS")
        make_order(session, event, [(badge, 1)], number=1000002, buyer_last_name="Nobody")
        result = import_statement(
            session, actor=Actor("finance@example.org", "finance"), filename="nov.csv", content=STATEMENT
        )
    return result.statement_id


def app() -> AppTest:
    return open_page(PAGE, FINANCE)


def status_of(engine, number: int) -> str:
    with unit_of_work(engine) as session:
        return session.scalars(select(Order.status).where(Order.number == number)).one()


def test_the_page_shows_the_report_and_the_bulk_confirmation_summary(statement):
    at = app()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Received (EUR)"] == "€360.00"
    assert metrics["Unmatched"] == "€360.00"
    assert any("1 transfer would pay 1 order: €240.00" in info.value for info in at.info)


def test_confirming_the_high_confidence_matches_validates_the_order(statement, engine):
    at = app()
    next(b for b in at.button if b.label == "Confirm 1 match").click().run()
    assert not at.exception
    assert status_of(engine, 1000001) == "paid"
    assert status_of(engine, 1000002) == "awaiting_payment"
    metrics = {m.label: m.value for m in app().metric}
    assert metrics["Matched"] == "€240.00"


def test_a_line_is_assigned_by_hand_to_an_order_number(statement, engine):
    at = app()
    with unit_of_work(engine) as session:
        line = session.scalars(select(BankTransaction).where(BankTransaction.line_number == 3)).one()
    at.text_input(key=f"reconciliation.number.{line.id}").input("1000002")
    at.button(key=f"reconciliation.assign.{line.id}").click().run()
    assert not at.exception
    assert status_of(engine, 1000002) == "paid"


def test_ignoring_without_a_comment_says_why_and_keeps_the_line(statement, engine):
    at = app()
    with unit_of_work(engine) as session:
        line = session.scalars(select(BankTransaction).where(BankTransaction.line_number == 3)).one()
    at.button(key=f"reconciliation.ignore.{line.id}").click().run()
    assert [e.value for e in at.error] == ["Say why this transaction is ignored."]
    at.text_input(key=f"reconciliation.comment.{line.id}").input("Donation, not an order")
    at.button(key=f"reconciliation.ignore.{line.id}").click().run()
    with unit_of_work(engine) as session:
        assert session.get(BankTransaction, line.id).status == "ignored"
