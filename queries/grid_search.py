"""The grid's text search: every word typed is found, ignoring case and accents, somewhere in the
buyer's names, email or company, or in one holder's names. "Olivia Wilson", "wilson olivia" and
"WILSON Olívia" find the same orders, and so do "Lefevre" and "LEFÈVRE" for "Lefèvre".

The rows carry that text already folded (`search_folded`, lower case, no accents), kept by the
database's triggers (migration 0023_search_fold) with `orders_fold`: on PostgreSQL
lower(unaccent(...)), whose pg_trgm GIN indexes are on these columns; on SQLite
orders_core.text_fold.fold, registered on every connection by orders_core.db. A word is folded
the same way: by `fold` here, then by `orders_fold` in the database (a no-op on what fold leaves
on SQLite; PostgreSQL's own rules for the rest), so both sides always agree.

The statement is plain SQLAlchemy, one LIKE per word and per table: the number of words is part of
SQLAlchemy's compiled-statement cache key and nothing is compiled from a bound value. (The
previous construct decided at compile time, from the value, whether to add a "first last" branch:
the cache served a one-word compilation to a later full-name search, which then found nothing.)

An invoice or credit-note number (issue 21) finds its order too: the whole text, exactly, through
the unique index on `invoices.number`. Case does not matter for the numbers a pattern makes
(their letters are all of one case, `F2026-00042`): the text is looked up as typed, in upper and
in lower case, an IN of three values on that index, never a scan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Connection,
    Integer,
    Select,
    String,
    and_,
    any_,
    exists,
    func,
    literal,
    or_,
    select,
    union,
)

from orders_core.models import Invoice, Order, OrderItem
from orders_core.permissions import Actor
from orders_core.text_fold import SQL_NAME, fold


def like_pattern(text_: str) -> str:
    escaped = text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(text_: str) -> list[str]:
    """The words of a search, each matched on its own (so a full name matches in either order)."""
    return text_.split()


def _every_word(column: ColumnElement[str], words: list[str]) -> ColumnElement[bool]:
    fold_in_database = getattr(func, SQL_NAME)
    return and_(
        *(
            column.like(fold_in_database(literal(like_pattern(fold(word) or ""), String())), escape="\\")
            for word in words
        )
    )


def document_number_variants(text_: str) -> tuple[str, str, str]:
    """The forms of a typed document number looked up: as typed (stripped), upper and lower case
    (always three, equal or not: the statement's shape never depends on the value)."""
    typed = text_.strip()
    return typed, typed.upper(), typed.lower()


def code_search_ids(text_: str) -> CompoundSelect[tuple[int]]:
    """Issue 17, for a principal who may not see people (marketers): the orders whose discount
    code is the text (any case), or that an invoice or credit note of that number belongs to.
    Never a name, an email or a company: a match there would confirm who bought."""
    typed = text_.strip()
    return union(
        select(Order.id.label("id")).where(Order.discount_code == typed.upper()),
        select(Invoice.order_id.label("id")).where(
            or_(*(Invoice.number == v for v in document_number_variants(text_)))
        ),
    )


def search_ids(text_: str) -> CompoundSelect[tuple[int]]:
    """The ids of the orders whose buyer (names, email, company) or one holder (names) contains
    every word of `text_`, ignoring case and accents, or that an invoice or credit note of that
    number belongs to."""
    words = search_words(text_) or [text_]
    return union(
        select(Order.id.label("id")).where(_every_word(Order.search_folded.expression, words)),
        select(OrderItem.order_id.label("id")).where(_every_word(OrderItem.search_folded.expression, words)),
        select(Invoice.order_id.label("id")).where(
            or_(*(Invoice.number == v for v in document_number_variants(text_)))
        ),
    )


# --- issue 19: a search at a million orders -------------------------------------------------------
# `Order.id IN (search_ids)` builds the whole set of matching ids before anything else: for a
# common last name that is ~60,000 order and holder rows, 2-3 s at 1M orders, on every rerun.
# The grid instead asks, per search, how many orders match (at most `limit`, through the trigram
# indexes, which stop at the first limit + 1): few matches -> their ids, and the page, count and
# totals read those orders by primary key; many -> the page walks the sort's index and tests each
# order (search_folded LIKE, then its holders by order_id) until the page is full, which a common
# term fills within a few thousand orders, and the count is "more than" (queries.grid_count).


@dataclass(frozen=True)
class SearchMatch:
    """A search as three conditions: on the order row, on one of its holders (None: holders are
    not searched) and on one of its invoices or credit notes."""

    orders: ColumnElement[bool]
    items: ColumnElement[bool] | None
    invoices: ColumnElement[bool]
    words: tuple[str, ...] = ()  # what `items` looks for, word by word


def search_match(text_: str, *, sees_people: bool) -> SearchMatch:
    """What a search matches: buyer and holders for a principal who sees people; for a marketer
    (issue 17) only the discount code and document numbers, as code_search_ids."""
    invoices = or_(*(Invoice.number == v for v in document_number_variants(text_)))
    if not sees_people:
        return SearchMatch(Order.discount_code == text_.strip().upper(), None, invoices)
    words = search_words(text_) or [text_]
    return SearchMatch(
        _every_word(Order.search_folded.expression, words),
        _every_word(OrderItem.search_folded.expression, words),
        invoices,
        tuple(words),
    )


def per_order_condition(match: SearchMatch) -> ColumnElement[bool]:
    """The search as a test of one order row, for a plan that walks an index in the page's order.
    The holders are read by ix_order_items_order_id, then tested: their text is selected in a
    subquery with OFFSET 0, which PostgreSQL neither flattens nor pushes the LIKE into, so it can
    neither hash every matching holder first nor run a trigram index scan for each order."""
    tests = [match.orders, Order.id.in_(select(Invoice.order_id).where(match.invoices))]
    if match.words:
        holders = (
            select(OrderItem.search_folded.label("text"))
            .where(OrderItem.order_id == Order.id)
            .offset(0)
            .correlate(Order)
            .subquery("holders")
        )
        tests.append(
            exists(select(literal(1)).select_from(holders).where(_every_word(holders.c.text, list(match.words))))
        )
    return or_(*tests)


def id_sides(match: SearchMatch, conditions: list[ColumnElement[bool]]) -> list[Select[int]]:
    """The ids of the orders that pass `conditions` (the grid's other filters) and match, one
    SELECT per side (buyer, holders, documents); the caller reads each with a LIMIT."""
    sides = [select(Order.id).where(*conditions, match.orders)]
    if match.items is not None:
        sides.append(
            select(OrderItem.order_id).join(Order, Order.id == OrderItem.order_id).where(*conditions, match.items)
        )
    sides.append(select(Invoice.order_id).join(Order, Order.id == Invoice.order_id).where(*conditions, match.invoices))
    return sides


def search_conditions(
    conn: Connection, text_: str, conditions: list[ColumnElement[bool]], *, principal: Actor, limit: int
) -> tuple[list[ColumnElement[bool]], list[int] | None]:
    """`conditions` (the grid's other filters, the principal's scope among them) and the search of
    `text_` in its cheapest form: when at most `limit` orders match, their ids (returned too: the
    exact set); else a test of each order, for a plan that walks an index in the page's order.
    Runs in the caller's transaction (JIT off on PostgreSQL until it ends)."""
    if conn.dialect.name == "postgresql":
        # A walk that stops at the 50th match is costed as the whole index: over jit_above_cost,
        # PostgreSQL would spend longer compiling it (hundreds of ms) than running it.
        conn.exec_driver_sql("SET LOCAL jit = off")
    match = search_match(text_, sees_people=principal.sees_personal_data)
    ids = _ids_if_few(conn, id_sides(match, conditions), limit)
    if ids is None:
        return [*conditions, per_order_condition(match)], None
    if conn.dialect.name == "postgresql":  # one array parameter rather than thousands
        return [*conditions, Order.id == any_(literal(ids, ARRAY(Integer)))], ids
    return [*conditions, Order.id.in_(ids)], ids


def _ids_if_few(conn: Connection, sides: list[Select[int]], limit: int) -> list[int] | None:
    """The distinct ids the sides select when at most `limit`, else None; each side is read with
    a LIMIT (the trigram index scans stop there), more only when it repeats an order."""
    found: set[int] = set()
    for side in sides:
        fetched = limit + 1
        while True:  # a side may list an order twice (two holders): read on until sure
            rows = conn.execute(side.limit(fetched)).scalars().all()
            distinct = {int(r) for r in rows}
            if len(distinct) > limit:
                return None
            if len(rows) < fetched:
                break
            fetched *= 4
        found |= distinct
    return sorted(found) if len(found) <= limit else None
