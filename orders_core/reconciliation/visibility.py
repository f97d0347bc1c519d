"""Issue 17: which statement lines a principal sees, as SQL conditions (the rule is explained in
queries/reconciliation.py's module docstring). One rule, used by the read side (queries), the bulk
plan and the services that lock a line.

A line belongs to another team's event when it is linked to an order outside the principal's
scope: a confirmed payment (`bank_allocations`), a matched refund (`bank_refund_allocations`), or
its stored classification pointing at that order, except a "no match" that only the amount links
to the order (`AMOUNT_ONLY`: the reference does not name it and the payer is someone else). Such
a line is anybody's: it is shown, with the other event's order taken out (`foreign_order`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select, true
from sqlalchemy.orm import aliased

from orders_core.models import BankAllocation, BankLineClassification, BankRefundAllocation, Order, Refund
from orders_core.permissions import Actor
from orders_core.reconciliation.reasons import AMOUNT_ONLY
from orders_core.scope import event_condition
from orders_core.status import BankLineClass


def _outside(order_id: Any, principal: Actor) -> ColumnElement[bool]:
    """The order is not one of the principal's events' orders."""
    outside: ColumnElement[bool] = order_id.in_(
        select(Order.id).where(not_(event_condition(Order.event_id, principal)))
    )
    return outside


def _amount_only(c: Any) -> ColumnElement[bool]:
    return and_(c.classification == BankLineClass.NO_MATCH, c.reason["key"].as_string() == AMOUNT_ONLY)


def line_visible(transaction_id: Any, principal: Actor) -> ColumnElement[bool]:
    """A condition on a bank transaction id: the line is not another team's (true for a
    principal of every event)."""
    if principal.all_events:
        return true()
    c = aliased(BankLineClassification)
    allocation, refund_allocation, refund = aliased(BankAllocation), aliased(BankRefundAllocation), aliased(Refund)
    classified = exists(
        select(c.transaction_id).where(
            c.transaction_id == transaction_id, _outside(c.order_id, principal), not_(_amount_only(c))
        )
    )
    paid = exists(
        select(allocation.id).where(
            allocation.transaction_id == transaction_id, _outside(allocation.order_id, principal)
        )
    )
    refunded = exists(
        select(refund_allocation.id)
        .join(refund, refund.id == refund_allocation.refund_id)
        .where(refund_allocation.transaction_id == transaction_id, _outside(refund.order_id, principal))
    )
    return not_(or_(classified, paid, refunded))


def foreign_order(order_id: Any, principal: Actor) -> ColumnElement[bool]:
    """A condition on a classification's order id: an order of another event (only a visible
    "no match" line may still point at one: its order, score and reason are not shown)."""
    if principal.all_events:
        return false()
    return and_(order_id.is_not(None), _outside(order_id, principal))
