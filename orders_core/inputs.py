"""Input a user or a caller gives, cleaned before any service uses it: row ids (never a string
iterated digit by digit), whole numbers and quantities within bounds, exact decimals, text without
NUL and within its column's size. Pure functions of the domain (no session): the quote, the
services and the reconciliation share them, and `queries/` may too without reaching the services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orders_core.errors import InvalidInput
from orders_core.i18n import _

# Row ids are INTEGER columns on both databases: anything past this cannot name a row.
MAX_ID = 2**31 - 1
# Units of one tariff in one order line (a domain rule: a bigger group is several orders, and
# 10^9 badges once exhausted the server's memory).
MAX_QUANTITY = 1000
# The largest amount a NUMERIC(12, 2) column holds, exclusive.
MAX_AMOUNT = Decimal("10000000000")
# A follow-up note is a line for the team, not a document (migration 0018's CHECK).
FOLLOW_UP_NOTE_LIMIT = 1000
# A note of the order's Notes tab: a few lines for the team.
NOTE_LIMIT = 2000


def _as_id(value: Any) -> int | None:
    """A row id from an int or a string of ASCII digits, or None (never a bool, never '²')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def clean_id(value: Any, *, missing: str) -> int:
    """One row id; anything that cannot name a row (text, 10^20, -1, a list) is refused with
    `missing`, the message the caller gives when there is no such row."""
    number = _as_id(value)
    if number is None:
        raise InvalidInput(missing)
    return number


def clean_ids(values: Any, *, what: str) -> list[int]:
    """Distinct ids, sorted. A lone id (an int or the text "18") is one id: a string is never
    iterated digit by digit. `what` names the refused value: “{value}” is not {what}."""
    if isinstance(values, (str, int)):
        values = [values]
    ids: set[int] = set()
    for value in values:
        number = _as_id(value)
        if number is None:
            raise InvalidInput(_("“{value}” is not {what}.").format(value=str(value)[:50], what=what))
        ids.add(number)
    return sorted(ids)


def clean_int(value: Any, *, label: str, minimum: int, maximum: int) -> int:
    """A whole number within [minimum, maximum]; text, fractions, NaN and infinities are refused."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif (
        isinstance(value, float)
        and value.is_integer()
        or isinstance(value, Decimal)
        and value.is_finite()
        and value == value.to_integral_value()
    ):
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isascii() and value.strip().lstrip("-").isdecimal():
        number = int(value.strip()) if len(value.strip()) < 30 else None
    if number is None:
        raise InvalidInput(_("{label} must be a whole number.").format(label=label))
    if not minimum <= number <= maximum:
        raise InvalidInput(
            _("{label} must be between {minimum} and {maximum}.").format(label=label, minimum=minimum, maximum=maximum)
        )
    return number


def clean_quantity(value: Any, *, label: str | None = None) -> int:
    """Units of one tariff in one line: 0 to MAX_QUANTITY."""
    return clean_int(value, label=label or _("A quantity"), minimum=0, maximum=MAX_QUANTITY)


def clean_decimal(value: Any, *, label: str, places: int = 2, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """An exact decimal with at most `places` decimals and |value| < maximum. Floats are read
    through their repr; NaN, infinities and '1e400' are refused with the label."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool):
        value = "?"
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(
            _("{field}: '{value}' is not a number.").format(field=label, value=str(value)[:50])
        ) from None
    if not number.is_finite():
        raise InvalidInput(_("{field}: '{value}' is not a number.").format(field=label, value=str(value)[:50]))
    if abs(number) >= maximum:
        raise InvalidInput(_("{field}: {value} is too large.").format(field=label, value=str(value)[:50]))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(_("{field}: at most {places} decimals.").format(field=label, places=places))
    return number.quantize(Decimal(1).scaleb(-places))


def clean_text(value: str | None, *, label: str, limit: int, required: bool = False) -> str:
    """Stripped text; refused when required and empty, or longer than `limit` characters."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("{label} is required.").format(label=label))
    if "\x00" in text:
        raise InvalidInput(_("{label} contains a NUL character, which cannot be stored.").format(label=label))
    if len(text) > limit:
        raise InvalidInput(
            _("{label} is too long: {length} characters, at most {limit}.").format(
                label=label, length=len(text), limit=limit
            )
        )
    return text


def clean_date(value: Any, *, label: str, earliest: date, latest: date) -> date:
    """A calendar day (a date, or ISO text such as 2026-12-15) within [earliest, latest]; a
    datetime, a number or any other text is refused with the label."""
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise InvalidInput(_("{label}: “{value}” is not a date.").format(label=label, value=str(value)[:50]))
    if not earliest <= day <= latest:
        raise InvalidInput(
            _("{label} must be between {earliest} and {latest}.").format(
                label=label, earliest=earliest.isoformat(), latest=latest.isoformat()
            )
        )
    return day
