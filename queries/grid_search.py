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

from sqlalchemy import ColumnElement, CompoundSelect, String, and_, func, literal, or_, select, union

from orders_core.models import Invoice, Order, OrderItem
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
