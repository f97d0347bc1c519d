"""Acting on the stored classifications (issue 16): re-classify a statement, confirm one line's
proposal (a payment, or a refund for an outgoing line), and confirm every decided match in bulk
after a dry run. Finance and admin only; each call is one transaction. Payments go through the
ledger's `confirm_payment` (via `confirm_match`), refunds through `record_refund`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.history import record
from orders_core.i18n import _, format_money
from orders_core.models import BankLineClassification, BankRefundAllocation, BankTransaction, Refund
from orders_core.permissions import Actor, require
from orders_core.reconciliation.bulk_plan import BulkPlan, known_statement, plan_decided
from orders_core.reconciliation.classes import allocations, proposes_payment, proposes_refund
from orders_core.reconciliation.classify import Progress, classify_statement
from orders_core.reconciliation.service import _locked_transaction, confirm_match
from orders_core.services.guards import OrderRow, lock_orders
from orders_core.services.ledger import status_refusal
from orders_core.status import BankDirection, BankLineClass, BankTransactionStatus, PaymentMethod

ZERO = Decimal("0.00")


def reclassify_statement(
    session: Session, *, actor: Actor, statement_id: int, progress: Progress | None = None
) -> dict[BankLineClass, int]:
    """Classify every line of the statement again (after orders changed) and store the result."""
    require(actor, "reconciliation.manage")
    return classify_statement(session, known_statement(session, statement_id), progress=progress)


def _stored(session: Session, transaction: BankTransaction) -> BankLineClassification | None:
    return session.get(BankLineClassification, transaction.id)


def confirm_line(session: Session, *, actor: Actor, transaction_id: int) -> BankTransaction:
    """Confirm the payment the line's stored classification proposes (matched, partial or
    overpaid): the allocations it names, through `confirm_match`. Lines that must not pay an
    order (already paid, cancelled, another currency) have no proposal and are refused."""
    require(actor, "reconciliation.manage")
    transaction = _locked_transaction(session, transaction_id, actor)
    stored = _stored(session, transaction)
    pairs = allocations(stored.reason) if stored is not None else []
    if stored is None or not pairs or not proposes_payment(stored.classification, transaction.status):
        raise TransitionRefused(
            _("Line {line} proposes no payment: assign it by hand or ignore it.").format(line=transaction.line_number)
        )
    return confirm_match(session, actor=actor, transaction_id=transaction.id, allocations=pairs)


@dataclass(frozen=True)
class RefundLineOutcome:
    transaction_id: int
    refund_id: int
    order_number: int
    amount: Decimal
    currency: str
    recorded: bool  # True: a new refund was recorded; False: matched to a recorded one


def confirm_refund_line(session: Session, *, actor: Actor, transaction_id: int) -> RefundLineOutcome:
    """Settle an outgoing line: match it to the recorded refund its classification found, or
    record the proposed refund on the order it names (the ledger's `record_refund`), then store
    the match. One transaction, with the order's history."""
    from orders_core.services.refunds import record_refund

    require(actor, "reconciliation.manage")
    require(actor, "orders.record_refund")
    transaction = _locked_transaction(session, transaction_id, actor)
    if transaction.direction != BankDirection.DEBIT:
        raise InvalidInput(_("Line {line} is not an outgoing payment.").format(line=transaction.line_number))
    stored = _stored(session, transaction)
    if stored is None or not proposes_refund(stored.classification, transaction.status, stored.order_id):
        raise TransitionRefused(
            _(
                "Line {line} proposes no refund: re-classify the statement, or record the refund on the order page."
            ).format(line=transaction.line_number)
        )
    amount = Decimal(str(transaction.amount)).quantize(Decimal("0.01"))
    now = datetime.now(UTC)
    recorded = stored.refund_id is None
    if stored.refund_id is not None:
        # Refunds are append-only (the app's role may not lock them): the order is locked, and the
        # unique refund_id of bank_refund_allocations refuses a second match.
        refund = session.scalars(select(Refund).where(Refund.id == stored.refund_id)).one()
        lock_orders(session, [refund.order_id], actor=actor)
        taken = session.scalar(select(BankRefundAllocation.id).where(BankRefundAllocation.refund_id == refund.id))
        if taken is not None or Decimal(str(refund.amount)) != amount or refund.currency != transaction.currency:
            raise TransitionRefused(
                _("This refund is already matched to another bank line, or changed: re-classify the statement.")
            )
        refund_id, order_id = refund.id, refund.order_id
        record(
            session,
            order_id=order_id,
            actor=actor,
            action="bank_refund_matched",
            at=now,
            details={
                "refund_id": refund_id,
                "amount": str(amount),
                "currency": transaction.currency,
                "bank_line": f"{transaction.statement_id}/{transaction.line_number}",
            },
        )
    else:
        assert stored.order_id is not None  # proposes_refund checked it
        outcome = record_refund(
            session,
            actor=actor,
            order_id=stored.order_id,
            amount=amount,
            method=PaymentMethod.BANK_TRANSFER,
            refunded_at=transaction.booked_on,
            reason=_("Refund paid by bank transfer (statement #{statement}, line {line})").format(
                statement=transaction.statement_id, line=transaction.line_number
            ),
            reference=" ".join(f"{transaction.payer} {transaction.reference}".split())[:200],
            currency=transaction.currency,
        )
        order_id = outcome.order_id
        refund_id = session.scalar(select(func.max(Refund.id)).where(Refund.order_id == order_id)) or 0
    session.execute(
        insert(BankRefundAllocation),
        [dict(transaction_id=transaction.id, refund_id=refund_id, amount=amount, created_at=now, actor=actor.email)],
    )
    transaction.status = BankTransactionStatus.MATCHED
    transaction.allocated = amount
    transaction.updated_at = now
    session.flush()
    classify_statement(session, transaction.statement_id, transaction_ids=[transaction.id])
    number = lock_orders(session, [order_id], actor=actor, lock=False)[order_id].number
    return RefundLineOutcome(transaction.id, refund_id, number, amount, transaction.currency, recorded)


def confirm_decided(session: Session, *, actor: Actor, statement_id: int, dry_run: bool = False) -> BulkPlan:
    """Confirm every decided match of the statement (see `plan_decided`), each through the
    ledger. A line whose order no longer takes that payment (paid, cancelled or changed since it
    was classified) is skipped and reported, never paid. Returns what was done.

    Issue 17: the plan holds only the lines the actor sees (their events' decided matches); an
    order of the plan outside the actor's events (a line paying orders of two events, stored
    before that was refused) refuses the whole action, naming it."""
    require(actor, "reconciliation.manage")
    plan = plan_decided(session, statement_id, principal=actor)
    order_ids = sorted({order_id for *_rest, pairs in plan.items for order_id, _a in pairs})
    rows = lock_orders(session, order_ids, actor=actor, lock=not dry_run, bulk=True) if order_ids else {}
    if dry_run:
        return plan
    done = BulkPlan(dry_run=False)
    for transaction_id, line, currency, pairs in plan.items:
        why = next(
            (
                refusal
                for order_id, amount in pairs
                if (refusal := _refusal(rows[order_id], amount, currency)) is not None
            ),
            None,
        )
        if why is not None:
            done.skipped.append((line, why))
            continue
        confirm_match(session, actor=actor, transaction_id=transaction_id, allocations=pairs)
        rows.update(lock_orders(session, [order_id for order_id, _a in pairs], actor=actor, bulk=True))
        done.add(transaction_id, line, currency, pairs)
    return done


def _refusal(row: OrderRow, amount: Decimal, currency: str) -> str | None:
    if (refusal := status_refusal(row)) is not None:
        return refusal
    if row.currency != currency:
        return _("Order {number} is in {currency}.").format(number=row.number, currency=row.currency)
    if amount > row.balance_due:
        return _("Order {number} now owes {balance}: re-classify the statement.").format(
            number=row.number, balance=format_money(row.balance_due, row.currency)
        )
    return None
