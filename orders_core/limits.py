"""The limits of what a row may hold, the same on SQLite as on PostgreSQL, checked before any
write reaches the database: text within its column's size and free of NUL characters, whole
numbers within their column's range, amounts finite and within NUMERIC(12, 2).

PostgreSQL refuses these values with a driver error (a traceback for the user); SQLite stored
them. One check at flush time turns them into a readable `InvalidInput` for every service, and
migration 0015_limits adds the same limits as CHECK constraints for writes that bypass the ORM.
Statements built by hand (Core) are checked for NUL characters by `refuse_nul_parameters`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, String, Text, event, inspect
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import N_, _

INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
# Free text without a declared size (notes, reasons, comments, custom values).
TEXT_LIMIT = 10_000
# Larger or system-written text: a template body, and the outbox's rendered copies (None: no limit).
TEXT_LIMITS: dict[tuple[str, str], int | None] = {
    ("email_templates", "body"): 100_000,  # emails/render.py MAX_SOURCE_CHARS
    ("orders", "follow_up_note"): 1000,  # a line for the team, not a document (migration 0018)
    ("outbox_emails", "body_text"): None,
    ("outbox_emails", "body_html"): None,
    ("outbox_emails", "last_error"): None,
}


def text_limit(table: str, column: Any) -> int | None:
    """The most characters this column holds (its varchar size, or the Text limit)."""
    if isinstance(column.type, String) and column.type.length:
        return column.type.length
    if isinstance(column.type, Text | String):
        return TEXT_LIMITS.get((table, column.name), TEXT_LIMIT)
    return None


# What the user typed, by column name, in the words of the forms (others: the column's name).
LABELS = {
    "name": N_("The name"),
    "name_fr": N_("The French name"),
    "label_en": N_("The English label"),
    "label_fr": N_("The French label"),
    "bank_details": N_("The bank details text"),
    "reason": N_("The reason"),
    "deleted_reason": N_("The reason"),
    "notes": N_("The notes text"),
    "follow_up_note": N_("The follow-up note"),
    "subject": N_("The subject"),
    "body": N_("The body"),
    "comment": N_("The comment"),
    "reference": N_("The reference"),
    "filename": N_("The file name"),
    "full_name": N_("The full name"),
    "email": N_("The email"),
    "buyer_first_name": N_("The buyer's first name"),
    "buyer_last_name": N_("The buyer's last name"),
    "buyer_email": N_("The buyer's email"),
    "company_name": N_("The company"),
    "holder_first_name": N_("The holder's first name"),
    "holder_last_name": N_("The holder's last name"),
    "holder_email": N_("The holder's email"),
    "first_name": N_("The first name"),
    "last_name": N_("The last name"),
    "value": N_("The value"),
    "page": N_("The page"),
}


def _label(column_name: str) -> str:
    known = LABELS.get(column_name)
    return _(known) if known else column_name.replace("_", " ").capitalize()


def check_value(table: str, column: Any, value: Any) -> None:
    """Refuse a value this column may not hold, naming the column."""
    if value is None:
        return
    label = _label(column.name)
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(_("{label} contains a NUL character, which cannot be stored.").format(label=label))
        limit = text_limit(table, column)
        if limit is not None and len(value) > limit:
            raise InvalidInput(
                _("{label} is too long: {length} characters, at most {limit}.").format(
                    label=label, length=len(value), limit=limit
                )
            )
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(column.type, Integer):
        limit = BIGINT_MAX if isinstance(column.type, BigInteger) else INT_MAX
        if not -limit - 1 <= value <= limit:
            raise InvalidInput(_("{label}: {value} is out of range.").format(label=label, value=str(value)[:30]))
    elif isinstance(value, Decimal | float) and isinstance(column.type, Numeric):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        whole_digits = (column.type.precision or 12) - (column.type.scale or 0)
        if not number.is_finite() or abs(number) >= Decimal(10) ** whole_digits:
            raise InvalidInput(_("{label}: {value} is out of range.").format(label=label, value=str(value)[:30]))


_CHECKED_COLUMNS: dict[Any, list[tuple[str, Any]]] = {}


def _checked_columns(mapper: Any) -> list[tuple[str, Any]]:
    """(attribute, column) of the mapper's own table whose values can break a limit."""
    if mapper not in _CHECKED_COLUMNS:
        table = mapper.local_table
        _CHECKED_COLUMNS[mapper] = [
            (attr.key, attr.columns[0])
            for attr in mapper.column_attrs
            if attr.columns[0].table is table and isinstance(attr.columns[0].type, String | Integer | Numeric)
        ]
    return _CHECKED_COLUMNS[mapper]


def check_row(obj: Any, *, changed_only: bool) -> None:
    state = inspect(obj)
    table = state.mapper.local_table.name
    for key, column in _checked_columns(state.mapper):
        values = state.attrs[key].history.added if changed_only else (state.dict.get(key),)
        for value in values or ():
            check_value(table, column, value)


@event.listens_for(Session, "before_flush")
def _check_rows(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        check_row(obj, changed_only=False)
    for obj in session.dirty:
        check_row(obj, changed_only=True)


def _has_nul(parameters: Any) -> bool:
    values = parameters.values() if isinstance(parameters, dict) else parameters or ()
    for value in values:
        if type(value) is str and "\x00" in value:
            return True
        if isinstance(value, list | tuple) and any(type(v) is str and "\x00" in v for v in value):
            return True  # an IN list or an array parameter
    return False


def refuse_nul_parameters(
    _conn: Any, _cursor: Any, _statement: Any, parameters: Any, _context: Any, executemany: bool
) -> None:
    """An engine hook: a NUL character in a statement's parameters (a search, a hand-built
    update) is a readable refusal on both databases, not PostgreSQL's driver error. Bulk inserts
    (executemany) are left alone: their rows come from the ORM, checked at flush, or from loaders
    that clean their values, and scanning a million rows would cost seconds."""
    if not executemany and _has_nul(parameters):
        raise InvalidInput(_("The text contains a NUL character, which cannot be stored or searched."))
