"""Validating orders: an order becomes `paid`, with `paid_at`, a settlement payment for its
balance, one attendee per badge/ticket unit (holder's details), a history entry and a queued
order-confirmation email - all in the caller's transaction, all or nothing.

Finance validates invoice orders with `validate_orders` (domain rule 2). The same set-based
core, `settle_orders`, is used when an admin approves an order, when the payment provider
confirms one, and when recorded payments bring an invoice order to zero balance
(services.payments). Callers (the UI, the order wizard, bank reconciliation) use it like this:

    with unit_of_work(engine) as session:
        result = validate_orders(session, actor=actor, order_ids=[...], method="bank_transfer",
                                 received_at=date(2026, 11, 20), reference="VIR 1234")
    result.validated, result.refused  # what happened, order by order

Speed: a few statements whatever the number of orders (UPDATE ... WHERE id = ANY, INSERT ...
SELECT for attendees, executemany for payments, history and emails): 10,000 orders take a
few seconds on PostgreSQL. Safety: rows are locked in id order; the UPDATE re-checks the
status; the database refuses a second attendee per order item and a second settlement payment
per order, so a double validation can only fail, never pay twice."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    DateTime,
    Table,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders_core import bulk
from orders_core.errors import ConflictError
from orders_core.history import change
from orders_core.i18n import _
from orders_core.models import Attendee, Order, OrderItem
from orders_core.permissions import Actor, require
from orders_core.services import guards
from orders_core.services.confirmations import queue_confirmations
from orders_core.services.guards import OrderRow, Refusal
from orders_core.status import Status


@dataclass(frozen=True)
class Settled:
    order_id: int
    number: int
    currency: str
    amount: Decimal  # the settlement payment recorded (zero when nothing was owed)
    attendees: int


@dataclass
class ValidationResult:
    """What a validation did (or, for a dry run, would do)."""

    dry_run: bool
    validated: list[Settled] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    attendees_created: int = 0
    emails_queued: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # per currency, never added across

    @property
    def validated_numbers(self) -> list[int]:
        return [s.number for s in self.validated]


def validate_orders(
    session: Session,
    *,
    actor: Actor,
    order_ids: Iterable[int],
    method: str,
    received_at: date | datetime,
    reference: str | None = None,
    dry_run: bool = False,
) -> ValidationResult:
    """Validate invoice orders awaiting payment once their money has arrived.

    `method`: bank_transfer, cheque, cash, card or other; `received_at`: the date (or moment)
    the money arrived, not in the future. Orders that cannot be validated (already paid,
    cancelled, deleted...) are reported in `refused` with the reason; the others are validated.
    Bad input (unknown ids, empty method, future date) raises InvalidInput and writes nothing.
    `dry_run=True` returns the same result without writing or locking anything."""
    require(actor, "orders.validate")
    now = datetime.now(UTC)
    ids = guards.order_ids(order_ids)
    method = guards.clean_method(method)
    received = guards.clean_received_at(received_at, now=now)
    reference = guards.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    rows = guards.lock_orders(session, ids, lock=not dry_run)
    result = ValidationResult(dry_run=dry_run)
    ready: list[OrderRow] = []
    for order_id in ids:
        row = rows[order_id]
        reason = guards.refusal_for(row, Status.PAID, allowed_from=(Status.AWAITING_PAYMENT,), action=_("validated"))
        reason = reason or guards.payment_refusal(actor, row, method)
        if reason:
            result.refused.append(Refusal(row.id, row.number, reason))
        else:
            ready.append(row)
    settled = settle_orders(
        session,
        actor=actor,
        rows=ready,
        method=method,
        received_at=received,
        reference=reference,
        action="validated",
        now=now,
        dry_run=dry_run,
    )
    _summarise(result, settled)
    return result


def _summarise(result: ValidationResult, settled: list[Settled]) -> None:
    result.validated = settled
    result.attendees_created = sum(s.attendees for s in settled)
    result.emails_queued = len(settled)
    amounts: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for s in settled:
        if s.amount:
            amounts[s.currency] += s.amount
    result.amounts = dict(sorted(amounts.items()))


def units_without_attendee(session: Session, ids: Sequence[int]) -> Counter[int]:
    """order id -> number of order items (badge/ticket units) that have no attendee yet."""
    counts: Counter[int] = Counter()
    no_attendee = ~exists().where(Attendee.order_item_id == OrderItem.id)
    for _part, condition in guards.id_chunks(session, OrderItem.order_id, ids):
        query = select(OrderItem.order_id, func.count()).where(condition, no_attendee).group_by(OrderItem.order_id)
        for order_id, count in session.execute(query):
            counts[order_id] += count
    return counts


def register_attendees(
    session: Session, ids: Sequence[int], *, only_missing: bool = False, expected: int | None = None
) -> int:
    """One attendee per order item of these (paid) orders, with the holder's details (the
    buyer's when the holder was left blank), registered at the order's `paid_at`. Without
    `only_missing`, an item that already has an attendee makes the unique constraint refuse."""
    holder_blank = and_(OrderItem.holder_first_name == "", OrderItem.holder_last_name == "")
    # Counted first: psycopg reports no rowcount for INSERT ... SELECT through SQLAlchemy.
    created = expected if expected is not None else sum(units_without_attendee(session, ids).values())
    for _part, condition in guards.id_chunks(session, OrderItem.order_id, ids):
        source = (
            select(
                Order.event_id,
                Order.id,
                OrderItem.id,
                case((holder_blank, Order.buyer_first_name), else_=OrderItem.holder_first_name),
                case((holder_blank, Order.buyer_last_name), else_=OrderItem.holder_last_name),
                case((holder_blank & (OrderItem.holder_email == ""), Order.buyer_email), else_=OrderItem.holder_email),
                Order.paid_at,
            )
            .join(Order, Order.id == OrderItem.order_id)
            .where(condition)
        )
        if only_missing:
            source = source.where(~exists().where(Attendee.order_item_id == OrderItem.id))
        statement = insert(cast(Table, Attendee.__table__)).from_select(
            ["event_id", "order_id", "order_item_id", "first_name", "last_name", "email", "registered_at"], source
        )
        session.execute(statement)
    return created


def settle_orders(
    session: Session,
    *,
    actor: Actor,
    rows: Sequence[OrderRow],
    method: str,
    received_at: datetime,
    reference: str,
    action: str,
    now: datetime,
    reason: str | None = None,
    dry_run: bool = False,
) -> list[Settled]:
    """Make these locked, already-checked orders `paid` (the shared core; see module doc)."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    units = units_without_attendee(session, ids)
    settled = [
        Settled(row.id, row.number, row.currency, max(row.balance, Decimal("0.00")), units.get(row.id, 0))
        for row in rows
    ]
    if dry_run:
        return settled
    try:
        _write(
            session,
            actor=actor,
            rows=rows,
            settled=settled,
            method=method,
            received_at=received_at,
            reference=reference,
            action=action,
            now=now,
            reason=reason,
        )
    except IntegrityError as error:
        raise ConflictError(
            _(
                "These orders were validated by someone else at the same time: nothing was "
                "changed. Reload and check them."
            )
        ) from error
    return settled


def _write(
    session: Session,
    *,
    actor: Actor,
    rows: Sequence[OrderRow],
    settled: Sequence[Settled],
    method: str,
    received_at: datetime,
    reference: str,
    action: str,
    now: datetime,
    reason: str | None,
) -> None:
    payments = [
        dict(
            order_id=s.order_id,
            method=method,
            amount=s.amount,
            currency=s.currency,
            received_at=received_at,
            reference=reference,
            recorded_by=actor.email,
            created_at=now,
            purpose="settlement",
        )
        for s in settled
        if s.amount > 0
    ]
    if payments:
        bulk.insert_rows(session.connection(), "payments", payments)
    received = literal(received_at, DateTime(timezone=True))
    # Paid when the money arrived, but never before the order existed (a date without time).
    paid_at = case((Order.created_at > received, Order.created_at), else_=received)
    expected = {row.status for row in rows}
    changed = 0
    for _part, condition in guards.id_chunks(session, Order.id, [row.id for row in rows]):
        statement = (
            update(Order)
            .where(condition, Order.status.in_(expected), Order.deleted_at.is_(None))
            .values(
                status=Status.PAID,
                paid_at=paid_at,
                amount_paid=Order.total_ttc,
                updated_at=now,
                version=Order.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        changed += cast(CursorResult[Any], session.execute(statement)).rowcount
    if changed != len(rows):
        raise ConflictError(
            _("Some orders changed while they were being validated: nothing was changed. Reload and try again.")
        )
    register_attendees(session, [row.id for row in rows], expected=sum(s.attendees for s in settled))
    history = []
    for row, s in zip(rows, settled, strict=True):
        details = {
            "status": change(row.status, Status.PAID.value),
            "amount_paid": change(row.amount_paid, row.total_ttc),
            "attendees_created": s.attendees,
        }
        if s.amount > 0:
            details["payment"] = {
                "method": method,
                "amount": str(s.amount),
                "currency": s.currency,
                "received_at": received_at.isoformat(),
                "reference": reference,
            }
        history.append(dict(order_id=row.id, at=now, actor=actor.email, action=action, details=details, reason=reason))
    bulk.insert_rows(session.connection(), "order_history", history)
    queue_confirmations(session, [row.id for row in rows], now=now)
    # ORM objects loaded earlier in this session must not show stale statuses.
    session.expire_all()
