"""The order wizard's services on SQLite and PostgreSQL: creating organiser orders, modifying
unvalidated ones with the version check, adding tickets to paid ones and settling the balance."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from orders_core.checks import check_database
from orders_core.db import unit_of_work
from orders_core.errors import ConflictError, InvalidInput, NotAllowed, TransitionRefused
from orders_core.models import (
    Attendee,
    FieldValue,
    Order,
    OrderHistory,
    OrderItem,
    OrderLine,
    OutboxEmail,
    Payment,
)
from orders_core.permissions import Actor
from orders_core.services.forms import add_field
from orders_core.services.order_changes import add_tickets, modify_order, record_balance_payment
from orders_core.services.order_creation import create_order, quote_order
from tests.factories import NOW, make_code, make_event, make_order, make_seat_plan, make_tariff

MANAGER = Actor("manager@example.org", "event_manager")
ADMIN = Actor("admin@example.org", "admin")
FINANCE = Actor("finance@example.org", "finance")
BUYER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "company_name": "Analytical"}


def holders(n: int) -> list[dict]:
    return [{"first_name": f"Holder{i}", "last_name": "Test", "email": f"h{i}@example.org"} for i in range(n)]


@pytest.fixture
def catalogue(engine):
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event, name="Badge", unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        lunch = make_tariff(
            session, event, kind="product", name="Lunch", unit_price_ht=Decimal("12.50"), tax_rate=Decimal("10")
        )
        make_code(session, event, "TEN", percent_off=Decimal("10"))
        make_code(session, event, "FREE", percent_off=Decimal("100"))
        return {"event": event.id, "badge": badge.id, "lunch": lunch.id}


def create(engine, catalogue, **overrides):
    values = dict(
        actor=MANAGER,
        event_id=catalogue["event"],
        quantities={catalogue["badge"]: 2, catalogue["lunch"]: 1},
        codes=[],
        buyer=BUYER,
        holders=holders(2),
        payment={"mode": "invoice"},
    )
    values.update(overrides)
    with unit_of_work(engine) as session:
        order = create_order(session, **values)
        return order.id, order.number


def assert_clean(engine):
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_an_invoice_order_is_created_by_the_organiser_with_lines_items_history_and_email(engine, catalogue):
    order_id, number = create(engine, catalogue, codes=["ten"], send_payment_details=True)
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.source, order.status, order.payment_mode) == ("organizer", "awaiting_payment", "invoice")
        assert 1000000 <= number <= 9999999
        # 2 x 100 - 10 % = 180 HT + 36 tax; 12.50 - 1.25 = 11.25 HT + 1.13 tax (half-up)
        assert (order.total_ht, order.total_ttc) == (Decimal("191.25"), Decimal("228.38"))
        assert order.discount_code == "TEN"
        assert session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.order_id == order_id)) == 2
        names = session.scalars(
            select(OrderItem.holder_first_name).where(OrderItem.order_id == order_id).order_by(OrderItem.id)
        ).all()
        assert names == ["Holder0", "Holder1"]
        entry = session.scalars(select(OrderHistory).where(OrderHistory.order_id == order_id)).one()
        assert entry.action == "created" and entry.actor == MANAGER.email
        email = session.scalars(select(OutboxEmail).where(OutboxEmail.order_id == order_id)).one()
        assert (email.kind, email.recipient, email.status) == ("payment_details", "ada@example.org", "queued")
        assert str(number) in email.subject
        assert session.scalar(select(func.count()).select_from(Attendee)) == 0
    assert_clean(engine)


def test_order_numbers_follow_the_counter_and_are_never_reused(engine, catalogue):
    numbers = [create(engine, catalogue)[1] for _ in range(3)]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_a_paid_offline_order_gets_its_payment_and_attendees_at_once(engine, catalogue):
    order_id, _ = create(engine, catalogue, payment={"mode": "paid_offline", "method": "cash", "reference": "till 3"})
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.status, order.payment_mode) == ("paid", "box_office")  # paid at the desk (issue 20)
        assert order.amount_paid == order.total_ttc and order.paid_at is not None
        payment = session.scalars(select(Payment).where(Payment.order_id == order_id)).one()
        assert (payment.method, payment.amount, payment.reference) == ("cash", order.total_ttc, "till 3")
        attendees = session.scalars(
            select(Attendee.first_name).where(Attendee.order_id == order_id).order_by(Attendee.id)
        ).all()
        assert attendees == ["Holder0", "Holder1"]
    assert_clean(engine)


def test_a_paid_offline_date_alone_is_the_day_the_money_arrived_and_a_future_one_is_refused(engine, catalogue):
    from datetime import UTC, date, datetime

    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    order_id, _ = create(
        engine, catalogue, payment={"mode": "paid_offline", "method": "cash", "received_at": yesterday}
    )
    with unit_of_work(engine) as session:
        payment = session.scalars(select(Payment).where(Payment.order_id == order_id)).one()
        assert payment.received_at.date() == yesterday
    tomorrow = date.today() + timedelta(days=3)
    with pytest.raises(InvalidInput) as refused:
        create(engine, catalogue, payment={"mode": "paid_offline", "method": "cash", "received_at": tomorrow})
    assert "is in the future" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        create(engine, catalogue, payment={"mode": "paid_offline", "method": "cash", "received_at": "soon"})
    assert refused.value.message == "The payment date is not a date."


def test_a_100_percent_code_makes_the_order_free_and_validated(engine, catalogue):
    order_id, _ = create(engine, catalogue, codes=["free"], payment={"mode": "invoice"})
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.total_ttc, order.payment_mode, order.status) == (Decimal("0.00"), "free", "paid")
        assert session.scalar(select(func.count()).select_from(Attendee).where(Attendee.order_id == order_id)) == 2
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
    assert_clean(engine)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"codes": ["free"], "payment": {"mode": "invoice"}},
            "The order is free: there are no payment details to send.",
        ),
        (
            {"payment": {"mode": "paid_offline", "method": "cash"}},
            "The order is paid at once: there are no payment details to send.",
        ),
    ],
)
def test_payment_details_are_never_sent_for_a_free_or_paid_order(engine, catalogue, overrides, message):
    """Issue 18 item 10: "send the payment details" was taken on a free order."""
    with pytest.raises(InvalidInput, match=message):
        create(engine, catalogue, send_payment_details=True, **overrides)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_custom_values_are_stored_for_the_order_and_each_holder(engine, catalogue):
    with unit_of_work(engine) as session:
        job = add_field(
            session,
            actor=ADMIN,
            event_id=catalogue["event"],
            form="buyer",
            field_type="text",
            label_en="Job title",
            label_fr="Fonction",
            required=True,
        )
        size = add_field(
            session,
            actor=ADMIN,
            event_id=catalogue["event"],
            form="badge",
            field_type="select",
            label_en="T-shirt",
            label_fr="T-shirt",
            options=["S", "M", "L"],
        )
    people = holders(2)
    people[1]["fields"] = {size.id: "M"}
    with pytest.raises(InvalidInput, match="'Job title' is required"):
        create(engine, catalogue, custom_values={})
    order_id, _ = create(engine, catalogue, custom_values={str(job.id): "CTO"}, holders=people)
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(FieldValue.field_id, FieldValue.order_item_id, FieldValue.value).where(
                FieldValue.order_id == order_id
            )
        ).all()
        assert (job.id, None, "CTO") in rows
        assert [(f, v) for f, item, v in rows if item is not None] == [(size.id, "M")]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"buyer": {**BUYER, "email": ""}}, "The buyer's email is mandatory"),
        ({"buyer": {**BUYER, "email": "not-an-email"}}, "is not a valid email address"),
        ({"quantities": {}}, "Choose at least one badge"),
        ({"codes": ["NOPE"]}, "NOPE does not exist for this event"),
        ({"codes": ["TEN", "FREE"]}, "single discount code"),
        # Issue 18 item 10: an unknown code beside a valid one is named as unknown, in any order.
        ({"codes": ["TEN", "NOPE"]}, "^The discount code NOPE does not exist for this event."),
        ({"codes": ["NOPE", "TEN"]}, "^The discount code NOPE does not exist for this event."),
        ({"holders": holders(1)}, "2 expected, 1 given"),
        ({"payment": {"mode": "paid_offline"}}, "Choose how the order was paid"),
    ],
)
def test_creation_is_refused_with_a_readable_message_and_saves_nothing(engine, catalogue, overrides, message):
    with pytest.raises(InvalidInput, match=message):
        create(engine, catalogue, **overrides)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_roles_that_may_not_create_orders_are_refused(engine, catalogue):
    with pytest.raises(NotAllowed):
        create(engine, catalogue, actor=FINANCE)


def test_inactive_tariffs_closed_sales_and_expired_codes_are_refused(engine, catalogue):
    with unit_of_work(engine) as session:
        event_id = catalogue["event"]
        from orders_core.models import Event

        event = session.get(Event, event_id)
        closed = make_tariff(session, event, name="Early bird", sales_end=NOW - timedelta(days=1))
        inactive = make_tariff(session, event, name="Old", active=False)
        make_code(session, event, "OLD", valid_until=NOW - timedelta(days=1))
        with pytest.raises(InvalidInput, match="Early bird have ended"):
            quote_order(session, event_id=event_id, quantities={closed.id: 1}, at=NOW)
        with pytest.raises(InvalidInput, match="Old is no longer active"):
            quote_order(session, event_id=event_id, quantities={inactive.id: 1}, at=NOW)
        with pytest.raises(InvalidInput, match="OLD expired"):
            quote_order(session, event_id=event_id, quantities={catalogue["badge"]: 1}, codes=["old"], at=NOW)
        with pytest.raises(InvalidInput, match="cannot be negative"):
            quote_order(session, event_id=event_id, quantities={catalogue["badge"]: -1}, at=NOW)


def test_capacity_counts_the_units_held_by_other_orders(engine, catalogue):
    with unit_of_work(engine) as session:
        from orders_core.models import Tariff

        session.get(Tariff, catalogue["badge"]).capacity = 3
    create(engine, catalogue)
    with pytest.raises(InvalidInput, match="Only 1 left of Badge: 2 asked"):
        create(engine, catalogue)


def _race(engine, count: int, work) -> tuple[int, list[str]]:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run():
        barrier.wait()
        try:
            work()
            outcome = "ok"
        except InvalidInput as error:
            outcome = error.message
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results.count("ok"), [r for r in results if r != "ok"]


def test_concurrent_creations_never_sell_more_than_the_capacity(engine, catalogue):
    with unit_of_work(engine) as session:
        from orders_core.models import Tariff

        session.get(Tariff, catalogue["badge"]).capacity = 3
    successes, refusals = _race(
        engine, 6, lambda: create(engine, catalogue, quantities={catalogue["badge"]: 1}, holders=holders(1))
    )
    assert successes == 3
    assert len(refusals) == 3 and all("Only 0 left of Badge" in r for r in refusals)
    with unit_of_work(engine) as session:
        held = session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.tariff_id == catalogue["badge"]))
        assert held == 3
    assert_clean(engine)


def test_concurrent_creations_never_use_a_code_more_than_allowed(engine, catalogue):
    with unit_of_work(engine) as session:
        from orders_core.models import Event

        make_code(session, session.get(Event, catalogue["event"]), "TWICE", percent_off=Decimal("5"), max_uses=2)
    successes, refusals = _race(engine, 5, lambda: create(engine, catalogue, codes=["twice"]))
    assert successes == 2
    assert len(refusals) == 3 and all("usage limit" in r for r in refusals)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Order).where(Order.discount_code == "TWICE")) == 2


def test_modifying_recomputes_totals_and_writes_one_entry_with_every_change(engine, catalogue):
    order_id, _ = create(engine, catalogue)
    with unit_of_work(engine) as session:
        order = modify_order(
            session,
            actor=MANAGER,
            order_id=order_id,
            expected_version=1,
            quantities={catalogue["badge"]: 1},
            codes=["TEN"],
            buyer={**BUYER, "last_name": "Byron"},
            holders=[{"first_name": "Holder0", "last_name": "Test", "email": "h0@example.org"}],
            payment={"mode": "invoice"},
            notify_buyer=True,
        )
        assert (order.total_ht, order.total_ttc, order.version) == (Decimal("90.00"), Decimal("108.00"), 2)
    with unit_of_work(engine) as session:
        entries = session.scalars(
            select(OrderHistory).where(OrderHistory.order_id == order_id, OrderHistory.action == "modified")
        ).all()
        assert len(entries) == 1
        details = entries[0].details
        assert details["buyer_last_name"] == {"old": "Lovelace", "new": "Byron"}
        assert details["discount_code"] == {"old": None, "new": "TEN"}
        assert details["lines"] == {"old": "2 x Badge, 1 x Lunch", "new": "1 x Badge"}
        assert details["total_ttc"] == {"old": "253.75", "new": "108.00"}
        assert details["holders"] == [{"n": 2, "removed": "Holder1 Test <h1@example.org>"}]
        assert session.scalars(select(OutboxEmail.kind).where(OutboxEmail.order_id == order_id)).all() == [
            "order_changed"
        ]
    assert_clean(engine)


def test_modifying_an_order_changed_since_it_was_opened_is_refused_and_says_so(engine, catalogue):
    order_id, number = create(engine, catalogue)
    change = dict(
        actor=MANAGER,
        order_id=order_id,
        quantities={catalogue["badge"]: 2, catalogue["lunch"]: 1},
        buyer=BUYER,
        holders=holders(2),
        payment={"mode": "invoice"},
    )
    with unit_of_work(engine) as session:
        modify_order(session, expected_version=1, **{**change, "buyer": {**BUYER, "phone": "0102"}})
    with pytest.raises(ConflictError, match=f"Order {number} was changed by someone else .* now 2"):
        with unit_of_work(engine) as session:
            modify_order(session, expected_version=1, **{**change, "buyer": {**BUYER, "phone": "0999"}})
    with unit_of_work(engine) as session:
        order = session.get(Order, order_id)
        assert (order.buyer_phone, order.version) == ("0102", 2)


def test_paid_and_cancelled_orders_cannot_be_modified(engine, catalogue):
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        event, badge = session.get(Event, catalogue["event"]), session.get(Tariff, catalogue["badge"])
        order = make_order(session, event, [(badge, 1)], status="paid")
        paid, version = order.id, order.version
    with pytest.raises(TransitionRefused, match="can no longer be modified"), unit_of_work(engine) as session:
        modify_order(
            session,
            actor=MANAGER,
            order_id=paid,
            expected_version=version,
            quantities={catalogue["badge"]: 2},
            buyer=BUYER,
            holders=holders(2),
        )


def test_nothing_changed_is_not_saved(engine, catalogue):
    order_id, _ = create(engine, catalogue)
    with pytest.raises(InvalidInput, match="Nothing changed"), unit_of_work(engine) as session:
        modify_order(
            session,
            actor=MANAGER,
            order_id=order_id,
            expected_version=1,
            quantities={catalogue["badge"]: 2, catalogue["lunch"]: 1},
            buyer=BUYER,
            holders=holders(2),
            payment={"mode": "invoice"},
        )


def test_the_balance_due_cycle_ends_with_attendees_and_a_clean_database(engine, catalogue):
    order_id, _ = create(engine, catalogue, payment={"mode": "paid_offline", "method": "card"})
    with unit_of_work(engine) as session:
        order = add_tickets(
            session,
            actor=MANAGER,
            order_id=order_id,
            tariff_id=catalogue["badge"],
            quantity=1,
            reason_note="Buyer called to add a colleague",
            holders=[{"first_name": "Grace", "last_name": "Hopper"}],
        )
        assert order.total_ttc - order.amount_paid == Decimal("120.00")
        assert order.notes.endswith(": Buyer called to add a colleague")
        assert session.scalar(select(func.count()).select_from(Attendee).where(Attendee.order_id == order_id)) == 2
    assert_clean(engine)  # a paid organiser order with a dated note may owe
    with pytest.raises(InvalidInput, match="more than the balance due"), unit_of_work(engine) as session:
        record_balance_payment(session, actor=FINANCE, order_id=order_id, method="cheque", amount="150.00")
    with unit_of_work(engine) as session:
        outcome = record_balance_payment(
            session,
            actor=FINANCE,
            order_id=order_id,
            method="cheque",
            amount="120.00",
            reference="CHQ 42",
            resend_confirmation=True,
        )
        assert outcome.balance_due == Decimal("0.00")
    with unit_of_work(engine) as session:
        names = session.scalars(
            select(Attendee.first_name).where(Attendee.order_id == order_id).order_by(Attendee.id)
        ).all()
        assert names == ["Holder0", "Holder1", "Grace"]
        kinds = session.scalars(
            select(OutboxEmail.kind).where(OutboxEmail.order_id == order_id).order_by(OutboxEmail.id)
        ).all()
        # The confirmation of the first payment, then both again once the balance is paid.
        assert kinds == ["order_confirmation", "order_confirmation", "tickets"]
        actions = session.scalars(
            select(OrderHistory.action).where(OrderHistory.order_id == order_id).order_by(OrderHistory.id)
        ).all()
        assert actions == ["created", "validated", "tickets_added", "payment_recorded"]
    assert_clean(engine)


def test_tickets_cannot_be_added_to_online_or_unpaid_orders_or_without_a_reason(engine, catalogue):
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        event, badge = session.get(Event, catalogue["event"]), session.get(Tariff, catalogue["badge"])
        online = make_order(session, event, [(badge, 1)], status="paid").id
    unpaid, _ = create(engine, catalogue)
    paid, _ = create(engine, catalogue, payment={"mode": "paid_offline", "method": "cash"})
    attempts = [
        (online, "Phone call", TransitionRefused, "was sold online"),
        (unpaid, "Phone call", TransitionRefused, "not validated yet: modify it instead"),
        (paid, "  ", InvalidInput, "Write the reason"),
    ]
    for order_id, note, error, message in attempts:
        with pytest.raises(error, match=message), unit_of_work(engine) as session:
            add_tickets(
                session,
                actor=MANAGER,
                order_id=order_id,
                tariff_id=catalogue["badge"],
                quantity=1,
                reason_note=note,
            )


def test_added_tickets_take_the_order_delivery_mode_and_free_seats_on_seated_events(engine):
    with unit_of_work(engine) as session:
        event = make_event(session, seated=True)
        ticket = make_tariff(session, event, kind="ticket", name="Seat")
        make_seat_plan(session, event, rows="1", per_row=5)
        order = make_order(session, event, [(ticket, 1)], status="paid", source="organizer", seats=["A-1-1"])
        for item in session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)):
            item.delivery_mode = "will_call"
        order_id, ticket_id = order.id, ticket.id
    with pytest.raises(InvalidInput, match="Seat A-1-1 is already sold"), unit_of_work(engine) as session:
        add_tickets(
            session,
            actor=MANAGER,
            order_id=order_id,
            tariff_id=ticket_id,
            quantity=1,
            seats=["A-1-1"],
            reason_note="next to A1",
        )
    with pytest.raises(InvalidInput, match="choose a seat"), unit_of_work(engine) as session:
        add_tickets(
            session, actor=MANAGER, order_id=order_id, tariff_id=ticket_id, quantity=1, reason_note="next to A1"
        )
    with unit_of_work(engine) as session:
        add_tickets(
            session,
            actor=MANAGER,
            order_id=order_id,
            tariff_id=ticket_id,
            quantity=1,
            seats=["A-1-2"],
            reason_note="next to A1",
        )
        added = session.scalars(
            select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.id.desc())
        ).first()
        assert (added.seat, added.delivery_mode) == ("A-1-2", "will_call")


# --- totals of saved orders, property-based -------------------------------------------------------

from fractions import Fraction  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from orders_core.models import DiscountCodeTariff  # noqa: E402
from tests.unit.test_order_totals_properties import half_up  # noqa: E402

EVERY_EVENT = Actor("admin@example.org", "admin")  # issue 17: a principal of every event

tariff_specs = st.lists(
    st.tuples(st.integers(0, 100_000), st.sampled_from(["0", "5.5", "14.975", "20"]), st.integers(1, 5), st.booleans()),
    min_size=1,
    max_size=4,
)
codes = st.one_of(
    st.none(),
    st.integers(1, 10_000).map(lambda bp: ("percent", Decimal(bp) / 100)),
    st.integers(1, 100_000).map(lambda c: ("amount", Decimal(c) / 100)),
    st.just(("percent", Decimal(100))),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=tariff_specs, code=codes)
def test_saved_order_totals_match_an_independent_computation(engine, specs, code):
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariffs = [
            make_tariff(session, event, kind="product", unit_price_ht=Decimal(cents) / 100, tax_rate=Decimal(rate))
            for cents, rate, _q, _eligible in specs
        ]
        code_name = None
        if code:
            kind, value = code
            found = make_code(
                session,
                event,
                f"C{event.id}",
                percent_off=value if kind == "percent" else None,
                amount_off=value if kind == "amount" else None,
            )
            eligible = [t for t, spec in zip(tariffs, specs) if spec[3]]
            if eligible and len(eligible) < len(tariffs):
                session.add_all(DiscountCodeTariff(discount_code_id=found.id, tariff_id=t.id) for t in eligible)
            code_name = found.code
            applies = {t.id for t in eligible} if eligible and len(eligible) < len(tariffs) else {t.id for t in tariffs}
        order = create_order(
            session,
            actor=MANAGER,
            event_id=event.id,
            quantities={t.id: spec[2] for t, spec in zip(tariffs, specs)},
            codes=[code_name] if code_name else [],
            buyer=BUYER,
            payment={"mode": "invoice"},
        )
        gross = {t.id: Fraction(t.unit_price_ht) * spec[2] for t, spec in zip(tariffs, specs)}
        discounts = {t.id: Fraction(0) for t in tariffs}
        if code:
            base = sum(gross[i] for i in applies)
            if kind == "percent":
                discounts.update({i: half_up(gross[i] * Fraction(value) / 100) for i in applies})
            else:
                lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
                discounts.update({line.tariff_id: Fraction(line.discount_amount) for line in lines})
                assert sum(discounts.values()) == min(Fraction(value), base)
        expected_ht = expected_ttc = Fraction(0)
        for tariff in tariffs:
            ht = gross[tariff.id] - discounts[tariff.id]
            expected_ht += ht
            expected_ttc += ht + half_up(ht * Fraction(tariff.tax_rate) / 100)
        assert Fraction(order.total_ht) == expected_ht
        assert Fraction(order.total_ttc) == expected_ttc
        assert order.payment_mode == ("free" if expected_ttc == 0 else "invoice")
    with engine.connect() as conn:
        assert check_database(conn) == []


def test_custom_values_come_out_as_export_columns(engine, catalogue):
    from queries.custom_values import custom_columns, custom_values_of

    with unit_of_work(engine) as session:
        job = add_field(
            session,
            actor=ADMIN,
            event_id=catalogue["event"],
            form="buyer",
            field_type="text",
            label_en="Job title",
            label_fr="Fonction",
        )
        vip = add_field(
            session,
            actor=ADMIN,
            event_id=catalogue["event"],
            form="order",
            field_type="checkbox",
            label_en="VIP",
            label_fr="VIP",
        )
        add_field(
            session,
            actor=ADMIN,
            event_id=catalogue["event"],
            form="badge",
            field_type="text",
            label_en="Badge name",
            label_fr="Nom du badge",
        )
    order_id, _ = create(engine, catalogue, custom_values={job.id: "CTO", vip.id: True})
    assert custom_columns(engine, [catalogue["event"]], principal=EVERY_EVENT) == [
        ("buyer.job_title", "Job title"),
        ("order.vip", "VIP"),
    ]
    assert custom_values_of(engine, [order_id], principal=EVERY_EVENT) == {
        order_id: {"buyer.job_title": "CTO", "order.vip": "Yes"}
    }
