"""Classify every line of a statement (issue 16) and store the classification with its reason in
`bank_line_classes`. Run at the end of an import and when finance asks to re-classify; the page
reads the stored rows and never recomputes them on a click. No Streamlit.

In this order, first answer wins:
1. a line a person already settled (confirmed, matched to a refund, ignored) says so;
2. zero amount -> ignored;
3. a bank id that an earlier line also carries (with other values) -> duplicate;
4. outgoing (debit) -> refund: the recorded refund of that amount on the order the reference
   names, else a refund of that amount and currency not yet matched, else a refund to record on
   the order it names;
5. an incoming line naming an order that may not take it: deleted or cancelled ->
   cancelled_order, another currency -> currency_mismatch, paid and owing nothing ->
   already_paid (the order is stored and shown; never proposed as a payment);
6. the matcher's best suggestion: the exact balance -> matched, less -> partial, more ->
   overpaid; `decided` when it may be confirmed in bulk. A suggestion only the amount links
   (no order number in the reference, and a payer name that is not the buyer's or company's)
   is no_match, pointing at that order as a possibility; without a payer name it keeps its
   class. Neither is ever decided;
7. nothing -> no_match.

Set-based: lines are read and classified in batches; per batch one query loads the orders the
references name (any status, any currency), one the lines sharing bank ids, one the refunds; the
open orders are indexed once per run (only when a line needs the matcher). Rows are written with
one executemany per batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orders_core.bulk import insert_rows
from orders_core.models import (
    BankAllocation,
    BankLineClassification,
    BankRefundAllocation,
    BankStatement,
    BankTransaction,
    Order,
    Refund,
)
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.reconciliation.classes import day, label, money, reason
from orders_core.reconciliation.document_refs import mentions_with_documents
from orders_core.reconciliation.line_facts import Line, Mentioned, Named, StatementReads, cents
from orders_core.reconciliation.matching import Matcher, Suggestion, Transfer
from orders_core.reconciliation.proposals import open_orders
from orders_core.reconciliation.reasons import (
    AMOUNT_ONLY,
    DUPLICATE_ID,
    NOT_WAITING,
    NOTHING_CLOSE,
    ORDER_ALREADY_PAID,
    ORDER_CANCELLED,
    ORDER_DELETED,
    ORDER_OTHER_CURRENCY,
    PAYS_ALL_EXACTLY,
    PAYS_EXACTLY,
    PAYS_MORE,
    PAYS_PART,
    REFUND_NO_ORDER,
    REFUND_RECORDED,
    REFUND_SAME_AMOUNT,
    REFUND_TO_RECORD,
    SET_ASIDE,
    SETTLED_PAYMENT,
    SETTLED_REFUND,
    UNKNOWN_NUMBERS,
    ZERO_AMOUNT,
)
from orders_core.services.guards import id_chunks
from orders_core.status import STATUS_LABELS, BankLineClass, BankTransactionStatus, Status

BATCH = 2000
ZERO = Decimal("0.00")
# A best suggestion this close to the next one leaves the choice to a person.
CLOSE_CANDIDATE = 10

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    classification: BankLineClass
    reason: dict[str, Any]
    order_id: int | None = None
    refund_id: int | None = None
    score: int | None = None
    decided: bool = False


def classify_statement(
    session: Session,
    statement_id: int,
    *,
    transaction_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> dict[BankLineClass, int]:
    """Classify the statement's lines (or only `transaction_ids` of it) and store the rows,
    replacing earlier ones. Returns the count per classification written. The caller holds the
    transaction (import, re-classify, confirm)."""
    # Two classifications of one statement (two finance users, a confirm during a re-classify)
    # take turns: each replaces the rows the other wrote instead of colliding on them.
    session.execute(select(BankStatement.id).where(BankStatement.id == statement_id).with_for_update())
    run = _Run(session, statement_id)
    query = select(func.count()).select_from(BankTransaction).where(BankTransaction.statement_id == statement_id)
    if transaction_ids is not None:
        query = query.where(BankTransaction.id.in_(transaction_ids))
    total = session.scalar(query) or 0
    counts: dict[BankLineClass, int] = {}
    done, last_id = 0, 0
    while True:
        lines = run.load_lines(last_id, transaction_ids, BATCH)
        if not lines:
            break
        last_id = lines[-1].id
        rows = run.classify(lines)
        ids = [line.id for line in lines]
        for _part, condition in id_chunks(session, BankLineClassification.transaction_id, ids):
            session.execute(delete(BankLineClassification).where(condition))
        insert_rows(session.connection(), BankLineClassification.__tablename__, rows)  # COPY / executemany
        for row in rows:
            counts[row["classification"]] = counts.get(row["classification"], 0) + 1
        done += len(lines)
        if progress is not None:
            progress(done, total)
    session.flush()
    return counts


class _Run(StatementReads):
    """One classification run: what is shared between batches (the matcher, taken orders)."""

    def __init__(self, session: Session, statement_id: int):
        super().__init__(session, statement_id)
        self.now = datetime.now(UTC)
        self._matcher: Matcher | None = None
        self.balances: dict[int, Decimal] = {}  # open order id -> balance due (the matcher's own figure)
        self.events: dict[int, int | None] = {}  # open order id -> its event
        self.taken_orders: set[int] = set()  # orders a decided line already pays
        self.taken_refunds: set[int] = set()  # refunds an outgoing line of this run already pays

    # -- reading -------------------------------------------------------------------------
    def matcher(self) -> Matcher:
        if self._matcher is None:
            currencies = set(
                self.session.scalars(
                    select(BankTransaction.currency).where(BankTransaction.statement_id == self.statement_id).distinct()
                )
            )
            # The organisation's classification: every event (issue 17: reads filter it, visibility.py).
            orders = open_orders(self.session, currencies, principal=SYSTEM_ACTOR)
            self.balances = {o.id: o.balance_due for o in orders}
            self.events = {o.id: o.event_id for o in orders}
            self._matcher = Matcher(orders)
        return self._matcher

    def settled(self, lines: list[Line]) -> dict[int, Outcome]:
        """What a person already did with these lines (confirmed, matched to a refund, ignored)."""
        done = [line for line in lines if line.status != BankTransactionStatus.UNMATCHED]
        outcomes: dict[int, Outcome] = {}
        if not done:
            return outcomes
        ids = [line.id for line in done]
        payments = select(
            BankAllocation.transaction_id, BankAllocation.order_id, Order.number, BankAllocation.amount
        ).join(Order, Order.id == BankAllocation.order_id)
        refunds = (
            select(
                BankRefundAllocation.transaction_id,
                BankRefundAllocation.refund_id,
                Refund.order_id,
                Order.number,
                Refund.amount,
                Refund.refunded_at,
            )
            .join(Refund, Refund.id == BankRefundAllocation.refund_id)
            .join(Order, Order.id == Refund.order_id)
        )
        by_line = {line.id: line for line in done}
        for _part, condition in id_chunks(self.session, BankAllocation.transaction_id, ids):
            for r in self.session.execute(payments.where(condition)):
                line = by_line[r.transaction_id]
                if line.status == BankTransactionStatus.MATCHED and r.transaction_id not in outcomes:
                    outcomes[r.transaction_id] = Outcome(
                        BankLineClass.MATCHED,
                        reason(SETTLED_PAYMENT, amount=money(cents(r.amount), line.currency), number=r.number),
                        order_id=r.order_id,
                    )
        for _part, condition in id_chunks(self.session, BankRefundAllocation.transaction_id, ids):
            for f in self.session.execute(refunds.where(condition)):
                line = by_line[f.transaction_id]
                outcomes[f.transaction_id] = Outcome(
                    BankLineClass.REFUND,
                    reason(
                        SETTLED_REFUND,
                        amount=money(cents(f.amount), line.currency),
                        number=f.number,
                        refunded_on=day(f.refunded_at.date()),
                    ),
                    order_id=f.order_id,
                    refund_id=f.refund_id,
                )
        for line in done:
            if line.status == BankTransactionStatus.IGNORED:
                ignored = line.amount == 0 and not line.comment
                outcomes[line.id] = Outcome(
                    BankLineClass.IGNORED,
                    reason(ZERO_AMOUNT) if ignored else reason(SET_ASIDE, comment=line.comment),
                )
        return outcomes

    # -- deciding ------------------------------------------------------------------------
    def classify(self, lines: list[Line]) -> list[dict[str, Any]]:
        # Exact numbers first, then those read from look-alike characters ("CMD 1OOOO42").
        # Then the orders of the invoice or credit-note numbers quoted (issue 21).
        referenced = mentions_with_documents(self.session, {line.id: line.reference for line in lines})
        named = self.named_orders({m.number for mentions in referenced.values() for m in mentions})
        first = self.first_with_bank_id(lines)
        debits = [line for line in lines if line.debit and line.amount > 0]
        refunds = self.open_refunds(
            {named[m.number].id for line in debits for m in referenced[line.id] if m.number in named},
            {line.amount for line in debits},
            {line.currency for line in debits},
        )
        settled = self.settled(lines)
        rows = []
        for line in lines:
            orders = [Mentioned(named[m.number], m) for m in referenced[line.id] if m.number in named]
            numbers = [m.number for m in referenced[line.id] if m.exact]
            outcome = (
                settled.get(line.id)
                or self._zero(line)
                or self._duplicate(line, first)
                or (self._refund(line, orders, refunds) if line.debit else None)
                or self._unpayable(line, orders)
                or self._suggested(line, orders, numbers)
            )
            rows.append(
                dict(
                    transaction_id=line.id,
                    statement_id=line.statement_id,
                    classification=outcome.classification.value,
                    reason=outcome.reason,
                    order_id=outcome.order_id,
                    refund_id=outcome.refund_id,
                    score=outcome.score,
                    decided=outcome.decided,
                    classified_at=self.now,
                )
            )
        return rows

    @staticmethod
    def _zero(line: Line) -> Outcome | None:
        return Outcome(BankLineClass.IGNORED, reason(ZERO_AMOUNT)) if line.amount == 0 else None

    @staticmethod
    def _duplicate(line: Line, first: dict[str, Any]) -> Outcome | None:
        other = first.get(line.bank_id) if line.bank_id else None
        if other is None or other.id == line.id:
            return None
        return Outcome(
            BankLineClass.DUPLICATE,
            reason(
                DUPLICATE_ID,
                bank_id=line.bank_id,
                line=other.line_number,
                statement=other.statement_id,
                other_amount=money(cents(other.amount), other.currency),
                other_on=day(other.booked_on),
            ),
        )

    def _refund(self, line: Line, orders: list[Mentioned], refunds: list[Any]) -> Outcome:
        amount = money(line.amount, line.currency)
        by_order = {o.order.id: o for o in orders}
        free = [
            r
            for r in refunds
            if r.id not in self.taken_refunds and cents(r.amount) == line.amount and r.currency == line.currency
        ]
        # On an order named by its exact number first, then by a look-alike one.
        on_named = sorted(
            (r for r in free if r.order_id in by_order), key=lambda r: not by_order[r.order_id].mention.exact
        )
        for candidates, key in ((on_named, REFUND_RECORDED), (free, REFUND_SAME_AMOUNT)):
            if candidates:
                refund = candidates[0]
                self.taken_refunds.add(refund.id)
                said = by_order.get(refund.order_id)
                return Outcome(
                    BankLineClass.REFUND,
                    reason(
                        key,
                        said.signals() if said is not None else None,
                        amount=amount,
                        number=refund.number,
                        refunded_on=day(refund.refunded_at.date()),
                    ),
                    order_id=refund.order_id,
                    refund_id=refund.id,
                    score=said.score if said is not None else None,
                )
        named = next((o for o in orders if o.order.currency == line.currency and not o.order.deleted), None)
        if named is not None:
            order = named.order
            return Outcome(
                BankLineClass.REFUND,
                reason(
                    REFUND_TO_RECORD,
                    named.signals(),
                    amount=amount,
                    number=order.number,
                    kept=money(order.kept, order.currency),
                ),
                order_id=order.id,
                score=named.score,
            )
        return Outcome(BankLineClass.REFUND, reason(REFUND_NO_ORDER, amount=amount, currency=line.currency))

    @staticmethod
    def _payable(line: Line, order: Named) -> bool:
        return (
            not order.deleted
            and order.status == Status.AWAITING_PAYMENT
            and order.currency == line.currency
            and order.total > order.kept
        )

    def _unpayable(self, line: Line, orders: list[Mentioned]) -> Outcome | None:
        """A line naming only orders it must not pay: the first one named (exact numbers before
        look-alike ones), and why. Never decided: nothing to confirm, a person looks."""
        if not orders or any(self._payable(line, o.order) for o in orders):
            return None
        named = orders[0]
        order, signals, score = named.order, named.signals(), named.score
        amount = money(line.amount, line.currency)
        if order.deleted:
            return Outcome(
                BankLineClass.CANCELLED_ORDER,
                reason(ORDER_DELETED, signals, number=order.number),
                order_id=order.id,
                score=score,
            )
        if order.status == Status.CANCELLED:
            return Outcome(
                BankLineClass.CANCELLED_ORDER,
                reason(ORDER_CANCELLED, signals, number=order.number),
                order_id=order.id,
                score=score,
            )
        if order.currency != line.currency:
            return Outcome(
                BankLineClass.CURRENCY_MISMATCH,
                reason(
                    ORDER_OTHER_CURRENCY,
                    signals,
                    number=order.number,
                    order_currency=order.currency,
                    amount=amount,
                ),
                order_id=order.id,
                score=score,
            )
        if order.status == Status.PAID and order.kept >= order.total:
            return Outcome(
                BankLineClass.ALREADY_PAID,
                reason(
                    ORDER_ALREADY_PAID,
                    signals,
                    number=order.number,
                    paid_on=day(order.paid_at.date() if order.paid_at else None),
                    amount=amount,
                ),
                order_id=order.id,
                score=score,
            )
        return None  # named, but neither open nor refused outright: the matcher may find another

    def _suggested(self, line: Line, orders: list[Mentioned], numbers: list[int]) -> Outcome:
        left, documents = line.amount - line.allocated, tuple(o.mention for o in orders if o.mention.document)
        ranked = self.matcher().suggest(
            Transfer(line.id, line.booked_on, left, line.currency, line.payer, line.reference, documents)
        )
        # Issue 17: one transfer pays one event's orders (each team confirms its own), never two.
        ranked = [s for s in ranked if len({self.events.get(i) for i in s.order_ids}) == 1]
        if not ranked:
            return self._no_match(line, orders, numbers)
        best = ranked[0]
        if best.payer_contradicts:
            return Outcome(
                BankLineClass.NO_MATCH,
                reason(AMOUNT_ONLY, best.reasons, number=best.order_numbers[0], payer=line.payer),
                order_id=best.order_ids[0],
                score=best.score,
            )
        balance = sum((self.balances[i] for i in best.order_ids), ZERO)
        params: dict[str, Any] = dict(
            number=best.order_numbers[0],
            numbers=", ".join(str(n) for n in best.order_numbers),
            balance=money(balance, line.currency),
            amount=money(left, line.currency),
        )
        if left == balance:
            classification = BankLineClass.MATCHED
            key = PAYS_EXACTLY if len(best.order_ids) == 1 else PAYS_ALL_EXACTLY
        elif left < balance:
            classification, key = BankLineClass.PARTIAL, PAYS_PART
            params["left"] = money(balance - left, line.currency)
        else:
            classification, key = BankLineClass.OVERPAID, PAYS_MORE
            params["excess"] = money(left - balance, line.currency)
        used = {k for k in ("number", "numbers", "balance", "amount", "left", "excess") if "{" + k + "}" in key}
        stored = reason(key, best.reasons, **{k: v for k, v in params.items() if k in used})
        stored["allocations"] = [
            [order_id, number, str(amount)]
            for order_id, number, amount in zip(best.order_ids, best.order_numbers, best.allocations, strict=True)
        ]
        decided = classification == BankLineClass.MATCHED and self._decided(best, ranked)
        if decided:
            self.taken_orders.update(best.order_ids)
        return Outcome(classification, stored, order_id=best.order_ids[0], score=best.score, decided=decided)

    def _decided(self, best: Suggestion, ranked: list[Suggestion]) -> bool:
        """May be confirmed in bulk: the matcher's own `decided` when it has one, else a
        high-confidence exact match with no other candidate close; never a match only the
        amount links, nor an order another decided line of the statement already pays."""
        if best.amount_only or self.taken_orders & set(best.order_ids):
            return False
        verdict = getattr(best, "decided", None)
        if verdict is not None:
            return bool(verdict)
        return best.high_confidence and not (len(ranked) > 1 and ranked[1].score >= best.score - CLOSE_CANDIDATE)

    def _no_match(self, line: Line, orders: list[Mentioned], numbers: list[int]) -> Outcome:
        if orders:
            order = orders[0].order
            status = STATUS_LABELS.get(Status(order.status), order.status)
            return Outcome(
                BankLineClass.NO_MATCH,
                reason(NOT_WAITING, orders[0].signals(), number=order.number, status=label(status)),
                order_id=order.id,
                score=orders[0].score,
            )
        if numbers:
            return Outcome(
                BankLineClass.NO_MATCH,
                reason(UNKNOWN_NUMBERS, numbers=", ".join(str(n) for n in numbers), currency=line.currency),
            )
        return Outcome(BankLineClass.NO_MATCH, reason(NOTHING_CLOSE, currency=line.currency))
