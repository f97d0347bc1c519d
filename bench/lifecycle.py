"""Validating 10,000 awaiting-payment invoice orders (~25,000 attendees) in one call, through
the ledger path (issue 19 target: 1.5 s on PostgreSQL at 1M orders; 10.1 s measured before).

`validate_orders` confirms every payment with `services.ledger.confirm_payments`, the one path
to paid (issue 20): payment rows, amount paid and payment state from the ledger, `paid_at` the
day received, attendees and the confirmation email once. Since issue 19 the confirmations are
queued unrendered (outbox `to_render`: the facts of the moment) and written by the sender when
it sends them, so the timed call no longer renders 10,000 emails. The timed run checks that
the ledger settled them all (every order `paid`, payment state `paid`) and queued 10,000
confirmations for the sender to write.

SETUP creates, once, two events of 10,000 invoice orders awaiting payment each (1 to 4 badges,
2.5 on average), written in bulk outside the timed part. `lifecycle.validate_10k_orders` validates
invoice orders as the product holds them: each was invoiced when it was placed (issue 21), so
SETUP issues their invoices once, and the validation issues none. The second set,
`lifecycle.validate_10k_orders_issuing_invoices`, has no invoice (orders placed while the seller
settings were incomplete): its validation issues 10,000 invoices as well (this was the only
benchmark until 2026-12-03). Both sets stay in the cached database (order history is
append-only, so they are never deleted) and are reused by later runs. Each timed run validates a
set in one `validate_orders` call - payments, attendees, history, 10,000 queued confirmations -
checks every order settled and invoiced, then rolls the transaction back, so every run starts
from the same data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select, text

from orders_core import bulk
from orders_core.db import session_factory, unit_of_work
from orders_core.documents.automatic import after_invoice_orders_placed
from orders_core.models import Event, Invoice, Order
from orders_core.money import LineInput, price_order
from orders_core.permissions import Actor
from orders_core.services.validation import BACKGROUND_ABOVE, validate_orders

DATABASES = {"postgresql", "sqlite"}
ORDERS = 10_000
EVENT_NAME = "Benchmark: lifecycle"
FINANCE = Actor("bench@example.org", "finance")


def make_awaiting_orders(engine: Engine, count: int, *, event_name: str = EVENT_NAME) -> list[int]:
    """Insert `count` consistent invoice orders awaiting payment (lines, one item per badge,
    a `created` history entry) for a new event, in bulk; returns their ids."""
    now = datetime.now(UTC).replace(microsecond=0)
    created = now - timedelta(days=10)
    price, rate = Decimal("100.00"), Decimal("20")
    with engine.begin() as conn:
        event_id, tariff_id = bulk.next_id(conn, "events"), bulk.next_id(conn, "tariffs")
        bulk.insert_rows(
            conn,
            "events",
            [
                dict(
                    id=event_id,
                    name=event_name,
                    starts_at=now + timedelta(days=60),
                    ends_at=None,
                    timezone="Europe/Paris",
                    currency="EUR",
                    language="en",
                    seated=False,
                    community=False,
                    bank_details="IBAN FR76 0000",
                    archived_at=None,
                    created_at=created - timedelta(days=30),
                )
            ],
        )
        bulk.insert_rows(
            conn,
            "tariffs",
            [
                dict(
                    id=tariff_id,
                    event_id=event_id,
                    kind="badge",
                    name="Bench badge",
                    name_fr="",
                    unit_price_ht=price,
                    tax_rate=rate,
                    currency="EUR",
                    capacity=None,
                    sales_start=None,
                    sales_end=None,
                    active=True,
                    created_at=created - timedelta(days=30),
                )
            ],
        )
        last = conn.execute(
            text("UPDATE counters SET value = value + :n WHERE name = 'order_number' RETURNING value"), {"n": count}
        ).scalar_one()
        first_number = last - count + 1
        ids = {name: bulk.next_id(conn, name) for name in ("orders", "order_lines", "order_items", "order_history")}
        rows: dict[str, list[dict]] = {name: [] for name in ids}
        priced = {q: price_order([LineInput(price, q, rate)]) for q in (1, 2, 3, 4)}
        for i in range(count):
            quantity = 1 + i % 4
            p = priced[quantity]
            order_id, line_id = ids["orders"] + i, ids["order_lines"] + i
            rows["orders"].append(
                dict(
                    id=order_id,
                    number=first_number + i,
                    event_id=event_id,
                    status="awaiting_payment",
                    payment_mode="invoice",
                    source="online",
                    buyer_first_name="Bench",
                    buyer_last_name=f"Buyer {i}",
                    buyer_email=f"buyer{i}@bench.invalid",
                    buyer_phone="",
                    company_name="",
                    billing_address="",
                    billing_postcode="",
                    billing_city="",
                    billing_country="",
                    vat_number="",
                    discount_code=None,
                    currency="EUR",
                    total_ht=p.total_ht,
                    total_ttc=p.total_ttc,
                    amount_paid=Decimal("0.00"),
                    terms_accepted=True,
                    language="en",
                    created_at=created,
                    updated_at=created,
                    paid_at=None,
                    utm_source=None,
                    utm_medium=None,
                    utm_campaign=None,
                    utm_term=None,
                    utm_content=None,
                    notes="",
                    deleted_at=None,
                    deleted_reason=None,
                    version=1,
                )
            )
            line = p.lines[0]
            rows["order_lines"].append(
                dict(
                    id=line_id,
                    order_id=order_id,
                    tariff_id=tariff_id,
                    kind="badge",
                    name="Bench badge",
                    quantity=quantity,
                    unit_price_ht=line.unit_price_ht,
                    tax_rate=line.tax_rate,
                    discount_amount=line.discount_amount,
                    total_ht=line.total_ht,
                    total_ttc=line.total_ttc,
                )
            )
            for unit in range(quantity):
                rows["order_items"].append(
                    dict(
                        id=ids["order_items"] + len(rows["order_items"]),
                        order_id=order_id,
                        order_line_id=line_id,
                        holder_first_name=f"Holder {unit}",
                        holder_last_name=f"Buyer {i}",
                        holder_email=f"holder{unit}.{i}@bench.invalid",
                        seat=None,
                        delivery_mode="e_ticket",
                        created_at=created,
                    )
                )
            rows["order_history"].append(
                dict(
                    id=ids["order_history"] + i,
                    order_id=order_id,
                    at=created,
                    actor="bench",
                    action="created",
                    details={"status": {"old": None, "new": "awaiting_payment"}},
                    reason=None,
                )
            )
        for name in ("orders", "order_lines", "order_items", "order_history"):
            bulk.insert_rows(conn, name, rows[name])
        bulk.reset_sequences(conn, ["events", "tariffs", *rows])
    return [r["id"] for r in rows["orders"]]


# Two sets of 10,000 awaiting orders, one event each: invoice orders as the product holds them
# (each invoiced when it was placed, issue 21: validating them issues no document), and orders
# placed while the seller settings were incomplete, which get their invoices as they are paid.
INVOICED, UNINVOICED = "invoiced", "uninvoiced"
EVENT_NAMES = {INVOICED: EVENT_NAME, UNINVOICED: f"{EVENT_NAME} (placed before the seller settings)"}
_IDS: dict[str, list[int]] = {}
_EVENT: dict[str, int] = {}  # the event of each set


def _awaiting(engine: Engine, name: str) -> list[int]:
    """The set's awaiting orders, created the first time (or again, under a new event, when a run
    left the set incomplete)."""
    with engine.connect() as conn:
        event_id = conn.execute(select(Event.id).where(Event.name == name)).scalar()
        ids = (
            []
            if event_id is None
            else list(
                conn.execute(
                    select(Order.id).where(Order.event_id == event_id, Order.status == "awaiting_payment")
                ).scalars()
            )
        )
    if len(ids) != ORDERS:
        ids = make_awaiting_orders(
            engine, ORDERS, event_name=name if event_id is None else f"{name} {datetime.now(UTC):%Y%m%d%H%M%S}"
        )
    return ids


def _invoice(engine: Engine, ids: list[int]) -> int:
    """Each of these orders' invoice, as it was issued when the order was placed (only those
    missing: the database keeps them between runs); how many were issued."""
    with unit_of_work(engine) as session:
        return len(after_invoice_orders_placed(session, ids, actor=FINANCE, now=datetime.now(UTC)))


def SETUP(engine: Engine) -> None:
    """Find both sets of awaiting orders, creating and invoicing them the first time."""
    changed = False
    for kind, name in EVENT_NAMES.items():
        existed = _IDS.get(kind)
        _IDS[kind] = _awaiting(engine, name)
        changed = changed or existed != _IDS[kind]
    changed = _invoice(engine, _IDS[INVOICED]) > 0 or changed
    if changed and engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    with engine.connect() as conn:
        for kind, ids in _IDS.items():
            _EVENT[kind] = conn.execute(select(Order.event_id).where(Order.id == ids[0])).scalar_one()


def _validate(engine: Engine, kind: str, count: int = ORDERS) -> None:
    """Validate the first `count` orders of the set (1 to 4 badges in turn: 2.5 on average)."""
    if kind not in _IDS:
        SETUP(engine)
    session = session_factory(engine)()
    try:
        result = validate_orders(
            session,
            actor=FINANCE,
            order_ids=_IDS[kind][:count],
            method="bank_transfer",
            received_at=date.today(),
            reference="bench",
        )
        assert len(result.validated) == count and result.attendees_created == count * 5 // 2
        assert result.emails_queued == count  # queued for the sender to write (issue 19)
        settled = session.execute(
            select(func.count()).where(
                Order.event_id == _EVENT[kind], Order.status == "paid", Order.payment_state == "paid"
            )
        ).scalar_one()
        assert settled == count, f"{settled} orders settled by the ledger out of {count}"
        invoiced = session.execute(
            select(func.count(func.distinct(Invoice.order_id))).where(
                Invoice.order_id.in_(select(Order.id).where(Order.event_id == _EVENT[kind])),
                Invoice.kind == "invoice",
            )
        ).scalar_one()
        assert invoiced == ORDERS, f"{invoiced} orders with an invoice out of {ORDERS}"
    finally:
        session.rollback()  # leave the cached database as it was
        session.close()


def validate_10000_invoiced_orders(engine: Engine) -> None:
    _validate(engine, INVOICED)


def validate_10000_orders_without_invoices(engine: Engine) -> None:
    _validate(engine, UNINVOICED)


def validate_page_limit(engine: Engine) -> None:
    """The largest selection the page validates in one call (validation.BACKGROUND_ABOVE orders)."""
    _validate(engine, INVOICED, BACKGROUND_ABOVE)


BENCHMARKS = [
    ("lifecycle.validate_10k_orders", validate_10000_invoiced_orders),
    ("lifecycle.validate_10k_orders_issuing_invoices", validate_10000_orders_without_invoices),
    ("lifecycle.validate_page_limit", validate_page_limit),
]
