"""Follow-ups and open invoices on the read side (issue 15): what "today" is for a user, and which
invoice orders still owe money. The grid's filters, the overview's to-do list and the finance
dashboard share these conditions, so they count the same orders ("overdue" itself, in each
event's timezone, is queries.due_dates.overdue_condition)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_

from orders_core.models import Order
from orders_core.models.orders import OPEN_INVOICE_CONDITION
from orders_core.payment_terms import NOT_CHASED_STATUSES, OWING_STATES


def today_in(timezone: str) -> date:
    """Today's date in a timezone: what "due" and "overdue" compare with."""
    return datetime.now(ZoneInfo(timezone)).date()


def still_owing() -> ColumnElement[bool]:
    """Unpaid or partially paid, and not cancelled (a cancelled order is never chased): the SQL of
    orders_core.payment_terms.still_owed, deleted orders apart."""
    return and_(Order.payment_state.in_(OWING_STATES), Order.status.not_in(NOT_CHASED_STATUSES))


def open_invoice() -> ColumnElement[bool]:
    """An invoice order, not deleted, that still owes part of its total (with or without a due
    date): still_owing's terms written as literals, the predicate of the partial index holding
    exactly these orders (orders_core.models.orders.OPEN_INVOICE_CONDITION)."""
    return OPEN_INVOICE_CONDITION
