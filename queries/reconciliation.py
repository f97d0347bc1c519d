"""Read side of bank reconciliation: statements, their transactions with suggestions, and the
per-statement report (per currency)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from orders_core.models import BankAllocation, BankStatement, BankTransaction, Order
from orders_core.reconciliation.proposals import ConfirmPlan, plan_high_confidence, suggestions
from orders_core.status import OPEN_BANK_STATUSES
from queries.sql import money_sum


def statements(engine: Engine) -> pd.DataFrame:
    query = select(
        BankStatement.id,
        BankStatement.filename,
        BankStatement.file_format,
        BankStatement.imported_at,
        BankStatement.imported_by,
        BankStatement.lines_new,
        BankStatement.lines_duplicate,
        BankStatement.errors,
    ).order_by(BankStatement.id.desc())
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(query).all(),
            columns=["id", "filename", "format", "imported_at", "imported_by", "new", "duplicates", "errors"],
        )


def statement_report(engine: Engine, statement_id: int) -> pd.DataFrame:
    """Per currency: received, matched, partially matched (allocated part), unmatched (what is
    left to allocate) and ignored, with transaction counts. Exact Decimal sums."""
    t = BankTransaction
    left = t.amount - t.allocated
    query = (
        select(
            t.currency,
            func.count().label("transactions"),
            money_sum(t.amount).label("received"),
            money_sum(case((t.status == "matched", t.amount), else_=0)).label("matched"),
            money_sum(case((t.status == "partial", t.allocated), else_=0)).label("partially_matched"),
            money_sum(case((t.status.in_(OPEN_BANK_STATUSES), left), else_=0)).label("unmatched"),
            money_sum(case((t.status == "ignored", t.amount), else_=0)).label("ignored"),
            func.sum(case((t.status == "matched", 1), else_=0)).label("matched_count"),
            func.sum(case((t.status == "partial", 1), else_=0)).label("partial_count"),
            func.sum(case((t.status == "unmatched", 1), else_=0)).label("unmatched_count"),
            func.sum(case((t.status == "ignored", 1), else_=0)).label("ignored_count"),
        )
        .where(t.statement_id == statement_id)
        .group_by(t.currency)
        .order_by(t.currency)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(
        rows,
        columns=[
            "currency",
            "transactions",
            "received",
            "matched",
            "partially_matched",
            "unmatched",
            "ignored",
            "matched_count",
            "partial_count",
            "unmatched_count",
            "ignored_count",
        ],
    )


def transactions_with_suggestions(
    engine: Engine, statement_id: int, statuses: tuple[str, ...], limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of the statement's transactions, each with its ranked suggestions (plain values)."""
    with Session(engine) as session:
        page = session.scalars(
            select(BankTransaction)
            .where(BankTransaction.statement_id == statement_id, BankTransaction.status.in_(statuses))
            .order_by(BankTransaction.booked_on, BankTransaction.id)
            .limit(limit)
            .offset(offset)
        ).all()
        ranked = suggestions(session, list(page))
        allocations: dict[int, list[tuple[int, Decimal]]] = {}
        if page:
            for transaction_id, number, amount in session.execute(
                select(BankAllocation.transaction_id, Order.number, BankAllocation.amount)
                .join(Order, Order.id == BankAllocation.order_id)
                .where(BankAllocation.transaction_id.in_([t.id for t in page]))
            ):
                allocations.setdefault(transaction_id, []).append((number, Decimal(str(amount))))
        return [
            {
                "id": t.id,
                "line_number": t.line_number,
                "booked_on": t.booked_on,
                "amount": Decimal(str(t.amount)),
                "allocated": Decimal(str(t.allocated)),
                "currency": t.currency,
                "payer": t.payer,
                "reference": t.reference,
                "status": t.status,
                "comment": t.comment,
                "allocations": allocations.get(t.id, []),
                "suggestions": [
                    {
                        "order_ids": s.order_ids,
                        "order_numbers": s.order_numbers,
                        "allocations": s.allocations,
                        "score": s.score,
                        "high_confidence": s.high_confidence,
                        "reasons": s.reasons,
                    }
                    for s in ranked.get(t.id, [])
                ],
            }
            for t in page
        ]


def transaction_counts(engine: Engine, statement_id: int) -> dict[str, int]:
    query = (
        select(BankTransaction.status, func.count())
        .where(BankTransaction.statement_id == statement_id)
        .group_by(BankTransaction.status)
    )
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def high_confidence_plan(engine: Engine, statement_id: int) -> ConfirmPlan:
    """The dry run of confirming every high-confidence match of the statement."""
    with Session(engine) as session:
        plan = plan_high_confidence(session, statement_id)
        plan.amounts = dict(plan.amounts)
        return plan
