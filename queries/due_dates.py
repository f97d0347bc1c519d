"""Due dates in SQL (issue 15): an event's local day and "overdue", pushed down to the database
with the very rules of `orders_core.payment_terms` (one definition, read here and by the domain).

An order is overdue when its due date is before today *in its event's timezone*, it still owes
money (unpaid or partially paid) and it is neither cancelled nor deleted. Each row's "today"
comes from its event's timezone: PostgreSQL converts with its own zone data; SQLite calls
`orders_local_date`, registered on every connection by `orders_core.db`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from orders_core.models import Event, Order
from queries.due import still_owing

# No timezone is further ahead of UTC than +14:00 (Pacific/Kiritimati).
MAX_AHEAD = timedelta(hours=14)
# Nor further behind than -12:00 (Etc/GMT+12).
MAX_BEHIND = timedelta(hours=12)


class local_date(FunctionElement[Any]):
    """The calendar day an instant (an aware datetime, bound as ISO text) falls on in a timezone
    (an IANA name, e.g. a column such as events.timezone)."""

    type = Date()
    inherit_cache = True
    name = "local_date"

    def __init__(self, instant: datetime, timezone: Any) -> None:
        super().__init__(literal(instant.astimezone(UTC).isoformat()), timezone)


@compiles(local_date)
def _local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    instant, zone = (compiler.process(c, **kw) for c in element.clauses.clauses)
    return f"CAST(timezone({zone}, CAST({instant} AS TIMESTAMPTZ)) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    instant, zone = (compiler.process(c, **kw) for c in element.clauses.clauses)
    return f"orders_local_date({instant}, {zone})"


def event_today(now: datetime) -> ColumnElement[Any]:
    """Today in the order's event's timezone (a scalar subquery correlated to `orders` only, so
    that a query already joining `events`, such as the export's, keeps its own)."""
    event = aliased(Event)
    return select(local_date(now, event.timezone)).where(event.id == Order.event_id).correlate(Order).scalar_subquery()


def overdue_condition(now: datetime | None = None) -> ColumnElement[bool]:
    """The orders overdue at `now` (default: the current time). The first test, on the due date
    alone, lets the partial index on `due_date` narrow the rows before each one's local day is
    computed."""
    now = now or datetime.now(UTC)
    return and_(
        Order.due_date.is_not(None),
        Order.due_date < (now.astimezone(UTC) + MAX_AHEAD).date(),
        still_owing(),
        Order.deleted_at.is_(None),
        # Due before the earliest "today" on Earth (UTC-12): overdue in every timezone, no need to
        # look up the event's (a correlated subquery per row: ~1 s over 150,000 dated orders).
        or_(Order.due_date < (now.astimezone(UTC) - MAX_BEHIND).date(), Order.due_date < event_today(now)),
    )
