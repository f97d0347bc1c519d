"""The bulk confirmation's plan (issue 16): the open lines whose stored classification is a
decided match, with the orders they pay and the amounts per currency. A read: the dry run the
page shows, and the list `decisions.confirm_decided` works through. No service imports here (the
read side uses it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_id
from orders_core.models import BankLineClassification, BankStatement, BankTransaction
from orders_core.permissions import Actor
from orders_core.reconciliation.classes import allocations
from orders_core.reconciliation.visibility import line_visible
from orders_core.status import BankDirection, BankLineClass, BankTransactionStatus

ZERO = Decimal("0.00")


def known_statement(session: Session, statement_id: object) -> int:
    """The id of an existing statement, or a readable refusal."""
    missing = _("Unknown bank statement {id}.").format(id=str(statement_id)[:30])
    statement_id = clean_id(statement_id, missing=missing)
    if session.get(BankStatement, statement_id) is None:
        raise InvalidInput(missing)
    return statement_id


@dataclass
class BulkPlan:
    """Decided matches of a statement (the dry run), or what confirming them did (the report)."""

    dry_run: bool
    lines: int = 0
    orders: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # per currency, never added across
    items: list[tuple[int, int, str, list[tuple[int, Decimal]]]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)

    def add(self, transaction_id: int, line: int, currency: str, pairs: list[tuple[int, Decimal]]) -> None:
        self.items.append((transaction_id, line, currency, pairs))
        self.lines += 1
        self.orders += len(pairs)
        self.amounts[currency] = self.amounts.get(currency, ZERO) + sum((a for _o, a in pairs), ZERO)


def plan_decided(session: Session, statement_id: int, *, principal: Actor) -> BulkPlan:
    """The dry run of `confirm_decided`: the open lines classified `matched` and decided, with
    the orders they pay and the amounts per currency. Writes nothing. Issue 17: only the lines
    the principal sees (another team's decided matches are theirs to confirm)."""
    statement_id = known_statement(session, statement_id)
    c, t = BankLineClassification, BankTransaction
    query = (
        select(t.id, t.line_number, t.currency, c.reason)
        .join(c, c.transaction_id == t.id)
        .where(
            c.statement_id == statement_id,
            c.classification == BankLineClass.MATCHED,
            c.decided.is_(True),
            t.status == BankTransactionStatus.UNMATCHED,
            t.direction == BankDirection.CREDIT,  # never a refund paid out,
            t.amount > t.allocated,  # nor a zero line
            line_visible(t.id, principal),
        )
        .order_by(t.id)
    )
    plan = BulkPlan(dry_run=True)
    for row in session.execute(query):
        pairs = allocations(row.reason)
        if pairs:
            plan.add(row.id, row.line_number, row.currency, pairs)
    return plan
