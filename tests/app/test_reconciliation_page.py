"""The bank reconciliation page in AppTest: the report, each line's stored classification and
reason, the filter by classification (in the URL), paging, re-classify, the bulk confirmation of
decided matches with its dry run and report, a manual assignment and an ignored line (the
upload widget itself is not drivable in AppTest: the statement is imported through the same
service the page calls)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import BankLineClassification, BankTransaction, Order
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


def test_the_page_shows_the_report_and_the_bulk_dry_run(statement):
    at = app()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Received (EUR)"] == "€360.00"
    assert metrics["Unmatched"] == "€360.00"
    assert [i.value for i in at.info if i.value.startswith("Dry run")] == [
        "Dry run: 1 line would pay 1 order: €240.00. Orders fully paid are validated "
        "(attendees created, confirmation emailed)."
    ]


def test_each_line_shows_its_classification_reason_and_order(statement):
    texts = [m.value for m in app().markdown]
    assert any(":green-badge[Matched]" in t and ":green-badge[Decided]" in t for t in texts)
    assert "Order 1000001 owes €240.00: this transfer pays it exactly" in " ".join(texts)
    assert any(t.startswith("Order: [1000001](/order?order=1000001)") for t in texts)
    assert any(":gray-badge[No match]" in t for t in texts)


def test_the_filter_by_classification_comes_from_the_url_and_counts_lines(statement):
    at = open_page(PAGE, FINANCE, query={"class": "no_match"})
    assert not at.exception
    texts = " ".join(m.value for m in at.markdown)
    assert ":gray-badge[No match]" in texts and "Matched]" not in texts
    assert at.main.caption[-1].value == "1 line in this view"
    assert at.query_params["class"] == "no_match"


def test_confirming_the_decided_matches_validates_the_order_and_reports_it(statement, engine):
    at = app()
    next(b for b in at.button if b.label == "Confirm 1 decided match").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["1 line confirmed, paying 1 order: €240.00."]
    assert status_of(engine, 1000001) == "paid"
    assert status_of(engine, 1000002) == "awaiting_payment"
    metrics = {m.label: m.value for m in app().metric}
    assert metrics["Matched"] == "€240.00"


def test_reclassifying_finds_an_order_created_after_the_import(statement, engine):
    with unit_of_work(engine) as session:
        event = make_event(session, name="Later")
        make_order(
            session,
            event,
            [(make_tariff(session, event), 1)],
            buyer_first_name="Unknown",
            buyer_last_name="Person",
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    at = app()
    at.button(key="reconciliation.reclassify").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == ["Lines classified again"]
    with unit_of_work(engine) as session:
        kinds = session.scalars(select(BankLineClassification.classification).order_by("transaction_id")).all()
    assert kinds == ["matched", "matched"]
    assert ":green-badge[Matched]" in " ".join(m.value for m in at.markdown if "Unknown Person" in m.value)


def test_a_long_statement_is_paged(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    body = b"".join(b"03/11/2026;%d,00;EUR;Payer %d;Gift\n" % (10 + i, i) for i in range(30))
    with unit_of_work(engine) as session:
        import_statement(
            session,
            actor=Actor("finance@example.org", "finance"),
            filename="long.csv",
            content=b"Date;Montant;Devise;Donneur d'ordre;Communication\n" + body,
        )
    at = app()
    assert len([m for m in at.markdown if m.value.startswith("**Line ")]) == 25
    at.number_input(key="reconciliation.page").set_value(2).run()
    titles = [m.value for m in at.markdown if m.value.startswith("**Line ")]
    assert len(titles) == 5 and titles[0].startswith("**Line 27 ")
    assert at.main.caption[-1].value == "30 lines in this view · page 2 of 2"


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


def test_the_file_uploader_says_in_french_what_it_takes_and_announces_the_import_limit(statement, monkeypatch):
    """Issue 18 item 10: the uploader's texts were English and it announced Streamlit's 200 MB."""
    monkeypatch.setenv("ORDERS_STATEMENT_MAX_MB", "2")
    at = open_page(PAGE, FINANCE, state={"ui.locale": "fr"})
    assert not at.exception
    (uploader,) = at.get("file_uploader")
    assert uploader.proto.label == "Relevé bancaire (CSV ou XML CAMT.053)"
    assert uploader.proto.max_upload_size_mb == 2
    explained = "Déposez le fichier dans le cadre, ou choisissez-le avec le bouton : CSV, TXT, XML, 2 Mo au plus."
    assert uploader.proto.help == explained
    assert explained in [c.value for c in at.caption]


def test_an_outgoing_line_records_its_refund_from_the_page(engine, db_url, monkeypatch):
    from datetime import date
    from decimal import Decimal

    from orders_core.models import Refund
    from tests.db.test_reconciliation_classes import stored_lines

    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        make_order(session, event, [(make_tariff(session, event), 1)], number=1000001, status="paid")
    statement_id = stored_lines(
        engine, [dict(booked_on=date(2026, 11, 25), amount=Decimal("20.00"), direction="debit", reference="R 1000001")]
    )
    at = open_page(PAGE, FINANCE, query={"statement": str(statement_id)})
    assert "No refund of €20.00 is recorded on order 1000001: record it (the order has kept €120.00)" in [
        m.value for m in at.markdown
    ]
    with unit_of_work(engine) as session:
        line = session.scalars(select(BankTransaction.id)).one()
    button = at.button(key=f"reconciliation.refund.{line}")
    assert button.label == "Record this refund on order 1000001"
    button.click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == ["Refund matched"]
    with unit_of_work(engine) as session:
        assert [Decimal(str(a)) for a in session.scalars(select(Refund.amount))] == [Decimal("20.00")]
        assert session.get_one(BankTransaction, line).status == "matched"


def test_a_zero_line_may_be_ignored_but_offers_no_assignment(engine, db_url, monkeypatch):
    """Issue 16: a zero-amount line never pays an order, not even by hand."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        make_order(session, event, [(make_tariff(session, event), 1)], number=1000001)
        import_statement(
            session,
            actor=Actor("finance@example.org", "finance"),
            filename="zero.csv",
            content=b"Date;Montant;Devise;Donneur d'ordre;Communication\n"
            b"03/11/2026;0,00;EUR;ACME SAS;CMD 1000001\n03/11/2026;120,00;EUR;ACME SAS;CMD 1000001\n",
        )
    at = app()
    assert not at.exception
    with unit_of_work(engine) as session:
        zero, paying = session.scalars(select(BankTransaction.id).order_by(BankTransaction.line_number)).all()
    assigns = {b.key for b in at.button if b.key and b.key.startswith("reconciliation.assign.")}
    ignores = {b.key for b in at.button if b.key and b.key.startswith("reconciliation.ignore.")}
    assert assigns == {f"reconciliation.assign.{paying}"}
    assert ignores == {f"reconciliation.ignore.{zero}", f"reconciliation.ignore.{paying}"}
