"""What reconciliation proposes, read-only: the invoice orders still owed money, ranked
suggestions for each open bank transfer, and the dry run of confirming every high-confidence
match. The services (service.py) act on these; the read side (queries/) shows them, without
importing anything that writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.i18n import _
from orders_core.inputs import clean_id
from orders_core.models import BankTransaction, Order
from orders_core.reconciliation.matching import Matcher, OpenOrder, Suggestion, Transfer
from orders_core.status import OPEN_BANK_STATUSES


@dataclass
class ConfirmPlan:
    """What confirming would do (the dry run shown before the user confirms)."""

    transfers: int = 0
    orders: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    items: list[tuple[int, Suggestion]] = field(default_factory=list)


def open_orders(session: Session, currencies: set[str]) -> list[OpenOrder]:
    """Invoice orders still owed money: awaiting payment, not deleted, balance due > 0."""
    rows = session.execute(
        select(
            Order.id,
            Order.number,
            Order.currency,
            Order.total_ttc,
            Order.amount_paid,
            Order.created_at,
            Order.buyer_first_name,
            Order.buyer_last_name,
            Order.company_name,
        ).where(
            Order.status == "awaiting_payment",
            Order.deleted_at.is_(None),
            Order.currency.in_(currencies),
            Order.total_ttc > Order.amount_paid,
        )
    )
    return [
        OpenOrder(
            id=r.id,
            number=r.number,
            currency=r.currency,
            balance_due=(Decimal(str(r.total_ttc)) - Decimal(str(r.amount_paid))).quantize(Decimal("0.01")),
            created_on=r.created_at.date(),
            buyer_name=f"{r.buyer_first_name} {r.buyer_last_name}".strip(),
            company_name=r.company_name or "",
        )
        for r in rows
    ]


def suggestions(session: Session, transactions: list[BankTransaction]) -> dict[int, list[Suggestion]]:
    """Ranked suggestions for each open transaction (unmatched, or partially allocated)."""
    if not transactions:
        return {}
    matcher = Matcher(open_orders(session, {t.currency for t in transactions}))
    return {
        t.id: matcher.suggest(
            Transfer(
                t.id, t.booked_on, Decimal(str(t.amount)) - Decimal(str(t.allocated)), t.currency, t.payer, t.reference
            )
        )
        for t in transactions
        if t.status in OPEN_BANK_STATUSES
    }


def plan_high_confidence(session: Session, statement_id: int) -> ConfirmPlan:
    """The dry run of `confirm_high_confidence`: each open transaction whose best suggestion is
    high-confidence and clearly ahead of the next one."""
    statement_id = clean_id(statement_id, missing=_("Unknown bank statement {id}.").format(id=str(statement_id)[:30]))
    transactions = session.scalars(
        select(BankTransaction)
        .where(BankTransaction.statement_id == statement_id, BankTransaction.status == "unmatched")
        .order_by(BankTransaction.id)
    ).all()
    plan = ConfirmPlan()
    taken: set[int] = set()
    for transaction in transactions:
        ranked = suggestions(session, [transaction]).get(transaction.id, [])
        if not ranked or not ranked[0].high_confidence:
            continue
        best = ranked[0]
        if len(ranked) > 1 and ranked[1].score >= best.score - 10:
            continue  # two close candidates: a person decides
        if taken & set(best.order_ids):
            continue
        taken |= set(best.order_ids)
        plan.items.append((transaction.id, best))
        plan.transfers += 1
        plan.orders += len(best.order_ids)
        plan.amounts[transaction.currency] += sum(best.allocations, Decimal("0"))
    return plan
