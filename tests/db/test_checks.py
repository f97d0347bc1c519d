"""`orders check`: every invariant it knows is broken on purpose in a small consistent data set
and must be reported with the broken order's number (or as a database-wide violation when
the invariant is not about one order); the clean set reports nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update

from orders_core.checks import INVARIANTS, check_database
from orders_core.db import unit_of_work
from orders_core.models import (
    Attendee,
    Invoice,
    InvoiceLine,
    Order,
    OrderHistory,
    OrderItem,
    OrderLine,
    Payment,
    Refund,
    Seat,
    SeatAssignment,
)
from orders_core.summaries import SUMMARIES
from tests.append_only import lift_append_only
from tests.factories import make_code, make_event, make_order, make_seller_settings, make_tariff


@pytest.fixture
def dataset(engine) -> dict:
    """A paid order (2 badges + 1 product, invoiced on payment), an invoice awaiting payment, a
    free order (100 % code), an unfinished cart; and a second event in USD to point things at by
    mistake."""
    with unit_of_work(engine) as session:
        make_seller_settings(session)
        event = make_event(session, currency="EUR")
        badge = make_tariff(session, event, kind="badge", unit_price_ht=Decimal("100.00"))
        product = make_tariff(session, event, kind="product", unit_price_ht=Decimal("15.50"))
        free_code = make_code(session, event, "FREE100", percent_off=Decimal("100"))
        usd_event = make_event(session, currency="USD", timezone="America/New_York")
        usd_badge = make_tariff(session, usd_event, kind="badge")
        paid = make_order(session, event, [(badge, 2), (product, 1)], status="paid")
        awaiting = make_order(session, event, [(badge, 1)], status="awaiting_payment")
        free = make_order(session, event, [(badge, 1)], code=free_code, status="paid")
        cart = make_order(session, event, [(badge, 1)], status="cart_incomplete", payment_mode="undefined")
        return {
            "paid": (paid.id, paid.number),
            "awaiting": (awaiting.id, awaiting.number),
            "free": (free.id, free.number),
            "cart": (cart.id, cart.number),
            "usd_event": usd_event.id,
            "usd_badge": usd_badge.id,
        }


def _allow_breaking_checks(conn: Connection, table: str, *constraints: str) -> None:
    """Some invariants are also CHECK constraints; to break them on purpose, drop them in
    this test's own database (PostgreSQL) or tell SQLite to ignore them on this connection."""
    if conn.dialect.name == "postgresql":
        for name in constraints:
            conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
    else:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")


def _id(data, key):
    return data[key][0]


def _number(data, key):
    return data[key][1]


def _set_order(conn, data, key, **values) -> int:
    conn.execute(update(Order).where(Order.id == _id(data, key)).values(**values))
    return values.get("number", _number(data, key))


def _first_line(conn, data, key) -> int:
    return conn.execute(
        select(OrderLine.id).where(OrderLine.order_id == _id(data, key)).order_by(OrderLine.id)
    ).scalar()


def _break_number_range(conn, data):
    _allow_breaking_checks(conn, "orders", "ck_orders_number_seven_digits")
    return _set_order(conn, data, "awaiting", number=123)


def _break_status_value(conn, data):
    _allow_breaking_checks(conn, "orders", "ck_orders_status")
    return _set_order(conn, data, "awaiting", status="shipped")


def _break_payment_mode_value(conn, data):
    _allow_breaking_checks(conn, "orders", "ck_orders_payment_mode")
    return _set_order(conn, data, "awaiting", payment_mode="paypal")


def _break_source_value(conn, data):
    _allow_breaking_checks(conn, "orders", "ck_orders_source")
    return _set_order(conn, data, "awaiting", source="kiosk")


def _break_currency_code(conn, data):
    return _set_order(conn, data, "awaiting", currency="eur")


def _break_free_iff_zero_total(conn, data):
    return _set_order(conn, data, "awaiting", payment_mode="free")


def _break_undefined_only_for_unfinished_carts(conn, data):
    return _set_order(conn, data, "awaiting", payment_mode="undefined")


def _break_box_office_only_for_desk_settlements(conn, data):
    # The paid order was settled by the factory's payment, not at the desk.
    return _set_order(conn, data, "paid", payment_mode="box_office")


def _break_paid_at_iff_paid(conn, data):
    return _set_order(conn, data, "awaiting", paid_at=datetime(2026, 11, 19, tzinfo=UTC))


def _break_paid_after_created(conn, data):
    created = conn.execute(select(Order.created_at).where(Order.id == _id(data, "paid"))).scalar_one()
    return _set_order(conn, data, "paid", paid_at=created - timedelta(days=1))


def _break_order_has_lines(conn, data):
    order_id = _id(data, "cart")
    conn.execute(delete(OrderItem).where(OrderItem.order_id == order_id))
    conn.execute(delete(OrderLine).where(OrderLine.order_id == order_id))
    return _number(data, "cart")


def _break_totals_are_sums_of_lines(conn, data):
    return _set_order(conn, data, "awaiting", total_ttc=Order.total_ttc + Decimal("1.00"))


def _break_line_currency_is_order_currency(conn, data):
    conn.execute(
        update(OrderLine).where(OrderLine.order_id == _id(data, "awaiting")).values(tariff_id=data["usd_badge"])
    )
    return _number(data, "awaiting")


def _break_line_kind_is_tariff_kind(conn, data):
    conn.execute(update(OrderLine).where(OrderLine.order_id == _id(data, "awaiting")).values(kind="ticket"))
    return _number(data, "awaiting")


def _break_one_item_per_admitting_unit(conn, data):
    conn.execute(delete(OrderItem).where(OrderItem.order_id == _id(data, "awaiting")))
    return _number(data, "awaiting")


def _break_item_belongs_to_its_line_order(conn, data):
    item = conn.execute(select(OrderItem.id).where(OrderItem.order_id == _id(data, "paid"))).scalars().first()
    conn.execute(
        update(OrderItem).where(OrderItem.id == item).values(order_line_id=_first_line(conn, data, "awaiting"))
    )
    return _number(data, "paid")


def _break_attendees_only_for_paid_orders(conn, data):
    item = conn.execute(select(OrderItem).where(OrderItem.order_id == _id(data, "awaiting"))).first()
    event_id = conn.execute(select(Order.event_id).where(Order.id == _id(data, "awaiting"))).scalar_one()
    conn.execute(
        insert(Attendee).values(
            event_id=event_id,
            order_id=_id(data, "awaiting"),
            order_item_id=item.id,
            first_name="Early",
            last_name="Bird",
            email="",
            registered_at=datetime(2026, 11, 19, tzinfo=UTC),
        )
    )
    return _number(data, "awaiting")


def _break_attendee_per_unit_of_settled_paid_order(conn, data):
    attendee = conn.execute(select(Attendee.id).where(Attendee.order_id == _id(data, "paid"))).scalars().first()
    conn.execute(delete(Attendee).where(Attendee.id == attendee))
    return _number(data, "paid")


def _break_live_attendee_holds_a_ticket(conn, data):
    event_id = conn.execute(select(Order.event_id).where(Order.id == _id(data, "paid"))).scalar_one()
    conn.execute(
        insert(Attendee).values(
            event_id=event_id,
            order_id=_id(data, "paid"),
            order_item_id=None,
            first_name="Cancelled",
            last_name="Ticket",
            email="",
            registered_at=datetime(2026, 11, 19, tzinfo=UTC),
        )
    )
    return _number(data, "paid")


def _break_attendee_matches_its_order(conn, data):
    attendee = conn.execute(select(Attendee.id).where(Attendee.order_id == _id(data, "paid"))).scalars().first()
    conn.execute(update(Attendee).where(Attendee.id == attendee).values(event_id=data["usd_event"]))
    return _number(data, "paid")


def _break_payment_state_matches_ledger(conn, data):
    return _set_order(conn, data, "paid", payment_state="overpaid")


def _break_paid_iff_payments_cover_total(conn, data):
    # Money covering the awaiting order arrived, but the order was never made paid.
    total = conn.execute(select(Order.total_ttc).where(Order.id == _id(data, "awaiting"))).scalar_one()
    _payment(conn, data, "awaiting", amount=total, purpose="payment")
    return _set_order(conn, data, "awaiting", amount_paid=total, payment_state="paid")


def _break_one_settlement_per_order(conn, data):
    conn.execute(text("DROP INDEX uq_payments_settlement_order_id"))
    _payment(conn, data, "paid", amount=Decimal("0.01"), purpose="settlement")
    return _number(data, "paid")


def _break_refund_currency_is_order_currency(conn, data):
    conn.execute(
        insert(Refund).values(
            order_id=_id(data, "paid"),
            amount=Decimal("1.00"),
            currency="USD",
            method="cheque",
            reference="",
            refunded_at=datetime(2026, 11, 19, tzinfo=UTC),
            reason="Broken on purpose",
            recorded_by="tests",
            created_at=datetime(2026, 11, 19, tzinfo=UTC),
        )
    )
    return _set_order(conn, data, "paid", amount_paid=Order.amount_paid - Decimal("1.00"))


def _payment(conn, data, key, *, amount, purpose) -> None:
    conn.execute(
        insert(Payment).values(
            order_id=_id(data, key),
            method="cheque",
            amount=amount,
            currency="EUR",
            received_at=datetime(2026, 11, 19, tzinfo=UTC),
            reference="",
            recorded_by="tests",
            created_at=datetime(2026, 11, 19, tzinfo=UTC),
            purpose=purpose,
        )
    )


def _break_amount_paid_is_payments_minus_refunds(conn, data):
    lift_append_only(conn, "payments")
    conn.execute(
        update(Payment).where(Payment.order_id == _id(data, "paid")).values(amount=Payment.amount - Decimal("0.01"))
    )
    return _number(data, "paid")


def _break_payment_currency_is_order_currency(conn, data):
    lift_append_only(conn, "payments")
    conn.execute(update(Payment).where(Payment.order_id == _id(data, "paid")).values(currency="USD"))
    return _number(data, "paid")


def _break_paid_orders_are_settled_unless_organizer_added_tickets(conn, data):
    lift_append_only(conn, "payments")
    conn.execute(
        update(Payment).where(Payment.order_id == _id(data, "paid")).values(amount=Payment.amount - Decimal("10.00"))
    )
    return _set_order(conn, data, "paid", amount_paid=Order.amount_paid - Decimal("10.00"))


def _break_history_exists(conn, data):
    lift_append_only(conn, "order_history")
    conn.execute(delete(OrderHistory).where(OrderHistory.order_id == _id(data, "awaiting")))
    return _number(data, "awaiting")


def _break_discount_code_exists(conn, data):
    return _set_order(conn, data, "awaiting", discount_code="NOSUCHCODE")


def _break_line_arithmetic(conn, data):
    conn.execute(
        update(OrderLine)
        .where(OrderLine.id == _first_line(conn, data, "awaiting"))
        .values(unit_price_ht=OrderLine.unit_price_ht + Decimal("0.01"))
    )
    return _number(data, "awaiting")


def _break_order_summary_matches_orders(conn, data):
    # The summary is per day/event/status..., not per order: its violation names no order.
    conn.execute(
        text(
            "UPDATE order_summary SET orders = orders + 1, total_ttc_cents = total_ttc_cents + 1 "
            "WHERE status = 'awaiting_payment'"
        )
    )
    return None


def _break_amounts_finite(conn, data):
    # Stored before migration 0015_limits: PostgreSQL's numeric took 'NaN', SQLite's float Infinity.
    _allow_breaking_checks(conn, "orders", "ck_orders_amount_paid_limit")
    if conn.dialect.name == "postgresql":  # the summary triggers cannot turn NaN into cents
        conn.execute(text("ALTER TABLE orders DISABLE TRIGGER USER"))
    not_finite = "'NaN'" if conn.dialect.name == "postgresql" else "9e999"
    conn.execute(text(f"UPDATE orders SET amount_paid = {not_finite} WHERE id = {_id(data, 'cart')}"))
    return _number(data, "cart")


def _break_dashboard_summary(table: str, column: str):
    """Issue 9: a dashboard summary row that no longer matches its base table (database-wide)."""

    def breaker(conn, data):
        conn.execute(text(f"UPDATE {table} SET {column} = {column} + 1"))
        return None

    return breaker


BREAKERS: dict[str, Callable[[Connection, dict], int | None]] = {
    "dash_order_facts_match_base_tables": _break_dashboard_summary("dash_order_facts", "orders"),
    "dash_utm_facts_match_base_tables": _break_dashboard_summary("dash_utm_facts", "paid_ttc_cents"),
    "dash_line_facts_match_base_tables": _break_dashboard_summary("dash_line_facts", "quantity"),
    "dash_payment_facts_match_base_tables": _break_dashboard_summary("dash_payment_facts", "amount_cents"),
    "number_range": _break_number_range,
    "amounts_finite": _break_amounts_finite,
    "status_value": _break_status_value,
    "payment_mode_value": _break_payment_mode_value,
    "source_value": _break_source_value,
    "currency_code": _break_currency_code,
    "free_iff_zero_total": _break_free_iff_zero_total,
    "undefined_only_for_unfinished_carts": _break_undefined_only_for_unfinished_carts,
    "box_office_only_for_desk_settlements": _break_box_office_only_for_desk_settlements,
    "paid_at_iff_paid": _break_paid_at_iff_paid,
    "paid_after_created": _break_paid_after_created,
    "order_has_lines": _break_order_has_lines,
    "totals_are_sums_of_lines": _break_totals_are_sums_of_lines,
    "line_currency_is_order_currency": _break_line_currency_is_order_currency,
    "line_kind_is_tariff_kind": _break_line_kind_is_tariff_kind,
    "one_item_per_admitting_unit": _break_one_item_per_admitting_unit,
    "item_belongs_to_its_line_order": _break_item_belongs_to_its_line_order,
    "attendees_only_for_paid_orders": _break_attendees_only_for_paid_orders,
    "attendee_per_unit_of_settled_paid_order": _break_attendee_per_unit_of_settled_paid_order,
    "attendee_matches_its_order": _break_attendee_matches_its_order,
    "live_attendee_holds_a_ticket": _break_live_attendee_holds_a_ticket,
    "amount_paid_is_payments_minus_refunds": _break_amount_paid_is_payments_minus_refunds,
    "payment_state_matches_ledger": _break_payment_state_matches_ledger,
    "paid_iff_payments_cover_total": _break_paid_iff_payments_cover_total,
    "one_settlement_per_order": _break_one_settlement_per_order,
    "refund_currency_is_order_currency": _break_refund_currency_is_order_currency,
    "payment_currency_is_order_currency": _break_payment_currency_is_order_currency,
    "paid_orders_are_settled_unless_organizer_added_tickets": _break_paid_orders_are_settled_unless_organizer_added_tickets,
    "history_exists": _break_history_exists,
    "discount_code_exists": _break_discount_code_exists,
    "line_arithmetic": _break_line_arithmetic,
    "order_summary_matches_orders": _break_order_summary_matches_orders,
}


def _summary_breaker(summary) -> Callable[[Connection, dict], None]:
    def breaker(conn, data):
        # A dashboard summary row counts one more than its base rows: a database-wide violation.
        column = summary.value_columns[0]
        assert conn.execute(text(f"UPDATE {summary.table} SET {column} = {column} + 1")).rowcount > 0
        return None

    return breaker


BREAKERS.update({f"{s.table}_match_base_tables": _summary_breaker(s) for s in SUMMARIES})


def _break_refund_facts(conn, data):
    # The clean data set has no refund: a refund counted in the summary that the ledger never had.
    conn.execute(
        text(
            "INSERT INTO dash_refund_facts (day, event_id, method, currency, refunds, amount_cents) "
            "VALUES ('2026-11-20', :event, 'cash', 'USD', 1, 1000)"
        ),
        {"event": data["usd_event"]},
    )
    return None


BREAKERS["dash_refund_facts_match_base_tables"] = _break_refund_facts


def _break_seat_sold_once(conn, data):
    """A seat typed as free text on two live orders (as before seat plans): the later one."""
    for key in ("paid", "awaiting"):
        item = conn.execute(select(OrderItem.id).where(OrderItem.order_id == _id(data, key))).scalars().first()
        conn.execute(update(OrderItem).where(OrderItem.id == item).values(seat="A-1-1"))
    return _number(data, "awaiting")


def _break_seat_assignment_matches_ticket(conn, data):
    """A seat assigned to a ticket that shows no seat."""
    order_id = _id(data, "paid")
    event_id = conn.execute(select(Order.event_id).where(Order.id == order_id)).scalar_one()
    item = conn.execute(select(OrderItem.id).where(OrderItem.order_id == order_id)).scalars().first()
    seat = conn.execute(
        insert(Seat).values(event_id=event_id, section="A", row="1", number=1, label="A-1-1").returning(Seat.id)
    ).scalar_one()
    conn.execute(insert(SeatAssignment).values(event_id=event_id, seat_id=seat, order_id=order_id, order_item_id=item))
    return _number(data, "paid")


def _break_document_totals_are_sums_of_lines(conn, data):
    """An issued invoice's line whose VAT no longer adds up to the invoice's (issue 21)."""
    lift_append_only(conn, "invoice_lines")
    invoice = conn.execute(select(Invoice.id).where(Invoice.order_id == _id(data, "paid"))).scalar_one()
    conn.execute(
        update(InvoiceLine).where(InvoiceLine.invoice_id == invoice).values(total_tax=InvoiceLine.total_tax + 1)
    )
    return _number(data, "paid")


def _break_documents_bill_what_the_order_bills(conn, data):
    """An invoiced order deleted without the credit note of its invoice (issue 21)."""
    return _set_order(conn, data, "paid", deleted_at=datetime.now(UTC), deleted_reason="no credit note")


BREAKERS["document_totals_are_sums_of_lines"] = _break_document_totals_are_sums_of_lines
BREAKERS["documents_bill_what_the_order_bills"] = _break_documents_bill_what_the_order_bills
BREAKERS["seat_sold_once"] = _break_seat_sold_once
BREAKERS["seat_assignment_matches_ticket"] = _break_seat_assignment_matches_ticket


def test_every_invariant_has_a_breaker_here():
    """An invariant added to orders_core/checks.py needs a test that breaks it below."""
    assert set(BREAKERS) == set(INVARIANTS)


def test_the_clean_data_set_breaks_no_invariant(engine, dataset):
    with engine.connect() as conn:
        assert check_database(conn) == []


@pytest.mark.parametrize("invariant", sorted(BREAKERS))
def test_a_broken_invariant_is_reported_with_the_order_number(engine, owner_engine, dataset, invariant):
    with owner_engine.begin() as conn:  # breaking data on purpose takes the owner's rights
        number = BREAKERS[invariant](conn, dataset)
    with engine.connect() as conn:
        violations = check_database(conn)
        only = check_database(conn, only=[invariant])
    reported = {v.order_number for v in violations if v.invariant == invariant}
    assert reported == {number}, [str(v) for v in violations]
    assert [v.order_number for v in only] == [number], [str(v) for v in only]
    where = "database" if number is None else f"order {number}"
    assert str(only[0]).startswith(f"{where}: ") and str(only[0]).endswith(f"[{invariant}]")
