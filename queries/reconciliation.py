"""Read side of bank reconciliation: statements, their lines with the stored classification
(issue 16: paged in SQL, counted per classification, never recomputed on a click), the dry run
of the bulk confirmation, and the per-statement report (per currency).

Issue 17, event scope. A bank statement belongs to the organisation (one bank account): every
finance user lists and imports statements. Its lines pay orders of many events, and each team's
finance reconciles its own events. So for a principal scoped to some events, a line linked to an
order of another event (a confirmed payment, a matched refund, or a stored classification
pointing at that order: matched, partial, overpaid, already paid, cancelled, other currency,
refund, or "no match" naming that order in its reference) is **another team's line**: it is left
out of the lines, of the counts per classification, of the report's sums and of the bulk
confirmation's dry run, in SQL (orders_core.reconciliation.visibility). Only how many such lines
the statement has is said (`classification_counts(...)["other_events"]`), never their amounts,
payers, references, orders or reasons: a finance officer sees that the statement is not all
theirs (so that its totals differ from the bank's) and learns nothing else about the other
event; the other team's finance (or an all-events one) confirms those lines. Hiding them rather
than listing them as "another team's line" keeps the officer's list to what they can act on,
and the raw reference and payer of such a line would name the other event's order and buyer.
A "no match" that only the amount links to another event's order (the reference does not name
it, the payer is someone else) may well be ours: it is shown, without that order, its score or
the reason naming it. Lines linked to no order (nothing close, unknown numbers, duplicates,
ignored, outgoing without an order) are everybody's and shown. The classification itself stays
the organisation's (computed against every event's open orders, so each line keeps its best
match whoever imports); live suggestions for a scoped principal consider only their events'
orders (proposals.suggestions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from orders_core.models import BankAllocation, BankLineClassification, BankStatement, BankTransaction, Order
from orders_core.permissions import Actor
from orders_core.reconciliation.bulk_plan import BulkPlan, plan_decided
from orders_core.reconciliation.reasons import NOTHING_OF_YOURS
from orders_core.reconciliation.visibility import foreign_order, line_visible
from orders_core.scope import event_condition
from orders_core.status import OPEN_BANK_STATUSES, BankDirection
from queries.sql import money_sum


def statements(engine: Engine, *, principal: Actor) -> pd.DataFrame:
    """Every statement (the organisation's bank account: the same list for every principal; its
    counts are of bank lines, never of orders)."""
    del principal  # statements name no event
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


def statement_report(engine: Engine, statement_id: int, *, principal: Actor) -> pd.DataFrame:
    """Per currency: received (incoming lines), paid out (outgoing lines), matched, partially matched (allocated part), unmatched (what is
    left to allocate) and ignored, with transaction counts. Exact Decimal sums, over the lines the
    principal sees (another team's lines are left out)."""
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
        .where(t.statement_id == statement_id, line_visible(t.id, principal))
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


def classification_counts(engine: Engine, statement_id: int, *, principal: Actor) -> dict[str, int]:
    """Lines per stored classification, plus "all" (every line of the statement) and
    "unclassified" (lines with no stored row: imported before classifications existed), over the
    lines the principal sees; "other_events": how many lines are other teams' (0 for a
    principal of every event)."""
    c, t = BankLineClassification, BankTransaction
    visible = line_visible(t.id, principal)
    with engine.connect() as conn:
        counts = {
            str(k): int(v)
            for k, v in conn.execute(
                select(c.classification, func.count())
                .join(t, t.id == c.transaction_id)
                .where(c.statement_id == statement_id, visible)
                .group_by(c.classification)
            )
        }
        total, shown = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((visible, 1), else_=0)), 0))
            .select_from(t)
            .where(t.statement_id == statement_id)
        ).one()
    counts["all"] = int(shown)
    counts["unclassified"] = int(shown) - sum(v for k, v in counts.items() if k != "all")
    counts["other_events"] = int(total) - int(shown)
    return counts


def classified_lines(
    engine: Engine,
    statement_id: int,
    classification: str | None = None,
    limit: int = 25,
    offset: int = 0,
    *,
    principal: Actor,
) -> list[dict[str, Any]]:
    """One page of the statement's lines (in statement order) with their stored classification,
    reason and the order it points at; `classification` None: every line. Only the lines the
    principal sees; a "no match" pointing at another event's order comes without that order,
    score or reason (a neutral reason instead)."""
    t, c = BankTransaction, BankLineClassification
    foreign = foreign_order(c.order_id, principal)
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
            case((foreign, None), else_=c.reason).label("reason"),
            case((foreign, None), else_=c.order_id).label("order_id"),
            c.refund_id,
            case((foreign, None), else_=c.score).label("score"),
            c.decided,
            case((foreign, None), else_=Order.number).label("order_number"),
            foreign.label("foreign"),
        )
        .outerjoin(c, c.transaction_id == t.id)
        .outerjoin(Order, Order.id == c.order_id)
        .where(t.statement_id == statement_id, line_visible(t.id, principal))
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
                .where(
                    BankAllocation.transaction_id.in_([r["id"] for r in rows]),
                    event_condition(Order.event_id, principal),
                )
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
        if row.pop("foreign"):  # masked in SQL: say why there is no order, never which one
            row["reason"] = {"key": NOTHING_OF_YOURS, "params": {"currency": row["currency"]}}
    return rows


def decided_plan(engine: Engine, statement_id: int, *, principal: Actor) -> BulkPlan:
    """The dry run of confirming every decided match of the statement (from the stored rows) that
    the principal sees."""
    with Session(engine) as session:
        return plan_decided(session, statement_id, principal=principal)
