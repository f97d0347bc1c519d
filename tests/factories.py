"""Factories for hand-built data sets: `make_order(session, **overrides)` instead of literal dicts.

Orders are priced with orders_core.money and are consistent with every invariant unless a test
overrides something on purpose; paid orders get their payment and one attendee per unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy import update
from sqlalchemy.orm import Session

from orders_core.i18n import as_utc
from orders_core.models import (
    Counter,
    DiscountCode,
    Event,
    Order,
    OrderHistory,
    OrderItem,
    OrderLine,
    SellerSettings,
    Tariff,
)
from orders_core.money import Discount, LineInput, price_order
from orders_core.permissions import Actor
from orders_core.seating import claim_seats
from orders_core.services import guards
from orders_core.services.ledger import Incoming, confirm_payment, confirm_payments
from orders_core.status import ADMITTING_KINDS

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TESTS = Actor("tests", "finance")
PROVIDER = Actor("payment provider", "system")
# Issue 17: every query takes a principal; this one is an administrator of every event.
EVERYONE = Actor("admin@example.org", "admin")
_sequence = count(1)


# A complete, valid seller identity (a real-looking SIREN/SIRET/VAT/IBAN/BIC that pass their checks).
SELLER = dict(
    legal_name="Festival des Lumières SAS",
    legal_form="SAS",
    share_capital="10 000 €",
    siren="732829320",
    siret="73282932000074",
    rcs_city="Lyon",
    vat_number="FR44732829320",
    address="12 rue de la République",
    postcode="69002",
    city="Lyon",
    country="FR",
    email="billing@festival.example.org",
    phone="+33 4 72 00 00 00",
    iban="FR7630006000011234567890189",
    bic="AGRIFRPP",
    payment_terms="30 days from the invoice date",
    late_penalty_rate=Decimal("12.150"),
    invoice_pattern="F{YYYY}-{counter:05}",
    credit_note_pattern="A{YYYY}-{counter:05}",
    invoice_paid_orders="on_payment",
    updated_by="admin@example.org",
)


def make_seller_settings(session: Session, **overrides) -> SellerSettings:
    """The seller settings row, complete unless overridden (documents can be issued)."""
    settings = session.get(SellerSettings, 1) or SellerSettings(id=1)
    for name, value in {**SELLER, **overrides}.items():
        setattr(settings, name, value)
    session.add(settings)
    session.flush()
    return settings


def make_event(session: Session, **overrides) -> Event:
    values = dict(
        name=f"Event {next(_sequence)}",
        starts_at=NOW + timedelta(days=30),
        ends_at=None,
        timezone="Europe/Paris",
        currency="EUR",
        language="en",
        seated=False,
        community=False,
        bank_details="IBAN FR76 0000",
        archived_at=None,
        created_at=NOW - timedelta(days=90),
    )
    values.update(overrides)
    event = Event(**values)
    session.add(event)
    session.flush()
    return event


def make_tariff(session: Session, event: Event, **overrides) -> Tariff:
    values = dict(
        event_id=event.id,
        kind="badge",
        name=f"Tariff {next(_sequence)}",
        name_fr="",
        unit_price_ht=Decimal("100.00"),
        tax_rate=Decimal("20"),
        currency=event.currency,
        capacity=None,
        sales_start=None,
        sales_end=None,
        active=True,
        created_at=NOW - timedelta(days=60),
    )
    values.update(overrides)
    tariff = Tariff(**values)
    session.add(tariff)
    session.flush()
    return tariff


def make_code(session: Session, event: Event, code: str = "PROMO10", **overrides) -> DiscountCode:
    values = dict(
        event_id=event.id,
        code=code.upper(),
        percent_off=Decimal("10"),
        amount_off=None,
        max_uses=None,
        valid_from=None,
        valid_until=None,
        active=True,
        created_at=NOW - timedelta(days=60),
    )
    values.update(overrides)
    discount = DiscountCode(**values)
    session.add(discount)
    session.flush()
    return discount


def make_seat_plan(session: Session, event: Event, section: str = "A", rows: str = "1-3", per_row: int = 10) -> None:
    """A seated event's plan, through the catalogue service: section A, rows 1-3, 10 seats each
    by default (labels "A-1-1" ... "A-3-10")."""
    from orders_core.services.seat_plans import add_seats

    add_seats(
        session, actor=Actor("admin@example.org", "admin"), event_id=event.id, section=section, rows=rows,
        seats_per_row=per_row,
    )  # fmt: skip


def next_number(session: Session) -> int:
    return session.execute(
        update(Counter).where(Counter.name == "order_number").values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()


def make_order(
    session: Session,
    event: Event,
    lines: list[tuple[Tariff, int]],
    *,
    code: DiscountCode | None = None,
    status: str = "awaiting_payment",
    payment_mode: str | None = None,
    paid_method: str = "bank_transfer",
    holders: list[tuple[str, str, str]] | None = None,
    created_at: datetime | None = None,
    seats: list[str] | None = None,
    **overrides,
) -> Order:
    """An order of `lines` [(tariff, quantity)], priced exactly; paid orders are settled.
    `seats`: the labels of the seats of its badges/tickets, in order (a seated event's plan
    must hold them; they are sold the services' way, `seating.claim_seats`)."""
    discount = Discount(percent_off=code.percent_off, amount_off=code.amount_off) if code else None
    priced = price_order([LineInput(t.unit_price_ht, q, t.tax_rate) for t, q in lines], discount)
    if payment_mode is None:
        payment_mode = "free" if priced.total_ttc == 0 else ("online" if status == "pending_online" else "invoice")
    created_at = created_at or NOW - timedelta(days=3)
    number = overrides.pop("number", None) or next_number(session)
    values = dict(
        number=number,
        event_id=event.id,
        status=status,
        payment_mode=payment_mode,
        source="online",
        buyer_first_name="Ada",
        buyer_last_name="Lovelace",
        buyer_email=f"buyer{number}@example.org",
        company_name="",
        discount_code=code.code if code else None,
        currency=event.currency,
        total_ht=priced.total_ht,
        total_ttc=priced.total_ttc,
        amount_paid=Decimal("0.00"),
        terms_accepted=True,
        language=event.language,
        created_at=created_at,
        updated_at=created_at,
        paid_at=None,
        notes="",
        version=1,
    )
    values.update(overrides)
    deleted_at = values.pop("deleted_at", None) if status == "paid" else None  # deleted once paid
    if status == "paid":  # made paid below, by the ledger (the one path to paid)
        values["status"] = {"online": "pending_online", "free": "cart_incomplete"}.get(payment_mode, "awaiting_payment")
    order = Order(**values)
    session.add(order)
    session.flush()
    holders = list(holders or [])
    items = []
    for (tariff, quantity), priced_line in zip(lines, priced.lines, strict=True):
        line = OrderLine(
            order_id=order.id,
            tariff_id=tariff.id,
            kind=tariff.kind,
            name=tariff.name,
            quantity=quantity,
            unit_price_ht=priced_line.unit_price_ht,
            tax_rate=priced_line.tax_rate,
            discount_amount=priced_line.discount_amount,
            total_ht=priced_line.total_ht,
            total_ttc=priced_line.total_ttc,
        )
        session.add(line)
        session.flush()
        if tariff.kind in ADMITTING_KINDS:
            for unit in range(quantity):
                first, last, email = holders.pop(0) if holders else (f"Holder{unit}", order.buyer_last_name, "")
                item = OrderItem(
                    order_id=order.id,
                    order_line_id=line.id,
                    holder_first_name=first,
                    holder_last_name=last,
                    holder_email=email,
                    created_at=created_at,
                )
                session.add(item)
                items.append(item)
    session.flush()
    if seats:
        for item, seat in zip(items, seats, strict=True):
            item.seat = seat
        session.flush()
        claim_seats(session, event_id=event.id, items=items)
    session.add(
        OrderHistory(
            order_id=order.id,
            at=created_at,
            actor="tests",
            action="created",
            details={"status": {"old": None, "new": values["status"]}},
        )
    )
    if status == "paid":
        _pay(session, order, paid_method)
        if deleted_at is not None:
            order.deleted_at = deleted_at
    session.flush()
    return order


def _pay(session: Session, order: Order, method: str) -> None:
    """The order's total confirmed by the ledger, an hour after it was created: the payment
    provider for an online order, finance otherwise (a free order owes nothing)."""
    received = min(as_utc(order.created_at) + timedelta(hours=1), datetime.now(UTC))
    session.flush()
    if order.total_ttc == 0:
        row = guards.lock_orders(session, [order.id], actor=TESTS)[order.id]
        confirm_payments(
            session,
            actor=TESTS,
            incoming=[Incoming(row, Decimal("0.00"), "other", received, "")],
            action="validated",
            now=received,
        )
    else:
        online = order.payment_mode == "online"
        confirm_payment(
            session,
            actor=PROVIDER if online else TESTS,
            order_id=order.id,
            amount=order.total_ttc,
            method="online" if online else method,
            received_at=received,
            action="payment_confirmed" if online else "validated",
        )
    session.refresh(order)
