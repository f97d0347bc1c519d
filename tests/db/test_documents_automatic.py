"""Documents issued by the services themselves (issue 21), on SQLite and PostgreSQL: an invoice
order is invoiced when created, a paid order when paid (per the seller setting), a cancellation
credits the invoice, a partial cancellation or a change corrects it; the emails of the same
transaction carry the invoice; incomplete seller settings never block the user's action."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.documents.automatic import after_invoice_order_placed
from orders_core.documents.issue import remaining_lines, standing_invoice
from orders_core.models import Event, Invoice, Order, OrderItem, OrderLine, OutboxEmail, Tariff
from orders_core.permissions import SYSTEM_ACTOR, Actor
from orders_core.services.cancellations import cancel_tickets
from orders_core.services.expiry import expire_order
from orders_core.services.lifecycle import cancel_orders, confirm_online, delete_orders, restore_order
from orders_core.services.order_changes import add_tickets, modify_order
from orders_core.services.order_creation import create_order
from orders_core.services.refunds import record_refund
from orders_core.services.reminders import send_next_reminder
from orders_core.services.validation import validate_orders
from tests.factories import PROVIDER, make_code, make_event, make_order, make_seller_settings, make_tariff

D = Decimal
MANAGER = Actor("manager@example.org", "event_manager")
FINANCE = Actor("finance@example.org", "finance")
ADMIN = Actor("admin@example.org", "admin")
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "company_name": "Analytical"}
TODAY = datetime.now(UTC).date()


@pytest.fixture
def shop(engine) -> dict:
    """Complete seller settings and an event selling a badge (100.00 + 20 %) and a lunch."""
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session, payment_terms_days=30)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=D("100.00"), tax_rate=D("20"))
        lunch = make_tariff(session, event, kind="product", name="Lunch", unit_price_ht=D("12.50"), tax_rate=D("10"))
        make_code(session, event, "FREE", percent_off=D("100"))
        return {"event": event.id, "badge": badge.id, "lunch": lunch.id}


def holders(n: int) -> list[dict]:
    return [{"first_name": f"Holder{i}", "last_name": "Test", "email": f"h{i}@example.org"} for i in range(n)]


def create(engine, shop, **overrides) -> int:
    values = dict(
        actor=MANAGER,
        event_id=shop["event"],
        quantities={shop["badge"]: 2, shop["lunch"]: 1},
        buyer=BUYER,
        holders=holders(2),
        payment={"mode": "invoice"},
    )
    values.update(overrides)
    with unit_of_work(engine) as session:
        return create_order(session, **values).id


def documents(engine, order_id) -> list[tuple[str, str, Decimal, str | None]]:
    """(kind, number, total_ttc, number of the invoice it corrects) of the order's documents."""
    with unit_of_work(engine) as session:
        rows = session.scalars(select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id)).all()
        numbers = {row.id: row.number for row in rows}
        return [(row.kind, row.number, row.total_ttc, numbers.get(row.corrects_id)) for row in rows]


def attachments(engine, order_id, kind) -> list[list]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(OutboxEmail.attachments)
                .where(OutboxEmail.order_id == order_id, OutboxEmail.kind == kind)
                .order_by(OutboxEmail.id)
            )
        )


def standing(engine, order_id) -> tuple[str, Decimal] | None:
    """The standing invoice's number and what it still bills."""
    with unit_of_work(engine) as session:
        invoice = standing_invoice(session, order_id)
        if invoice is None:
            return None
        return invoice.number, sum((r.total_ttc for r in remaining_lines(session, invoice)), D("0"))


def order_total(engine, order_id) -> Decimal:
    with unit_of_work(engine) as session:
        return session.get_one(Order, order_id).total_ttc


def paid_order(engine, shop, **overrides) -> int:
    with unit_of_work(engine) as session:
        event = session.get_one(Event, shop["event"])
        badge, lunch = session.get_one(Tariff, shop["badge"]), session.get_one(Tariff, shop["lunch"])
        return make_order(session, event, [(badge, 2), (lunch, 3)], status="paid", **overrides).id


# --- invoices on creation and on payment ----------------------------------------------------------


def test_an_invoice_order_gets_its_invoice_with_its_due_date_when_created(engine, shop):
    order_id = create(engine, shop, send_payment_details=True)
    with unit_of_work(engine) as session:
        order = session.get_one(Order, order_id)
        (invoice,) = session.scalars(select(Invoice).where(Invoice.order_id == order_id)).all()
        assert (invoice.kind, invoice.number, invoice.total_ttc) == ("invoice", f"F{TODAY:%Y}-00001", D("253.75"))
        assert invoice.due_date == order.due_date and invoice.due_date is not None
        assert invoice.payment_reference == str(order.number)
    assert attachments(engine, order_id, "payment_details") == [[{"kind": "invoice", "id": invoice.id}]]


def test_validating_the_payment_of_an_invoiced_order_issues_no_second_invoice(engine, shop):
    order_id = create(engine, shop)
    with unit_of_work(engine) as session:
        result = validate_orders(
            session, actor=FINANCE, order_ids=[order_id], method="bank_transfer", received_at=TODAY, reference="VIR"
        )
        assert len(result.validated) == 1
    (invoice,) = documents(engine, order_id)
    assert invoice[:3] == ("invoice", f"F{TODAY:%Y}-00001", D("253.75"))
    with unit_of_work(engine) as session:
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.order_id == order_id)).one()
    assert attachments(engine, order_id, "order_confirmation") == [[{"kind": "invoice", "id": invoice_id}]]


def test_an_invoice_order_without_its_invoice_gets_one_on_payment_even_on_request(engine, shop):
    with unit_of_work(engine) as session:
        make_seller_settings(session, invoice_paid_orders="on_request")
        event = session.get_one(Event, shop["event"])
        order_id = make_order(session, event, [(session.get_one(Tariff, shop["badge"]), 1)]).id
    assert documents(engine, order_id) == []
    with unit_of_work(engine) as session:
        validate_orders(session, actor=FINANCE, order_ids=[order_id], method="cheque", received_at=TODAY)
    assert [(kind, total) for kind, _n, total, _c in documents(engine, order_id)] == [("invoice", D("120.00"))]


def online_order(engine, shop) -> int:
    with unit_of_work(engine) as session:
        event = session.get_one(Event, shop["event"])
        return make_order(session, event, [(session.get_one(Tariff, shop["badge"]), 1)], status="pending_online").id


def test_an_order_paid_online_gets_its_invoice_on_payment_when_the_setting_says_so(engine, shop):
    order_id = online_order(engine, shop)
    with unit_of_work(engine) as session:
        confirm_online(session, actor=PROVIDER, order_id=order_id, reference="TX-1")
    assert [(kind, total) for kind, _n, total, _c in documents(engine, order_id)] == [("invoice", D("120.00"))]
    (confirmation,) = attachments(engine, order_id, "order_confirmation")
    assert [entry["kind"] for entry in confirmation] == ["invoice"]


def test_an_order_paid_online_gets_no_invoice_when_invoices_are_on_request(engine, shop):
    with unit_of_work(engine) as session:
        make_seller_settings(session, invoice_paid_orders="on_request")
    order_id = online_order(engine, shop)
    with unit_of_work(engine) as session:
        confirm_online(session, actor=PROVIDER, order_id=order_id, reference="TX-2")
        assert session.get_one(Order, order_id).status == "paid"
    assert documents(engine, order_id) == []
    assert attachments(engine, order_id, "order_confirmation") == [[]]


def test_a_free_order_gets_no_invoice(engine, shop):
    order_id = create(engine, shop, codes=["FREE"], payment=None)
    assert order_total(engine, order_id) == 0
    assert documents(engine, order_id) == []


# --- credit notes -----------------------------------------------------------------------------------


def test_cancelling_an_invoiced_order_issues_a_full_credit_note_naming_its_invoice(engine, shop):
    order_id = create(engine, shop)
    with unit_of_work(engine) as session:
        result = cancel_orders(session, actor=FINANCE, order_ids=[order_id], reason="Buyer withdrew")
        assert len(result.done) == 1
    invoice, note = documents(engine, order_id)
    assert note == ("credit_note", f"A{TODAY:%Y}-00001", D("-253.75"), invoice[1])
    assert standing(engine, order_id) is None
    with unit_of_work(engine) as session:
        reason = session.scalars(select(Invoice.reason).where(Invoice.kind == "credit_note")).one()
    assert reason == "Buyer withdrew"


def test_a_refund_that_cancels_the_order_credits_its_invoice_and_a_refund_alone_does_not(engine, shop):
    order_id = paid_order(engine, shop)
    with unit_of_work(engine) as session:
        record_refund(
            session, actor=FINANCE, order_id=order_id, amount="10.00", method="bank_transfer",
            refunded_at=TODAY, reason="Goodwill",
        )  # fmt: skip
    assert [kind for kind, *_rest in documents(engine, order_id)] == ["invoice"]
    with unit_of_work(engine) as session:
        record_refund(
            session, actor=FINANCE, order_id=order_id, amount="230.00", method="bank_transfer",
            refunded_at=TODAY, reason="Event missed", cancel_order=True,
        )  # fmt: skip
    invoice, note = documents(engine, order_id)
    assert (note[0], note[2], note[3]) == ("credit_note", -invoice[2], invoice[1])


def test_cancelling_some_units_issues_a_partial_credit_note_and_the_invoice_bills_what_remains(engine, shop):
    order_id = paid_order(engine, shop)
    with unit_of_work(engine) as session:
        item = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order_id).order_by(OrderItem.id))
        lunch = session.scalars(
            select(OrderLine.id).where(OrderLine.order_id == order_id, OrderLine.name == "Lunch")
        ).one()
        cancel_tickets(
            session, actor=FINANCE, order_id=order_id, item_ids=[next(iter(item))], products={lunch: 1},
            reason="One colleague cannot come",
        )  # fmt: skip
    invoice, note = documents(engine, order_id)
    # One badge (120.00) and one lunch (13.75) of the invoice's 2 badges and 3 lunches.
    assert note == ("credit_note", f"A{TODAY:%Y}-00001", D("-133.75"), invoice[1])
    assert standing(engine, order_id) == (invoice[1], order_total(engine, order_id))
    with unit_of_work(engine) as session:
        note_lines = session.scalars(select(Invoice).where(Invoice.kind == "credit_note")).one().lines
        assert [(line.description, line.quantity) for line in note_lines] == [("Badge", 1), ("Lunch", 1)]


def test_a_partial_cancellation_that_reprices_the_rest_credits_the_invoice_and_issues_a_new_one(engine, shop):
    with unit_of_work(engine) as session:
        event = session.get_one(Event, shop["event"])
        code = make_code(session, event, "FLAT", amount_off=D("30.00"), percent_off=None)
        order_id = make_order(
            session, event, [(session.get_one(Tariff, shop["badge"]), 3)], code=code, status="paid"
        ).id
        item = session.scalars(select(OrderItem.id).where(OrderItem.order_id == order_id)).first()
    with unit_of_work(engine) as session:
        cancel_tickets(session, actor=FINANCE, order_id=order_id, item_ids=[item], reason="Two come, not three")
    kinds = [(kind, corrects) for kind, _n, _t, corrects in documents(engine, order_id)]
    first = documents(engine, order_id)[0][1]
    assert kinds in (
        [("invoice", None), ("credit_note", first)],  # the discount shared per unit: units credited
        [("invoice", None), ("credit_note", first), ("invoice", None)],  # repriced: credited, invoiced anew
    )
    assert standing(engine, order_id)[1] == order_total(engine, order_id)


# --- changes ----------------------------------------------------------------------------------------


def modify(engine, shop, order_id, version, **overrides):
    values = dict(
        actor=MANAGER,
        order_id=order_id,
        expected_version=version,
        quantities={shop["badge"]: 2, shop["lunch"]: 1},
        buyer=BUYER,
        holders=holders(2),
        payment={"mode": "invoice"},
    )
    values.update(overrides)
    with unit_of_work(engine) as session:
        return modify_order(session, **values).version


def test_modifying_what_an_invoice_order_buys_credits_its_invoice_and_issues_a_new_one(engine, shop):
    order_id = create(engine, shop)
    modify(engine, shop, order_id, 1, quantities={shop["badge"]: 1, shop["lunch"]: 2}, holders=holders(1))
    first, note, second = documents(engine, order_id)
    assert (note[0], note[2], note[3]) == ("credit_note", -first[2], first[1])
    assert (second[0], second[2]) == ("invoice", order_total(engine, order_id)) and second[2] == D("147.50")
    assert standing(engine, order_id) == (second[1], D("147.50"))


def test_modifying_only_the_buyer_issues_nothing_though_the_lines_are_rewritten(engine, shop):
    order_id = create(engine, shop)
    with unit_of_work(engine) as session:
        before = session.scalars(select(OrderLine.id).where(OrderLine.order_id == order_id)).all()
    modify(engine, shop, order_id, 1, buyer={**BUYER, "phone": "0102030405"})
    with unit_of_work(engine) as session:
        after = session.scalars(select(OrderLine.id).where(OrderLine.order_id == order_id)).all()
    if engine.dialect.name == "postgresql":  # SQLite hands the deleted rows' ids out again
        assert set(before).isdisjoint(after)  # new line ids, same content
    assert [kind for kind, *_rest in documents(engine, order_id)] == ["invoice"]


def test_an_undecided_order_finalised_on_invoice_gets_its_invoice(engine, shop):
    order_id = create(engine, shop, payment={"mode": "undecided"})
    assert documents(engine, order_id) == []
    modify(engine, shop, order_id, 1, payment={"mode": "invoice"})
    assert [(kind, total) for kind, _n, total, _c in documents(engine, order_id)] == [("invoice", D("253.75"))]


def test_adding_tickets_to_an_invoiced_paid_order_corrects_its_invoice(engine, shop):
    with unit_of_work(engine) as session:
        event = session.get_one(Event, shop["event"])
        order = make_order(session, event, [(session.get_one(Tariff, shop["badge"]), 1)], status="paid")
        order.source = "organizer"
        order_id = order.id
    with unit_of_work(engine) as session:
        add_tickets(session, actor=MANAGER, order_id=order_id, tariff_id=shop["badge"], quantity=1, reason_note="+1")
    first, note, second = documents(engine, order_id)
    assert (note[2], note[3], second[2]) == (D("-120.00"), first[1], D("240.00"))


def test_deleting_an_invoiced_order_credits_it_and_restoring_it_invoices_it_again(engine, shop):
    order_id = create(engine, shop)
    with unit_of_work(engine) as session:
        delete_orders(session, actor=ADMIN, order_ids=[order_id], reason="Duplicate")
    assert [kind for kind, *_rest in documents(engine, order_id)] == ["invoice", "credit_note"]
    with unit_of_work(engine) as session:
        restore_order(session, actor=ADMIN, order_id=order_id)
    assert [kind for kind, *_rest in documents(engine, order_id)] == ["invoice", "credit_note", "invoice"]
    assert standing(engine, order_id)[1] == D("253.75")


# --- emails and incomplete settings ---------------------------------------------------------------


def test_a_reminder_carries_the_standing_invoice(engine, shop):
    order_id = create(engine, shop)
    with unit_of_work(engine) as session:
        send_next_reminder(session, actor=FINANCE, order_id=order_id)
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.order_id == order_id)).one()
    assert attachments(engine, order_id, "payment_reminder") == [[{"kind": "invoice", "id": invoice_id}]]


def test_incomplete_seller_settings_block_no_action_and_no_document_is_issued(engine, shop):
    with unit_of_work(engine) as session:
        make_seller_settings(session, siren="", iban="")
    order_id = create(engine, shop, send_payment_details=True)
    with unit_of_work(engine) as session:
        validate_orders(session, actor=FINANCE, order_ids=[order_id], method="cheque", received_at=TODAY)
        assert session.get_one(Order, order_id).status == "paid"
    online, other = online_order(engine, shop), create(engine, shop)
    with unit_of_work(engine) as session:
        confirm_online(session, actor=PROVIDER, order_id=online, reference="TX-3")
        assert len(cancel_orders(session, actor=FINANCE, order_ids=[other], reason="No").done) == 1
    with unit_of_work(engine) as session:
        assert session.scalars(select(Invoice)).all() == []
    assert attachments(engine, order_id, "payment_details") == [[]]


def test_an_expired_invoice_order_has_its_invoice_credited(engine, shop):
    with unit_of_work(engine) as session:
        event = make_event(session, payment_terms_days=30, expire_after_days=7)
        badge = make_tariff(session, event, unit_price_ht=D("100.00"), tax_rate=D("20"))
        order = make_order(session, event, [(badge, 1)], due_date=date(2026, 12, 1))
        (invoice,) = after_invoice_order_placed(session, order, actor=MANAGER)
        invoice_number = invoice.number
    with time_machine.travel(datetime(2026, 12, 10, 12, tzinfo=UTC), tick=False), unit_of_work(engine) as session:
        assert expire_order(session, actor=SYSTEM_ACTOR, order_id=order.id) is True
    _invoice, note = documents(engine, order.id)
    assert (note[0], note[2], note[3]) == ("credit_note", D("-120.00"), invoice_number)


# --- the set-based path issues what the one-by-one path issues --------------------------------------


def test_bulk_invoicing_issues_the_same_document_as_invoicing_one_order(engine):
    """Bulk validation and the demo invoice through bulk_issue, every other path through
    issue.invoice_for_order: for the same order both write the same document and lines."""
    from orders_core.documents.bulk_issue import invoice_orders
    from orders_core.documents.issue import invoice_for_order

    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session)
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        book = make_tariff(session, event, kind="product", unit_price_ht=Decimal("9.99"), tax_rate=Decimal("5.5"))
        lines = [(badge, 2), (book, 3)]
        one, many = (
            make_order(
                session,
                event,
                lines,
                company_name="Acme SAS",
                vat_number="FR40303265045",
                buyer_email="ap@acme.example",
            )
            for _ in "ab"
        )
        single = invoice_for_order(session, one, actor=FINANCE, now=at)
        (bulk_id,) = invoice_orders(session, [many.id], actor=FINANCE, now=at)
        bulk = session.get_one(Invoice, bulk_id)

        def document(invoice: Invoice) -> tuple:
            return (
                invoice.kind, invoice.series, invoice.currency, invoice.due_date, invoice.service_date,
                invoice.total_ht, invoice.total_tax, invoice.total_ttc, invoice.language, invoice.reason,
                invoice.seller, invoice.event, invoice.buyer,
                [
                    (line.position, line.description, line.quantity, line.unit_price_ht, line.discount_ht, line.tax_rate,
                     line.total_ht, line.total_tax, line.total_ttc)
                    for line in invoice.lines
                ],
            )  # fmt: skip

        assert document(bulk) == document(single)
        assert (single.payment_reference, bulk.payment_reference) == (str(one.number), str(many.number))
        assert bulk.number == single.number[:-5] + f"{int(single.number[-5:]) + 1:05}"
