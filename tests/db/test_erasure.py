"""Issue 17: erasing a buyer on request, on SQLite and PostgreSQL: every personal value of their
orders, holders, attendees and emails replaced by a pseudonym, money and documents kept, the
history shown redacted, one audit entry; refused as a whole while an order awaits payment."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from orders_core import erasure
from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.errors import InvalidInput, NotAllowed, TransitionRefused
from orders_core.history_text import describe
from orders_core.models import (
    Attendee,
    AuditEntry,
    FieldValue,
    FormField,
    Invoice,
    Order,
    OrderHistory,
    OrderItem,
    OutboxEmail,
    Payment,
    Refund,
    WizardDraft,
)
from orders_core.permissions import Actor
from orders_core.services.erasure import erase_buyer
from orders_core.services.refunds import record_refund
from queries.audit import erasure_preview
from tests.factories import make_event, make_order, make_seller_settings, make_tariff

ADMIN = Actor("admin@example.org", "admin")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EMAIL = "Jeanne.Doe@Example.org"
PERSON = ("jeanne.doe@example.org", "Jeanne", "Doe", "+33 6 12 34 56 78", "Doe Conseil", "12 rue des Lilas")
TABLES = ("orders", "order_items", "attendees", "outbox_emails", "field_values", "wizard_drafts")


@pytest.fixture
def buyer(engine):
    """Jeanne Doe: two paid orders (one refunded a little, one with an invoice), a note naming
    her, a queued email to her; she also holds a ticket in Max's order."""
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session, name="Gala")
        tariff = make_tariff(session, event, unit_price_ht=Decimal("50.00"))
        people = dict(
            buyer_email=EMAIL,
            buyer_first_name="Jeanne",
            buyer_last_name="Doe",
            buyer_phone="+33 6 12 34 56 78",
            company_name="Doe Conseil",
            billing_address="12 rue des Lilas",
            billing_city="Lyon",
            billing_postcode="69001",
            vat_number="FR12345678901",
        )
        first = make_order(
            session,
            event,
            [(tariff, 2)],
            status="paid",
            holders=[("Jeanne", "Doe", "jeanne.doe@example.org"), ("Paul", "Martin", "paul@example.org")],
            notes="2026-11-30: called Jeanne Doe at jeanne.doe@example.org",
            **people,
        )
        second = make_order(
            session, event, [(tariff, 1)], status="paid", **{**people, "buyer_email": " jeanne.doe@EXAMPLE.org"}
        )
        record_refund(
            session,
            actor=Actor("fin@example.org", "finance"),
            order_id=second.id,
            amount="5.00",
            method="bank_transfer",
            refunded_at=NOW,
            reason="Goodwill",
        )
        cancelled = make_order(session, event, [(tariff, 1)], status="cancelled", **people)
        other = make_order(
            session,
            event,
            [(tariff, 1)],
            status="paid",
            buyer_first_name="Max",
            buyer_last_name="Keller",
            buyer_email="max@example.org",
            holders=[("Jeanne", "Doe", "JEANNE.DOE@example.org")],
        )
        queue_email(session, order=first, kind="tickets")
        field = FormField(
            event_id=event.id, form="buyer", key="diet", field_type="text", label_en="Diet", label_fr="Régime"
        )
        session.add(field)
        session.flush()
        session.add(FieldValue(order_id=first.id, order_item_id=None, field_id=field.id, value="vegetarian, Jeanne"))
        # a modify draft of her order and a new-order draft naming her: both hold her values
        for order_id in (first.id, None):
            session.add(
                WizardDraft(
                    token=f"draft-{order_id}",
                    user_email="em@example.org",
                    state='{"buyer": {"email": "Jeanne.Doe@example.org"}}',
                    order_id=order_id,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.add(WizardDraft(token="other", user_email="em@example.org", state="{}", created_at=NOW, updated_at=NOW))
        # an old history entry holding personal values (append-only: stays in the database)
        session.add(
            OrderHistory(
                order_id=first.id,
                at=NOW,
                actor="em@example.org",
                action="modified",
                details={"buyer_email": {"old": "jeanne@old.example", "new": "jeanne.doe@example.org"}},
            )
        )
        session.flush()
        return {
            "ids": [first.id, second.id, cancelled.id],
            "numbers": [first.number, second.number, cancelled.number],
            "other": other.id,
            "event": event.id,
            "tariff": tariff.id,
        }


def _money_of(engine) -> tuple:
    with engine.connect() as conn:
        return (
            conn.execute(select(Order.id, Order.total_ttc, Order.amount_paid, Order.status).order_by(Order.id)).all(),
            conn.execute(select(Payment.id, Payment.amount).order_by(Payment.id)).all(),
            conn.execute(select(Refund.id, Refund.amount).order_by(Refund.id)).all(),
            conn.execute(select(Invoice.id, Invoice.number, Invoice.total_ttc).order_by(Invoice.id)).all(),
        )


def _texts(engine) -> str:
    """Every value of the tables that hold people, as one lower-case text."""
    with engine.connect() as conn:
        rows = [row for table in TABLES for row in conn.execute(text(f"SELECT * FROM {table}")).all()]
    return "\n".join(str(tuple(row)) for row in rows).lower()


def test_erasing_replaces_every_personal_value_by_a_pseudonym(engine, buyer):
    money = _money_of(engine)
    with unit_of_work(engine) as session:
        result = erase_buyer(session, actor=ADMIN, email="  JEANNE.doe@example.org ", reason="Asked by email", now=NOW)
    assert sorted(result.order_numbers) == sorted(buyer["numbers"])
    assert result.pseudonym.startswith("Erased ") and len(result.pseudonym) == len("Erased ") + 8
    token = result.pseudonym.split()[1]
    everything = _texts(engine)
    for value in PERSON + ("lyon", "69001", "fr12345678901", "paul@example.org", "vegetarian"):
        assert value.lower() not in everything, value
    with engine.connect() as conn:
        orders = conn.execute(select(Order).where(Order.id.in_(buyer["ids"]))).all()
        for order in orders:
            assert (order.buyer_first_name, order.buyer_last_name) == ("Erased", token)
            assert order.buyer_email == f"erased-{token}@invalid"
            assert (order.buyer_phone, order.company_name, order.billing_address, order.vat_number) == ("",) * 4
            assert "erased" in order.search_folded and "jeanne" not in order.search_folded
        first = conn.execute(select(Order.notes).where(Order.id == buyer["ids"][0])).scalar_one()
        assert first == f"2026-11-30: called {result.pseudonym} at {result.pseudonym}"
        holders = conn.execute(select(OrderItem.holder_first_name, OrderItem.holder_email, OrderItem.order_id)).all()
        erased_holders = [h for h in holders if h.order_id in buyer["ids"] or h.order_id == buyer["other"]]
        assert erased_holders and all(h.holder_email == f"erased-{token}@invalid" for h in erased_holders)
        attendees = conn.execute(select(Attendee.first_name, Attendee.email)).all()
        assert ("Erased", f"erased-{token}@invalid") in attendees
        # Max, the other buyer, keeps his name: only the holder row with her address changed
        assert (
            conn.execute(select(Order.buyer_email).where(Order.id == buyer["other"])).scalar_one() == "max@example.org"
        )
        emails = conn.execute(select(OutboxEmail).where(OutboxEmail.order_id.in_(buyer["ids"]))).all()
        assert emails
        for email in emails:
            assert email.recipient == f"erased-{token}@invalid" and email.body_html is None
            assert email.body_text == erasure.ERASED_BODY
            assert email.status in ("sent", "failed")  # the queued one is never sent
        assert conn.execute(select(WizardDraft.token)).scalars().all() == ["other"]
    assert _money_of(engine) == money  # amounts, payments, refunds, invoices: as they were


def test_each_order_gets_a_history_entry_and_the_erasure_one_audit_entry(engine, buyer):
    with unit_of_work(engine) as session:
        result = erase_buyer(session, actor=ADMIN, email=EMAIL, reason="Request of 1 Dec, from jeanne.doe@example.org")
    with engine.connect() as conn:
        entries = conn.execute(
            select(OrderHistory.order_id, OrderHistory.details, OrderHistory.reason, OrderHistory.actor).where(
                OrderHistory.action == erasure.HISTORY_ACTION
            )
        ).all()
        audits = conn.execute(select(AuditEntry)).all()
    assert sorted(e.order_id for e in entries) == sorted(buyer["ids"])
    assert all(e.details == {"pseudonym": result.pseudonym} and e.actor == ADMIN.email for e in entries)
    assert [(a.action, a.subject, a.actor) for a in audits] == [("erasure", result.pseudonym, ADMIN.email)]
    assert audits[0].details == {"orders": 3, "reason": f"Request of 1 Dec, from {result.pseudonym}"}
    assert "jeanne" not in str(audits[0].details).lower() and "jeanne" not in str(entries).lower()


def test_the_history_of_an_erased_order_reads_with_the_pseudonym(engine, buyer):
    with unit_of_work(engine) as session:
        result = erase_buyer(session, actor=ADMIN, email=EMAIL, reason="Asked")
    with engine.connect() as conn:
        rows = [
            dict(row._mapping)
            for row in conn.execute(
                select(OrderHistory.id, OrderHistory.at, OrderHistory.action, OrderHistory.details)
                .where(OrderHistory.order_id == buyer["ids"][0])
                .order_by(OrderHistory.at, OrderHistory.id)
            )
        ]
    stored = next(r for r in rows if r["action"] == "modified")
    assert stored["details"]["buyer_email"]["new"] == "jeanne.doe@example.org"  # append-only: kept as written
    shown = erasure.redact_history(rows)
    modified = next(r for r in shown if r["action"] == "modified")
    assert modified["details"] == {"buyer_email": {"old": result.pseudonym, "new": result.pseudonym}}
    created = next(r for r in shown if r["action"] == "created")
    assert created["details"]["status"] == {"old": None, "new": "awaiting_payment"}  # not personal: as written
    sentences = " ".join(
        " ".join(describe(r["action"], r["details"], actor="Ana", reason="Asked", currency="EUR")) for r in shown
    )
    assert "jeanne" not in sentences.lower()
    assert f"Personal data erased by Ana: the buyer is now {result.pseudonym}." in sentences


def test_refused_as_a_whole_while_an_order_awaits_payment(engine, buyer):
    with unit_of_work(engine) as session:
        event_id, tariff_id = buyer["event"], buyer["tariff"]
        from orders_core.models import Event, Tariff

        event, tariff = session.get(Event, event_id), session.get(Tariff, tariff_id)
        owing = make_order(session, event, [(tariff, 1)], buyer_email=EMAIL).number
    before = _texts(engine)
    with pytest.raises(TransitionRefused, match=f"Order {owing} still awaits payment: nothing was erased"):
        with unit_of_work(engine) as session:
            erase_buyer(session, actor=ADMIN, email=EMAIL, reason="Asked")
    assert _texts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0
    preview = erasure_preview(engine, EMAIL.upper(), principal=ADMIN)
    assert preview.refused and preview.owing == (owing,)
    assert sorted(preview.orders) == sorted([*buyer["numbers"], owing])


def test_the_preview_counts_what_would_be_erased(engine, buyer):
    preview = erasure_preview(engine, "jeanne.doe@example.org", principal=ADMIN)
    assert not preview.refused
    assert preview.orders == tuple(sorted(buyer["numbers"]))
    assert preview.events == ("Gala",)
    assert preview.holders == 5  # 2 + 1 + 1 of hers, 1 in Max's order
    assert preview.emails >= 1 and preview.history_entries >= 4
    assert erasure_preview(engine, "nobody@example.org", principal=ADMIN).orders == ()


@pytest.mark.parametrize(
    "actor",
    [Actor("fin@example.org", "finance"), Actor("scoped@example.org", "admin", event_ids=frozenset({1}))],
    ids=["finance", "scoped_admin"],
)
def test_only_an_administrator_of_every_event_erases(engine, buyer, actor):
    before = _texts(engine)
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        erase_buyer(session, actor=actor, email=EMAIL, reason="Asked")
    with pytest.raises(NotAllowed):
        erasure_preview(engine, EMAIL, principal=actor)
    assert _texts(engine) == before


@pytest.mark.parametrize(
    ("email", "reason"), [("nobody@example.org", "Asked"), ("not an email", "Asked"), (EMAIL, "  ")]
)
def test_an_unknown_address_or_no_reason_is_refused(engine, buyer, email, reason):
    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        erase_buyer(session, actor=ADMIN, email=email, reason=reason)
