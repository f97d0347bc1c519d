"""The other status changes of an order (domain.md's transition table), one transaction each:
approve / reject (community events, admin), cancel (with a reason), soft delete and restore,
and the payment provider's callbacks `mark_failed` / `confirm_online`.

Payment provider webhook: an endpoint receiving the provider's signed notification would call

    with unit_of_work(engine) as session:
        confirm_online(session, actor=Actor("payment provider", "system"), order_id=..., reference=txn_id)
        # or mark_failed(session, actor=Actor("payment provider", "system"), order_id=..., reason=error)

Money goes through the ledger (services.ledger): approval and the provider's confirmation too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from orders_core import inputs
from orders_core.documents.automatic import after_cancelled, after_restored
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import change, record
from orders_core.i18n import _
from orders_core.models import Order
from orders_core.permissions import Actor, require
from orders_core.seating import reclaim_seats, release_seats
from orders_core.services import guards
from orders_core.services.guards import OrderRow, Refusal
from orders_core.services.ledger import Confirmed, Incoming, confirm_payments
from orders_core.services.tickets import void_cancelled
from orders_core.status import PaymentMethod, Status

CANCELLABLE = (
    Status.AWAITING_PAYMENT,
    Status.PENDING_ADMIN,
    Status.PENDING_ONLINE,
    Status.CART_INCOMPLETE,
    Status.FAILED,
)


@dataclass
class ActionResult:
    """What a bulk action did: the order numbers changed and the ones refused, with why."""

    done: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _one(session: Session, order_id: int, actor: Actor) -> OrderRow:
    ids = guards.order_ids([order_id])
    return guards.lock_orders(session, ids, actor=actor)[ids[0]]


def _set_status(session: Session, row: OrderRow, target: Status, now: datetime) -> dict[str, Any]:
    """Write the new status; returns the history details (the status, and the seats it frees)."""
    session.execute(
        update(Order)
        .where(Order.id == row.id, Order.status == row.status)
        .values(status=target.value, updated_at=now, version=Order.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    details: dict[str, Any] = {"status": change(row.status, target.value)}
    if target == Status.CANCELLED:  # rule 17: a cancelled order's seats are for sale again
        if freed := release_seats(session, order_ids=[row.id]):
            details["seats"] = change(", ".join(freed), None)
    return details


def _change_one_status(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    reason: str | None,
    target: Status,
    allowed_from: tuple[Status, ...],
    refused_as: str,
    history_action: str,
) -> None:
    """A status change of one order without money involved (reject, payment failed): checked,
    locked, written and recorded in history."""
    reason = guards.clean_reason(reason, required=False)
    row = _one(session, order_id, actor)
    guards.refuse_one(guards.refusal_for(row, target, allowed_from=allowed_from, action=refused_as))
    now = datetime.now(UTC)
    details = _set_status(session, row, target, now)
    record(session, order_id=row.id, actor=actor, action=history_action, at=now, reason=reason, details=details)
    if target == Status.CANCELLED:  # a rejected order's invoice, if any, is credited
        after_cancelled(session, [row.id], actor=actor, reason=reason or "", now=now)


def _settle_one(
    session: Session,
    *,
    actor: Actor,
    row: OrderRow,
    method: str,
    received_at: datetime,
    reference: str,
    action: str,
) -> Confirmed:
    """The order's whole balance (zero for a free order) confirmed by the ledger: it becomes paid."""
    amount = max(row.balance, Decimal("0.00"))
    incoming = Incoming(row, amount, method, received_at, reference)
    return confirm_payments(session, actor=actor, incoming=[incoming], action=action, now=datetime.now(UTC))[0]


def approve_order(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    method: str | None = None,
    received_at: date | datetime | None = None,
    reference: str | None = None,
) -> Confirmed:
    """An admin approves a `pending_admin` order (community events): it becomes paid, exactly as
    a validation. An online order's balance is recorded as paid online; an invoice order with a
    balance needs the offline `method` and `received_at` of its payment."""
    require(actor, "orders.approve")
    row = _one(session, order_id, actor)
    guards.refuse_one(guards.refusal_for(row, Status.PAID, allowed_from=(Status.PENDING_ADMIN,), action=_("approved")))
    now = datetime.now(UTC)
    if row.balance > 0 and method is None and row.payment_mode != "online":
        raise InvalidInput(
            _("Order {number} still owes {amount}: choose how it was paid.").format(
                number=row.number, amount=f"{row.balance} {row.currency}"
            )
        )
    if method is None:
        method, received = "online", now
    else:
        method = guards.clean_method(method)
        guards.require_payment(actor, row, method)
        received = guards.clean_received_at(received_at, now=now) if received_at is not None else now
    reference = inputs.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    return _settle_one(
        session, actor=actor, row=row, method=method, received_at=received, reference=reference, action="approved"
    )


def reject_order(session: Session, *, actor: Actor, order_id: int, reason: str | None = None) -> None:
    """An admin rejects a `pending_admin` order: it becomes cancelled."""
    require(actor, "orders.approve")
    _change_one_status(
        session,
        actor=actor,
        order_id=order_id,
        reason=reason,
        target=Status.CANCELLED,
        allowed_from=(Status.PENDING_ADMIN,),
        refused_as=_("rejected"),
        history_action="rejected",
    )


def cancel_orders(session: Session, *, actor: Actor, order_ids: Iterable[int], reason: str) -> ActionResult:
    """Cancel every order of the selection that is not final; the others are refused one by
    one with the reason. A reason is required (kept in the history)."""
    require(actor, "orders.cancel")
    reason = guards.clean_reason(reason, required=True)
    ids = guards.order_ids(order_ids)
    rows = guards.lock_orders(session, ids, actor=actor, bulk=True)
    now = datetime.now(UTC)
    result = ActionResult()
    cancelled: list[int] = []
    for order_id in ids:
        row = rows[order_id]
        refusal = guards.refusal_for(row, Status.CANCELLED, allowed_from=CANCELLABLE, action=_("cancelled"))
        if refusal:
            result.refused.append(Refusal(row.id, row.number, refusal))
            continue
        details = _set_status(session, row, Status.CANCELLED, now)
        record(session, order_id=row.id, actor=actor, action="cancelled", at=now, reason=reason, details=details)
        result.done.append(row.number)
        cancelled.append(row.id)
    after_cancelled(session, cancelled, actor=actor, reason=reason, now=now)  # their invoices credited
    void_cancelled(session, actor=actor, order_ids=cancelled, now=now)  # their tickets no longer admit
    return result


def delete_orders(session: Session, *, actor: Actor, order_ids: Iterable[int], reason: str) -> ActionResult:
    """Soft-delete orders (rule 4): `deleted_at` and `deleted_reason` are set, the order stays
    in the database and its history, its attendees are untouched; an admin can restore it."""
    require(actor, "orders.delete")
    reason = guards.clean_reason(reason, required=True)
    ids = guards.order_ids(order_ids)
    rows = guards.lock_orders(session, ids, actor=actor, bulk=True)
    now = datetime.now(UTC)
    result = ActionResult()
    deleted: list[int] = []
    for order_id in ids:
        row = rows[order_id]
        if row.deleted_at is not None:
            result.refused.append(
                Refusal(row.id, row.number, _("Order {number} is already deleted.").format(number=row.number))
            )
            continue
        session.execute(
            update(Order)
            .where(Order.id == row.id, Order.deleted_at.is_(None))
            .values(deleted_at=now, deleted_reason=reason, updated_at=now, version=Order.version + 1)
            .execution_options(synchronize_session="fetch")
        )
        details: dict[str, Any] = {"deleted_at": change(None, now)}
        if freed := release_seats(session, order_ids=[row.id]):  # rule 17: a deleted order holds no seat
            details["seats"] = change(", ".join(freed), None)
        record(session, order_id=row.id, actor=actor, action="deleted", at=now, reason=reason, details=details)
        result.done.append(row.number)
        deleted.append(row.id)
    after_cancelled(session, deleted, actor=actor, reason=reason, now=now)  # a deleted order bills nothing
    return result


def restore_order(session: Session, *, actor: Actor, order_id: int, reason: str | None = None) -> None:
    """An admin brings a soft-deleted order back, as it was."""
    require(actor, "orders.restore")
    reason = guards.clean_reason(reason, required=False)
    row = _one(session, order_id, actor)
    if row.deleted_at is None:
        raise TransitionRefused(_("Order {number} is not deleted.").format(number=row.number))
    now = datetime.now(UTC)
    session.execute(
        update(Order)
        .where(Order.id == row.id)
        .values(deleted_at=None, deleted_reason=None, updated_at=now, version=Order.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    # Its seats come back with it, unless one was sold again meanwhile: then nothing is restored.
    reclaim_seats(session, session.get_one(Order, row.id))
    record(
        session,
        order_id=row.id,
        actor=actor,
        action="restored",
        at=now,
        reason=reason,
        details={"deleted_at": change(row.deleted_at, None)},
    )
    after_restored(session, session.get_one(Order, row.id), actor=actor, now=now)  # invoiced again


def mark_failed(session: Session, *, actor: Actor, order_id: int, reason: str | None = None) -> None:
    """The payment provider reports that a `pending_online` payment failed (e.g. its error 107)."""
    require(actor, "orders.provider_callback")
    _change_one_status(
        session,
        actor=actor,
        order_id=order_id,
        reason=reason,
        target=Status.FAILED,
        allowed_from=(Status.PENDING_ONLINE,),
        refused_as=_("marked as failed"),
        history_action="payment_failed",
    )


def confirm_online(
    session: Session, *, actor: Actor, order_id: int, reference: str | None = None, received_at: datetime | None = None
) -> Confirmed:
    """The payment provider confirms a `pending_online` payment: the order becomes paid with an
    `online` settlement payment (its transaction id as reference), attendees and confirmation."""
    require(actor, "orders.provider_callback")
    reference = inputs.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    row = _one(session, order_id, actor)
    guards.refuse_one(
        guards.refusal_for(row, Status.PAID, allowed_from=(Status.PENDING_ONLINE,), action=_("confirmed"))
    )
    guards.require_payment(actor, row, PaymentMethod.ONLINE)  # the provider's, never a person's
    now = datetime.now(UTC)
    received = guards.clean_received_at(received_at, now=now) if received_at is not None else now
    return _settle_one(
        session,
        actor=actor,
        row=row,
        method="online",
        received_at=received,
        reference=reference,
        action="payment_confirmed",
    )
