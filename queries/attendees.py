"""The Attendees page (issue 18): the registered people of one event, searched by name or email
with or without accents, filtered by tariff, order status and attendance (cancelled attendees
stay, marked cancelled), one page at a time. Everything happens in the database.

Paging is by keyset on the name order (`after` = the last row's last name, first name and id,
served by `ix_attendees_event_name`), with OFFSET for a page opened by number. The search
compares `orders_fold` (lower case, accents removed: migration 0025) of the attendee's names
in both orders and email, an expression a pg_trgm index serves on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, false, func, literal_column, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from orders_core.models import Attendee, Event, Order, OrderItem, OrderLine, Tariff
from orders_core.permissions import Actor
from orders_core.scope import event_condition, personal
from orders_core.status import Status, TariffKind
from queries.grid_search import like_pattern
from queries.sql import AnySelect

DEFAULT_PAGE_SIZE = 50
MAX_SEARCH = 200  # longer text cannot be a name or an email
ATTENDANCE = ("all", "active", "cancelled")
COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "tariff",
    "registered_at",
    "cancelled_at",
    "order_number",
    "order_status",
    "order_deleted_at",
]

_SPACE: ColumnElement[str] = literal_column("' '")
# The very expression of migration 0025's ix_attendees_search_trgm (first last, last first, email).
SEARCHED = func.orders_fold(
    Attendee.first_name
    + _SPACE
    + Attendee.last_name
    + _SPACE
    + Attendee.email
    + _SPACE
    + Attendee.last_name
    + _SPACE
    + Attendee.first_name
)


@dataclass(frozen=True)
class AttendeeFilters:
    """What the page shows; tuples keep it hashable for caching. Empty tuple: no filter."""

    event_id: int
    search: str = ""
    tariff_ids: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    attendance: str = "all"  # one of ATTENDANCE

    def cleaned(self) -> AttendeeFilters:
        """Unknown statuses and attendance values dropped, the search trimmed to MAX_SEARCH."""
        known = {s.value for s in Status}
        return AttendeeFilters(
            event_id=self.event_id,
            search=(self.search or "").strip()[:MAX_SEARCH],
            tariff_ids=tuple(sorted({int(t) for t in self.tariff_ids})),
            statuses=tuple(sorted({s for s in self.statuses if s in known})),
            attendance=self.attendance if self.attendance in ATTENDANCE else "all",
        )


def _conditions(filters: AttendeeFilters, principal: Actor) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Attendee.event_id == filters.event_id,
        event_condition(Attendee.event_id, principal),
    ]
    if filters.search:  # never a match on what the principal may not read (names, emails)
        found = SEARCHED.like(func.orders_fold(like_pattern(filters.search)), escape="\\")
        conditions.append(found if principal.sees_personal_data else false())
    if filters.tariff_ids:
        conditions.append(OrderLine.tariff_id.in_(filters.tariff_ids))
    if filters.statuses:
        conditions.append(Order.status.in_(filters.statuses))
    if filters.attendance == "active":
        conditions.append(Attendee.cancelled_at.is_(None))
    elif filters.attendance == "cancelled":
        conditions.append(Attendee.cancelled_at.is_not(None))
    return conditions


def _joined(query: AnySelect, filters: AttendeeFilters, *, all_joins: bool) -> AnySelect:
    """The joins the columns or the filters need (a count without filters needs none)."""
    if all_joins or filters.tariff_ids:
        query = query.outerjoin(OrderItem, OrderItem.id == Attendee.order_item_id).outerjoin(
            OrderLine, OrderLine.id == OrderItem.order_line_id
        )
    if all_joins or filters.statuses:
        query = query.outerjoin(Order, Order.id == Attendee.order_id)
    return query


class not_by_index(FunctionElement[Any]):
    """A sort key the name index cannot serve, on PostgreSQL only (`last_name || ''`). With a
    search of three characters or more, the planner then takes the pg_trgm index and sorts the
    matches, instead of walking the name index until 50 matches turn up - 225,000 rows for a
    common surname late in the alphabet. SQLite has no trigram index: the name order stays."""

    inherit_cache = True
    name = "not_by_index"


@compiles(not_by_index)
def _not_by_index_postgresql(element: not_by_index, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} || '')"


@compiles(not_by_index, "sqlite")
def _not_by_index_sqlite(element: not_by_index, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


def _sort_key(filters: AttendeeFilters) -> tuple[Any, ...]:
    trigram = len(filters.search.replace(" ", "")) >= 3
    first: Any = not_by_index(Attendee.last_name) if trigram else Attendee.last_name
    return (first, Attendee.first_name, Attendee.id)


def _rows(filters: AttendeeFilters, principal: Actor, only: Any = None) -> AnySelect:
    """The page's columns, for every filtered attendee (or those of the subquery `only`); names
    and email masked for a principal who may not see people."""
    query = select(
        Attendee.id,
        personal(Attendee.first_name, principal),
        personal(Attendee.last_name, principal),
        personal(Attendee.email, principal),
        OrderLine.name.label("tariff"),
        Attendee.registered_at,
        Attendee.cancelled_at,
        Order.number.label("order_number"),
        Order.status.label("order_status"),
        Order.deleted_at.label("order_deleted_at"),
    ).select_from(Attendee)
    if only is not None:
        query = query.join(only, only.c.id == Attendee.id)
    query = _joined(query, filters, all_joins=True)
    return query if only is not None else query.where(*_conditions(filters, principal))


def _ordered(query: AnySelect) -> AnySelect:
    return query.order_by(Attendee.last_name, Attendee.first_name, Attendee.id)


def _connect(engine: Engine) -> Connection:
    """A connection that only reads: PostgreSQL runs its transaction READ ONLY (as
    orders_core.db.read_only does for sessions); SQLite's deferred BEGIN takes no write lock."""
    connection = engine.connect()
    return connection.execution_options(postgresql_readonly=True) if engine.dialect.name == "postgresql" else connection


def _frame(rows: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame([dict(row._mapping) for row in rows], columns=COLUMNS)
    for column in ("registered_at", "cancelled_at", "order_deleted_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def attendee_page(
    engine: Engine,
    filters: AttendeeFilters,
    *,
    after: tuple[str, str, int] | None = None,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
    principal: Actor,
) -> pd.DataFrame:
    """One page of the filtered attendees in name order (COLUMNS). `after` (the previous page's
    last row: last name, first name, id) pages by keyset; else `offset` rows are skipped."""
    filters = filters.cleaned()
    # The page's ids first, with only the joins the filters need (an OFFSET then skips index
    # entries, not joined rows), then their columns.
    ids = _joined(select(Attendee.id).select_from(Attendee), filters, all_joins=False).where(
        *_conditions(filters, principal)
    )
    if after is not None:
        ids = ids.where(tuple_(Attendee.last_name, Attendee.first_name, Attendee.id) > tuple_(*after))
    elif offset:
        ids = ids.offset(offset)
    page = ids.order_by(*_sort_key(filters)).limit(limit).subquery("page")
    with _connect(engine) as conn:
        return _frame(list(conn.execute(_ordered(_rows(filters, principal, only=page)))))


def attendee_count(engine: Engine, filters: AttendeeFilters, *, principal: Actor) -> int:
    """How many attendees the filters keep (every page together)."""
    filters = filters.cleaned()
    query = _joined(select(func.count()).select_from(Attendee), filters, all_joins=False)
    with _connect(engine) as conn:
        return int(conn.execute(query.where(*_conditions(filters, principal))).scalar_one())


def attendee_chunks(
    engine: Engine, filters: AttendeeFilters, chunk_size: int, *, principal: Actor
) -> Iterator[list[dict[str, Any]]]:
    """Every filtered attendee in name order, as plain dicts, `chunk_size` at a time from a
    server-side cursor (the exports)."""
    filters = filters.cleaned()
    with _connect(engine).execution_options(stream_results=True, yield_per=chunk_size) as conn:
        for partition in conn.execute(_ordered(_rows(filters, principal))).partitions(chunk_size):
            yield [dict(row._mapping) for row in partition]


def attendee_events(engine: Engine, *, principal: Actor) -> list[dict[str, Any]]:
    """The principal's events to choose from, the next ones first: id, name, timezone."""
    query = (
        select(Event.id, Event.name, Event.timezone)
        .where(event_condition(Event.id, principal))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    with _connect(engine) as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def attendee_tariffs(engine: Engine, event_id: int, *, principal: Actor) -> list[dict[str, Any]]:
    """The event's badge and ticket tariffs (those that register attendees): id, name (none for
    an event outside the principal's scope)."""
    query = (
        select(Tariff.id, Tariff.name)
        .where(
            Tariff.event_id == event_id,
            event_condition(Tariff.event_id, principal),
            Tariff.kind.in_([TariffKind.BADGE, TariffKind.TICKET]),
        )
        .order_by(Tariff.name, Tariff.id)
    )
    with _connect(engine) as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
