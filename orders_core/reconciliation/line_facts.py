"""What the classifier reads about a statement's lines (issue 16), set-based: the lines in
batches, the orders their references name (any status, any currency), the bank ids an earlier
line also carries, the refunds not yet matched to a bank line. No decision here (classify.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from orders_core.models import BankRefundAllocation, BankTransaction, Order, Refund
from orders_core.reconciliation.matching import LOOK_ALIKE_POINTS, NUMBER_POINTS
from orders_core.reconciliation.reasons import READ_LOOK_ALIKE
from orders_core.reconciliation.references import NumberMention
from orders_core.services.guards import id_chunks
from orders_core.status import BankDirection

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Named:
    """An order a reference names, whatever its status and currency."""

    id: int
    number: int
    status: str
    currency: str
    total: Decimal
    kept: Decimal  # amount_paid: payments - refunds
    paid_at: datetime | None
    deleted: bool
    payment_state: str


@dataclass(frozen=True)
class Mentioned:
    """An order the reference names, and how: its exact number or a look-alike ("1OOOO42")."""

    order: Named
    mention: NumberMention

    @property
    def score(self) -> int:
        """An exact number weighs more than one read from look-alike characters."""
        return NUMBER_POINTS if self.mention.exact else LOOK_ALIKE_POINTS

    def signals(self) -> list[tuple[str, dict[str, Any]]]:
        """The reason's note when the number was read from look-alike characters."""
        if self.mention.exact:
            return []
        return [(READ_LOOK_ALIKE, {"number": self.order.number, "text": self.mention.text})]


@dataclass(frozen=True)
class Line:
    id: int
    statement_id: int
    line_number: int
    booked_on: date
    amount: Decimal
    allocated: Decimal
    debit: bool
    currency: str
    payer: str
    reference: str
    bank_id: str | None
    status: str
    comment: str


def cents(value: object) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(CENT)


class StatementReads:
    """The reads of one classification run of one statement."""

    def __init__(self, session: Session, statement_id: int):
        self.session = session
        self.statement_id = statement_id
        self._reused: dict[str, Any] | None = None

    def load_lines(self, after_id: int, only: Sequence[int] | None, limit: int) -> list[Line]:
        """The next `limit` lines of the statement after `after_id` (or of `only` among them)."""
        t = BankTransaction
        query = (
            select(
                t.id,
                t.statement_id,
                t.line_number,
                t.booked_on,
                t.amount,
                t.allocated,
                t.direction,
                t.currency,
                t.payer,
                t.reference,
                t.bank_id,
                t.status,
                t.comment,
            )
            .where(t.statement_id == self.statement_id, t.id > after_id)
            .order_by(t.id)
            .limit(limit)
        )
        if only is not None:
            query = query.where(t.id.in_(only))
        return [
            Line(
                r.id,
                r.statement_id,
                r.line_number,
                r.booked_on,
                cents(r.amount),
                cents(r.allocated),
                r.direction == BankDirection.DEBIT,
                r.currency,
                r.payer or "",
                r.reference or "",
                r.bank_id,
                r.status,
                r.comment or "",
            )
            for r in self.session.execute(query)
        ]

    def named_orders(self, numbers: set[int]) -> dict[int, Named]:
        found: dict[int, Named] = {}
        for _part, condition in id_chunks(self.session, Order.number, sorted(numbers)):
            query = select(
                Order.id,
                Order.number,
                Order.status,
                Order.currency,
                Order.total_ttc,
                Order.amount_paid,
                Order.paid_at,
                Order.deleted_at,
                Order.payment_state,
            ).where(condition)
            for r in self.session.execute(query):
                found[r.number] = Named(
                    r.id,
                    r.number,
                    r.status,
                    r.currency,
                    cents(r.total_ttc),
                    cents(r.amount_paid),
                    r.paid_at,
                    r.deleted_at is not None,
                    r.payment_state,
                )
        return found

    def first_with_bank_id(self, lines: list[Line]) -> dict[str, Any]:
        """bank id -> the first line (lowest id, any statement) carrying it, for the bank ids of
        this statement that an earlier line also carries. One self-join per run, not per batch."""
        if self._reused is None:
            # IN (subquery), not a self-join: without an index on bank_id, SQLite would loop over
            # every pair of lines (10 minutes for 50,000); IN builds a temporary index once.
            t, mine = BankTransaction, aliased(BankTransaction)
            shared = select(mine.bank_id).where(mine.statement_id == self.statement_id, mine.bank_id.is_not(None))
            firsts = select(func.min(t.id)).where(t.bank_id.in_(shared)).group_by(t.bank_id).having(func.count() > 1)
            query = select(t.id, t.bank_id, t.statement_id, t.line_number, t.amount, t.currency, t.booked_on).where(
                t.id.in_(firsts)
            )
            self._reused = {r.bank_id: r for r in self.session.execute(query)}
        return self._reused

    def open_refunds(self, order_ids: set[int], amounts: set[Decimal], currencies: set[str]) -> list[Any]:
        """Refunds not yet matched to a bank line: those of the named orders, and those of the
        outgoing lines' amounts in their currencies."""
        if not (order_ids or amounts):
            return []
        matched = select(BankRefundAllocation.refund_id).scalar_subquery()
        base = (
            select(Refund.id, Refund.order_id, Order.number, Refund.amount, Refund.currency, Refund.refunded_at)
            .join(Order, Order.id == Refund.order_id)
            .where(Refund.id.not_in(matched))
            .order_by(Refund.refunded_at, Refund.id)
        )
        rows: dict[int, Any] = {}
        for _part, condition in id_chunks(self.session, Refund.order_id, sorted(order_ids)):
            rows.update((r.id, r) for r in self.session.execute(base.where(condition)))
        if amounts:
            query = base.where(Refund.amount.in_(sorted(amounts)), Refund.currency.in_(sorted(currencies)))
            rows.update((r.id, r) for r in self.session.execute(query))
        return sorted(rows.values(), key=lambda r: (r.refunded_at, r.id))
