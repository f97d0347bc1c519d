"""The demo's money, through the ledger (issue 20: the one path to paid).

- `confirm_planned`: after each batch is written, its paid orders are confirmed by the ledger's
  set-based core (payments, `paid_at`, attendees, history), grouped by who confirmed them (the
  payment provider, the box office, finance). Their confirmation emails went out long ago: the
  demo queues a few recent ones of its own (demo.emails).
- `ledger_stories`: written through the services a finance user would use, so every payment
  state shows on a fresh install: orders partially paid and overpaid by bank transfer, orders
  partly refunded, one refunded in full and cancelled, and two partially cancelled (one ticket
  of a paid order cancelled: one with the refund of what was then owed back, one still owing it,
  its refund due shown). A handful each, on the newest matching orders (after the bulk load,
  like the demo's emails)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from orders_core.db import unit_of_work
from orders_core.demo.orders import PlannedPayment
from orders_core.models import Order, OrderItem
from orders_core.order_rules import require_payment_method
from orders_core.permissions import EVENT_MANAGER, FINANCE, SYSTEM, Actor, require
from orders_core.services.cancellations import RefundRequest, cancel_tickets
from orders_core.services.guards import OrderRow
from orders_core.services.ledger import Incoming, confirm_payment, confirm_payments
from orders_core.services.refunds import record_refund

CENT = Decimal("0.01")
DEMO_FINANCE = Actor("finance@demo.example", FINANCE)


def confirm_planned(conn: Connection, planned: Sequence[PlannedPayment], *, now: datetime) -> None:
    """Confirm a written batch's planned payments (demo.orders.PlannedPayment) by the ledger."""
    by_actor: dict[Actor, list[Incoming]] = {}
    for plan in planned:
        order = plan.order
        row = OrderRow(
            order["id"],
            order["number"],
            order["event_id"],
            order["status"],
            order["payment_mode"],
            order["source"],
            order["currency"],
            order["total_ttc"],
            Decimal("0.00"),
            order["created_at"],
            None,
        )
        payment = Incoming(row, order["total_ttc"], plan.method, plan.received_at, plan.reference, plan.received_at)
        by_actor.setdefault(plan.actor, []).append(payment)
    with Session(bind=conn) as session:
        for actor, incoming in by_actor.items():
            # The demo is held to the rules a user is: who may confirm, and which payment.
            require(actor, "orders.provider_callback" if actor.role == SYSTEM else "orders.record_payment")
            for payment in incoming:
                if payment.amount > 0:  # a free order has no payment to confirm
                    # The box office takes the money as it creates the order (the wizard's paid
                    # offline): the rule is asked about an order being created, as there.
                    box_office = actor.role == EVENT_MANAGER
                    require_payment_method(
                        actor,
                        payment.method,
                        number=payment.row.number,
                        source=payment.row.source,
                        payment_mode=payment.row.payment_mode,
                        status=None if box_office else payment.row.status,
                    )
            action = "payment_confirmed" if actor.role == SYSTEM else "validated"
            confirm_payments(session, actor=actor, incoming=incoming, action=action, now=now, emails=False)
        session.flush()


def _newest(session: Session, *conditions: ColumnElement[bool], limit: int) -> list[Order]:
    query = (
        select(Order)
        .where(*conditions, Order.deleted_at.is_(None), Order.total_ttc > 20)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def ledger_stories(engine: Engine, *, now: datetime) -> dict[str, int]:
    """Partially paid, overpaid, partially refunded and refunded orders; returns how many each."""
    day = min(now, datetime.now(UTC))
    done = {"partially_paid": 0, "overpaid": 0, "partially_refunded": 0, "refunded": 0, "partially_cancelled": 0}
    with unit_of_work(engine) as session:
        awaiting = _newest(session, Order.status == "awaiting_payment", Order.payment_mode == "invoice", limit=5)
        paid = _newest(session, Order.status == "paid", Order.payment_mode == "invoice", limit=3)
        stories = [(order.id, order.number, Decimal(str(order.total_ttc))) for order in awaiting]
        refundable = [(order.id, order.number, Decimal(str(order.total_ttc))) for order in paid]
    for index, (order_id, number, total) in enumerate(stories):
        overpay = index >= 3
        amount = total + Decimal("10.00") if overpay else (total / 2).quantize(CENT)
        with unit_of_work(engine) as session:
            confirm_payment(
                session,
                actor=DEMO_FINANCE,
                order_id=order_id,
                amount=amount,
                method="bank_transfer",
                received_at=day,
                reference=f"VIR {number}",
                allow_overpayment=overpay,
            )
        done["overpaid" if overpay else "partially_paid"] += 1
    for index, (order_id, number, total) in enumerate(refundable):
        full = index == 0
        with unit_of_work(engine) as session:
            record_refund(
                session,
                actor=DEMO_FINANCE,
                order_id=order_id,
                amount=total if full else (total / 10).quantize(CENT),
                method="bank_transfer",
                refunded_at=day,
                reason="The buyer cannot attend" if full else "Goodwill gesture: the badge arrived late",
                reference=f"REMB {number}",
                cancel_order=full,
            )
        done["refunded" if full else "partially_refunded"] += 1
    done["partially_cancelled"] = _partial_cancellations(engine, day, skip={order_id for order_id, *_r in refundable})
    return done


def _partial_cancellations(engine: Engine, day: datetime, *, skip: set[int]) -> int:
    """One ticket of two paid orders of several tickets cancelled by finance: the first with the
    refund of what is then owed back, the second still owing it (a refund due)."""
    with unit_of_work(engine) as session:
        tickets = select(func.count()).where(OrderItem.order_id == Order.id).scalar_subquery()
        orders = [o for o in _newest(session, Order.status == "paid", tickets >= 2, limit=5) if o.id not in skip][:2]
        chosen = [
            (
                o.id,
                session.scalars(select(OrderItem.id).where(OrderItem.order_id == o.id).order_by(OrderItem.id)).first(),
            )
            for o in orders
        ]
    for index, (order_id, item_id) in enumerate(chosen):
        with unit_of_work(engine) as session:
            preview = cancel_tickets(
                session, actor=DEMO_FINANCE, order_id=order_id, item_ids=[item_id], reason="-", dry_run=True
            )
            refund = (
                RefundRequest(preview.refund_due, "bank_transfer", day, reference=f"REMB {preview.number}")
                if index == 0 and preview.refund_due > 0
                else None
            )
            cancel_tickets(
                session,
                actor=DEMO_FINANCE,
                order_id=order_id,
                item_ids=[item_id],
                reason="One of the holders cannot attend",
                refund=refund,
            )
    return len(chosen)
