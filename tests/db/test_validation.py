"""Validating invoice orders (services.validation): on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.emails.outbox import order_context
from orders_core.emails.sender import send_due
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.models import Attendee, Order, OrderHistory, OutboxEmail, Payment
from orders_core.permissions import Actor
from orders_core.services.confirmations import contexts, materialise
from orders_core.services.validation import validate_orders
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")


class Recording:
    """A transport that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list = []

    def send(self, message) -> None:
        self.messages.append(message)


TODAY = datetime.now(UTC).date()


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar()
            for model in (Payment, Attendee, OrderHistory, OutboxEmail)
        }


@pytest.fixture
def shop(engine):
    """Two awaiting invoice orders (EUR with 2 badges + 1 product; USD with 1 ticket), one paid, one cancelled."""
    with unit_of_work(engine) as session:
        eur = make_event(session)
        badge = make_tariff(session, eur)
        lunch = make_tariff(session, eur, kind="product", unit_price_ht=Decimal("12.50"), tax_rate=Decimal("10"))
        usd = make_event(session, currency="USD", language="fr")
        ticket = make_tariff(session, usd, kind="ticket", unit_price_ht=Decimal("33.33"))
        first = make_order(
            session,
            eur,
            [(badge, 2), (lunch, 1)],
            holders=[("Grace", "Hopper", "grace@example.org"), ("Alan", "Turing", "")],
        )
        second = make_order(session, usd, [(ticket, 1)])
        paid = make_order(session, eur, [(badge, 1)], status="paid")
        cancelled = make_order(session, eur, [(badge, 1)], status="cancelled")
        return {
            "first": (first.id, first.number),
            "second": (second.id, second.number),
            "paid": (paid.id, paid.number),
            "cancelled": (cancelled.id, cancelled.number),
        }


def validate(engine, ids, **kwargs):
    args = dict(actor=FINANCE, order_ids=ids, method="bank_transfer", received_at=TODAY, reference="VIR 42")
    args.update(kwargs)
    with unit_of_work(engine) as session:
        return validate_orders(session, **args)


def test_validating_makes_orders_paid_with_payment_attendees_history_and_email(engine, shop):
    (first, first_no), (second, second_no) = shop["first"], shop["second"]
    result = validate(engine, [first, second])
    assert result.validated_numbers == [first_no, second_no]
    assert result.refused == []
    assert result.attendees_created == 3
    assert result.emails_queued == 2
    assert result.amounts == {"EUR": Decimal("253.75"), "USD": Decimal("40.00")}
    with unit_of_work(engine) as session:
        order = session.get(Order, first)
        assert order.status == "paid" and order.paid_at is not None
        assert order.amount_paid == order.total_ttc == Decimal("253.75")
        payment = session.scalars(select(Payment).where(Payment.order_id == first)).one()
        assert (
            payment.method,
            payment.amount,
            payment.currency,
            payment.reference,
            payment.purpose,
            payment.recorded_by,
        ) == ("bank_transfer", Decimal("253.75"), "EUR", "VIR 42", "settlement", FINANCE.email)
        attendees = session.scalars(select(Attendee).where(Attendee.order_id == first).order_by(Attendee.id)).all()
        assert [(a.first_name, a.last_name, a.email) for a in attendees] == [
            ("Grace", "Hopper", "grace@example.org"),
            ("Alan", "Turing", ""),
        ]
        entry = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == first, OrderHistory.action == "validated")
        ).one()
        assert entry.actor == FINANCE.email
        assert entry.details["status"] == {"old": "awaiting_payment", "new": "paid"}
        assert entry.details["payment"]["amount"] == "253.75"
        assert entry.details["attendees_created"] == 2
        emails = session.scalars(
            select(OutboxEmail).where(OutboxEmail.order_id.in_([first, second])).order_by(OutboxEmail.order_id)
        ).all()
        assert [(e.order_id, e.kind, e.status) for e in emails] == [
            (first, "order_confirmation", "queued"),
            (second, "order_confirmation", "queued"),
        ]
        # Queued unrendered (issue 19): the sender writes them when it sends them.
        assert [(e.subject, e.body_text, e.to_render["status"]) for e in emails] == [("", "", "paid")] * 2
    sent = Recording()
    report = send_due(engine, sent, limit=10)
    assert (report.failed, report.retrying) == (0, 0)
    subjects = {int(m["X-Orders-Email-Id"]): str(m["Subject"]) for m in sent.messages}
    assert str(first_no) in subjects[emails[0].id] and "confirmée" in subjects[emails[1].id]
    with unit_of_work(engine) as session:
        stored = session.get(OutboxEmail, emails[0].id)
        assert (stored.status, stored.subject, stored.to_render) == ("sent", subjects[emails[0].id], None)
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_validating_twice_creates_nothing_twice(engine, shop):
    first, first_no = shop["first"]
    validate(engine, [first])
    before = counts(engine)
    again = validate(engine, [first])
    assert again.validated == []
    assert [r.number for r in again.refused] == [first_no]
    assert "already “Payment validated”" in again.refused[0].reason and str(first_no) in again.refused[0].reason
    assert counts(engine) == before


def test_a_dry_run_reports_the_same_and_writes_nothing(engine, shop):
    ids = [shop["first"][0], shop["second"][0], shop["paid"][0]]
    before = counts(engine)
    dry = validate(engine, ids, dry_run=True)
    assert counts(engine) == before
    with unit_of_work(engine) as session:
        assert session.get(Order, shop["first"][0]).status == "awaiting_payment"
    real = validate(engine, ids)
    assert dry.dry_run and not real.dry_run
    assert (dry.validated, dry.refused, dry.attendees_created, dry.emails_queued, dry.amounts) == (
        real.validated,
        real.refused,
        real.attendees_created,
        real.emails_queued,
        real.amounts,
    )


def test_orders_that_cannot_be_validated_are_refused_one_by_one_and_the_others_validated(engine, shop):
    result = validate(engine, [shop["first"][0], shop["paid"][0], shop["cancelled"][0]])
    assert result.validated_numbers == [shop["first"][1]]
    reasons = {r.number: r.reason for r in result.refused}
    assert set(reasons) == {shop["paid"][1], shop["cancelled"][1]}
    assert "Payment validated" in reasons[shop["paid"][1]]
    assert "Payment cancelled" in reasons[shop["cancelled"][1]]


def test_a_deleted_order_is_refused_and_nothing_is_written(engine, shop):
    with unit_of_work(engine) as session:
        session.get(Order, shop["first"][0]).deleted_at = datetime.now(UTC)
    before = counts(engine)
    result = validate(engine, [shop["first"][0]])
    assert result.validated == [] and "deleted" in result.refused[0].reason
    assert counts(engine) == before


@pytest.mark.parametrize("role", ["event_manager", "marketer"])
def test_roles_other_than_finance_and_admin_may_not_validate(engine, shop, role):
    with pytest.raises(NotAllowed, match="does not allow"):
        validate(engine, [shop["first"][0]], actor=Actor("x@example.org", role))
    assert counts(engine)["payments"] == 1


def test_an_admin_may_validate(engine, shop):
    assert validate(engine, [shop["first"][0]], actor=Actor("a@example.org", "admin")).validated_numbers == [
        shop["first"][1]
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"order_ids": [999999]}, "Unknown order id"),
        ({"order_ids": []}, "at least one order"),
        ({"order_ids": ["1; DROP TABLE orders"]}, "is not an order id"),
        ({"method": ""}, "payment method"),
        ({"method": "online"}, "not a payment method"),
        ({"method": "'; DELETE FROM payments; --"}, "not a payment method"),
        ({"received_at": TODAY + timedelta(days=3)}, "in the future"),
        ({"received_at": datetime.now(UTC) + timedelta(hours=2)}, "in the future"),
        ({"received_at": None}, "date the payment was received"),
        ({"reference": "x" * 100_000}, "too long"),
    ],
)
def test_bad_input_is_refused_with_a_readable_message_and_nothing_written(engine, shop, change, message):
    before = counts(engine)
    change = dict(change)
    ids = change.pop("order_ids", [shop["first"][0]])
    with pytest.raises(InvalidInput, match=message):
        validate(engine, ids, **change)
    assert counts(engine) == before
    with unit_of_work(engine) as session:
        assert session.get(Order, shop["first"][0]).status == "awaiting_payment"


def test_an_sql_looking_reference_is_stored_as_typed(engine, shop):
    reference = "'); DROP TABLE orders; --"
    validate(engine, [shop["first"][0]], reference=reference)
    with unit_of_work(engine) as session:
        assert session.scalars(select(Payment.reference).where(Payment.order_id == shop["first"][0])).one() == reference
        assert session.scalar(select(func.count()).select_from(Order)) == 4


def test_a_payment_dated_before_the_order_pays_it_at_its_creation(engine, shop):
    validate(engine, [shop["first"][0]], received_at=date(2020, 1, 1))
    with engine.connect() as conn:
        assert check_database(conn, ["paid_after_created"]) == []


def test_the_bulk_email_context_is_the_one_queue_email_uses(engine, shop):
    with unit_of_work(engine) as session:
        for order_id, _number in (shop["first"], shop["second"]):
            order = session.get(Order, order_id)
            assert materialise(contexts(session, [order_id])[order_id][1]) == order_context(session, order)
