"""Read side of bank reconciliation: statements, their lines with the stored classification
(issue 16: paged in SQL, counted per classification, never recomputed on a click), the dry run
of the bulk confirmation, and the per-statement report (per currency)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from orders_core.models import BankAllocation, BankLineClassification, BankStatement, BankTransaction, Order
from orders_core.reconciliation.bulk_plan import BulkPlan, plan_decided
from orders_core.status import OPEN_BANK_STATUSES, BankDirection
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
    """Per currency: received (incoming lines), paid out (outgoing lines), matched, partially matched (allocated part), unmatched (what is
    left to allocate) and ignored, with transaction counts. Exact Decimal sums."""
    t = BankTransaction
    left = t.amount - t.allocated
    credit = t.direction == BankDirection.CREDIT
    query = (
        select(
            t.currency,
            func.count().label("transactions"),
            money_sum(case((credit, t.amount), else_=0)).label("received"),
            money_sum(case((credit, 0), else_=t.amount)).label("paid_out"),
            money_sum(case((credit & (t.status == "matched"), t.amount), else_=0)).label("matched"),
            money_sum(case((credit & (t.status == "partial"), t.allocated), else_=0)).label("partially_matched"),
            money_sum(case((credit & t.status.in_(OPEN_BANK_STATUSES), left), else_=0)).label("unmatched"),
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
            "paid_out",
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


def classification_counts(engine: Engine, statement_id: int) -> dict[str, int]:
    """Lines per stored classification, plus "all" (every line of the statement) and
    "unclassified" (lines with no stored row: imported before classifications existed)."""
    c = BankLineClassification
    with engine.connect() as conn:
        counts = {
            str(k): int(v)
            for k, v in conn.execute(
                select(c.classification, func.count()).where(c.statement_id == statement_id).group_by(c.classification)
            )
        }
        total = conn.execute(
            select(func.count()).select_from(BankTransaction).where(BankTransaction.statement_id == statement_id)
        ).scalar_one()
    counts["all"] = int(total)
    counts["unclassified"] = int(total) - sum(v for k, v in counts.items() if k != "all")
    return counts


def classified_lines(
    engine: Engine, statement_id: int, classification: str | None = None, limit: int = 25, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of the statement's lines (in statement order) with their stored classification,
    reason and the order it points at; `classification` None: every line."""
    t, c = BankTransaction, BankLineClassification
    query = (
        select(
            t.id,
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
            c.classification,
            c.reason,
            c.order_id,
            c.refund_id,
            c.score,
            c.decided,
            Order.number.label("order_number"),
        )
        .outerjoin(c, c.transaction_id == t.id)
        .outerjoin(Order, Order.id == c.order_id)
        .where(t.statement_id == statement_id)
        .order_by(t.line_number, t.id)
        .limit(limit)
        .offset(offset)
    )
    if classification is not None:
        query = query.where(c.classification == classification)
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
        paid: dict[int, list[tuple[int, Decimal]]] = {}
        if rows:
            allocations = (
                select(BankAllocation.transaction_id, Order.number, BankAllocation.amount)
                .join(Order, Order.id == BankAllocation.order_id)
                .where(BankAllocation.transaction_id.in_([r["id"] for r in rows]))
                .order_by(BankAllocation.id)
            )
            for transaction_id, number, amount in conn.execute(allocations):
                paid.setdefault(transaction_id, []).append((number, Decimal(str(amount)).quantize(Decimal("0.01"))))
    for row in rows:
        row["amount"] = Decimal(str(row["amount"])).quantize(Decimal("0.01"))
        row["allocated"] = Decimal(str(row["allocated"])).quantize(Decimal("0.01"))
        row["direction"] = str(row["direction"])
        row["status"] = str(row["status"])
        row["classification"] = str(row["classification"]) if row["classification"] is not None else None
        row["allocations"] = paid.get(row["id"], [])
    return rows


def decided_plan(engine: Engine, statement_id: int) -> BulkPlan:
    """The dry run of confirming every decided match of the statement (from the stored rows)."""
    with Session(engine) as session:
        return plan_decided(session, statement_id)
