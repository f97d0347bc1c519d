"""Invoices and credit notes at the core (issue 21), on SQLite and PostgreSQL: numbers follow
the series' pattern without gaps, a credit note names the invoice it corrects and takes back
all or some units, and an order that changes gets a credit note then a new invoice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.documents.issue import issue_credit_note, issue_invoice, reissue_after_change, standing_invoice
from orders_core.documents.numbering import check_pattern, format_number, series_of
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import Attendee, Invoice, Order, OrderHistory, OrderLine
from orders_core.permissions import Actor
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

FINANCE = Actor("finance@example.org", "finance")
MARKETER = Actor("marketer@example.org", "marketer")
ON = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.fixture
def order_id(engine):
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        return make_order(session, event, [(badge, 3)]).id


def test_a_pattern_names_its_series_and_pads_its_counter():
    pattern = check_pattern(" F{YYYY}-{counter:05} ")
    assert series_of(pattern, date(2026, 12, 1)) == "F2026-"
    assert format_number(pattern, date(2026, 12, 1), 42) == "F2026-00042"
    assert format_number("INV/{YY}{MM}/{counter}", date(2027, 1, 5), 7) == "INV/2701/7"


@pytest.mark.parametrize(
    "pattern",
    ["F{YYYY}", "{counter}-{YYYY}", "F{YYYY}-{counter}{counter}", "F{DD}-{counter}", "F {counter}", "F{counter"],
)
def test_a_pattern_without_one_final_counter_or_with_unknown_fields_is_refused(pattern):
    with pytest.raises(InvalidInput):
        check_pattern(pattern)


def test_invoices_take_consecutive_numbers_of_their_year(engine, order_id):
    with unit_of_work(engine) as session:
        event = make_event(session)
        other = make_order(session, event, [(make_tariff(session, event), 1)]).id
        first = issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON).number
        second = issue_invoice(session, actor=FINANCE, order_id=other, now=ON).number
    assert (first, second) == ("F2026-00001", "F2026-00002")


def test_an_invoice_bills_the_order_lines_and_totals(engine, order_id):
    with unit_of_work(engine) as session:
        invoice = issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON)
        order = session.get_one(Order, order_id)
        assert (invoice.total_ht, invoice.total_tax, invoice.total_ttc) == (
            Decimal("300.00"),
            Decimal("60.00"),
            Decimal("360.00"),
        )
        assert invoice.total_ttc == order.total_ttc
        assert [(line.quantity, line.unit_price_ht, line.tax_rate) for line in invoice.lines] == [
            (3, Decimal("100.00"), Decimal("20.000"))
        ]
        assert invoice.seller["siren"] == "732829320" and invoice.buyer["name"] == "Ada Lovelace"
        actions = session.scalars(select(OrderHistory.action).where(OrderHistory.order_id == order_id)).all()
        assert "invoice_issued" in actions


def test_a_second_invoice_is_refused_while_one_stands(engine, order_id):
    with unit_of_work(engine) as session:
        issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON)
    with pytest.raises(TransitionRefused, match="already has invoice F2026-00001"), unit_of_work(engine) as session:
        issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON)


def test_no_document_is_issued_while_a_mandatory_setting_is_missing_and_the_refusal_names_it(engine, order_id):
    with unit_of_work(engine) as session:
        make_seller_settings(session, siren="", iban="")
    with pytest.raises(InvalidInput, match="Missing: SIREN, IBAN"), unit_of_work(engine) as session:
        issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON)


def test_a_marketer_may_not_issue_an_invoice(engine, order_id):
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        issue_invoice(session, actor=MARKETER, order_id=order_id, now=ON)


def test_a_partial_credit_note_takes_back_some_units_and_names_the_invoice(engine, order_id):
    with unit_of_work(engine) as session:
        invoice = issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON)
        line_id = invoice.lines[0].id
        note = issue_credit_note(
            session, actor=FINANCE, invoice_id=invoice.id, reason="One badge unused", quantities={line_id: 1}, now=ON
        )
        assert (note.kind, note.number, note.corrects_id) == ("credit_note", "A2026-00001", invoice.id)
        assert (note.total_ht, note.total_tax, note.total_ttc) == (
            Decimal("-100.00"),
            Decimal("-20.00"),
            Decimal("-120.00"),
        )
        assert standing_invoice(session, order_id).id == invoice.id  # two units still billed
        with pytest.raises(InvalidInput, match="at most 2"):
            issue_credit_note(session, actor=FINANCE, invoice_id=invoice.id, reason="Too many", quantities={line_id: 3})
        rest = issue_credit_note(session, actor=FINANCE, invoice_id=invoice.id, reason="Cancelled", now=ON)
        assert rest.total_ttc == Decimal("-240.00")
        assert standing_invoice(session, order_id) is None


def test_a_changed_order_gets_a_credit_note_then_a_new_invoice(engine, order_id):
    with unit_of_work(engine) as session:
        invoice = issue_invoice(session, actor=FINANCE, order_id=order_id, now=ON)
        order = session.get_one(Order, order_id)
        assert reissue_after_change(session, order, actor=FINANCE, reason="nothing changed", now=ON) == []
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        line.quantity, line.total_ht, line.total_ttc = 2, Decimal("200.00"), Decimal("240.00")
        order.total_ht, order.total_ttc = Decimal("200.00"), Decimal("240.00")
        session.flush()
        note, new = reissue_after_change(session, order, actor=FINANCE, reason="One badge cancelled", now=ON)
        assert (note.kind, note.corrects_id, note.total_ttc) == ("credit_note", invoice.id, Decimal("-360.00"))
        assert (new.kind, new.number, new.total_ttc) == ("invoice", "F2026-00002", Decimal("240.00"))
        numbers = session.scalars(select(Invoice.number).order_by(Invoice.id)).all()
    assert numbers == ["F2026-00001", "A2026-00001", "F2026-00002"]


def test_attendees_created_together_get_distinct_ticket_secrets(engine):
    """The attendees of a payment are written by INSERT ... SELECT: each row draws its own secret."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        make_order(session, event, [(make_tariff(session, event), 3)], status="paid")
        secrets = session.scalars(select(Attendee.ticket_secret)).all()
    assert len(secrets) == 3 and len(set(secrets)) == 3 and all(len(s) >= 32 for s in secrets)
