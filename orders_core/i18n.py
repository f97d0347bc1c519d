"""Translations (gettext catalogues read with Babel) and locale-aware formatting.

Every user-facing string goes through `_` (or `ngettext` when it holds a count: French says
"1 commande", "0 commande", "2 commandes", Plural-Forms in the catalogue). The catalogues live in
`locale/<lang>/LC_MESSAGES/*.po`: one file per capability (so parallel work never edits the same
file), all merged at load. English is the source language. The current locale is a context
variable: the app sets it at the start of every rerun from the user's choice; the CLI and
tests take `ORDERS_LOCALE` (default `en`)."""

from __future__ import annotations

import gettext
import os
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.lists import format_list as _babel_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# Dates are shown in the user's time zone (their choice, else their browser's, else this one).
DEFAULT_TIMEZONE = "Europe/Paris"
LANGUAGES = {"en": "English", "fr": "Français"}
BABEL_LOCALES = {"en": "en_GB", "fr": "fr_FR"}

_current: ContextVar[str | None] = ContextVar("orders_locale", default=None)


def default_locale() -> str:
    value = os.environ.get("ORDERS_LOCALE", "en").strip().lower()[:2]
    return value if value in LANGUAGES else "en"


def get_locale() -> str:
    return _current.get() or default_locale()


def set_locale(language: str) -> None:
    _current.set(language if language in LANGUAGES else "en")


@cache
def catalogue(language: str) -> dict[str, str]:
    """msgid -> msgstr of every .po file of that language (empty translations left out)."""
    messages: dict[str, str] = {}
    for po_file in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                    messages[message.id] = message.string
    return messages


@cache
def plural_translations(language: str) -> gettext.NullTranslations:
    """Every .po file of the language compiled in memory into GNU gettext translations, which
    apply the catalogue's own Plural-Forms rule (French: singular for 0 and 1)."""
    merged: gettext.NullTranslations | None = None
    for po_file in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            compiled = BytesIO()
            write_mo(compiled, read_po(handle, locale=language))
        compiled.seek(0)
        translations = gettext.GNUTranslations(compiled)
        if merged is None:
            merged = translations
        else:
            merged.add_fallback(translations)
    return merged or gettext.NullTranslations()


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it with `_` where shown."""
    return message


def _(message: str) -> str:
    language = get_locale()
    if language == "en":
        return message
    return catalogue(language).get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for `count` things, in the current language (then `.format()` it)."""
    language = get_locale()
    if language == "en":
        return singular if count == 1 else plural
    return plural_translations(language).ngettext(singular, plural, int(count))


def babel_locale(language: str | None = None) -> Locale:
    return _parsed_locale(BABEL_LOCALES[language or get_locale()])


@cache
def _parsed_locale(identifier: str) -> Locale:
    # Parsed once per language (~14 us a call, and every number, amount and date asks for it).
    return Locale.parse(identifier)


def format_money(amount: Decimal | int | str | None, currency: str, language: str | None = None) -> str:
    """`€1,234.50` in English, `1 234,50 €` in French (Babel's narrow no-break spaces)."""
    if amount is None:
        return ""
    return format_currency(Decimal(str(amount)), currency, locale=babel_locale(language))


def format_list(items: list[str], style: str = "standard", language: str | None = None) -> str:
    """ "a, b and c" in the locale's words (Babel's list patterns)."""
    return _babel_list(items, style=style, locale=babel_locale(language))  # type: ignore[arg-type]


def format_number(value: int | float | Decimal | str, language: str | None = None) -> str:
    return format_decimal(value, locale=babel_locale(language))


def format_rate(value: Decimal | float | int | str | None, language: str | None = None) -> str:
    """A rate stored in percent (a tax rate of 20.000, a discount of 14.975) the way the language
    writes a percentage: `20%`, `14.975%` in English, `20 %`, `14,975 %` in French; at most
    three decimals, no trailing zeros (never `2E+1 %`); `–` when there is none."""
    if value is None or value != value:  # None, NaN
        return "–"
    fraction = (Decimal(str(value)) / 100).quantize(Decimal("0.00001")).normalize()
    return format_percent(fraction, locale=babel_locale(language), decimal_quantization=False)


def format_share(value: Decimal | float | int | None, language: str | None = None) -> str:
    """A share (0.571 of the orders) as the language writes a percentage, to a tenth at most:
    `57.1%` in English, `57,1 %` in French; `–` when there is none (no order to divide by)."""
    if value is None or value != value:
        return "–"
    fraction = Decimal(str(value)).quantize(Decimal("0.001")).normalize()
    return format_percent(fraction, locale=babel_locale(language), decimal_quantization=False)


def format_datetime(value: datetime | None, timezone: str = "UTC", language: str | None = None) -> str:
    """A stored UTC timestamp shown in the given (event's) timezone."""
    if value is None:
        return ""
    return _babel_datetime(as_utc(value), "medium", tzinfo=ZoneInfo(timezone), locale=babel_locale(language))


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone name this system knows, sorted (what a user may choose)."""
    return tuple(sorted(available_timezones()))


def is_timezone(name: object) -> bool:
    return isinstance(name, str) and name in timezone_names()


def format_datetime_in_zone(value: datetime | None, timezone: str, language: str | None = None) -> str:
    """A stored UTC timestamp in `timezone`, naming the zone: `21 Nov 2026, 19:50:00 CET`."""
    if value is None:
        return ""
    local = as_utc(value).astimezone(ZoneInfo(timezone))
    return f"{format_datetime(value, timezone, language)} {local.tzname()}"


def format_date(value: date | datetime | None, language: str | None = None) -> str:
    if value is None:
        return ""
    return _babel_date(value, "medium", locale=babel_locale(language))


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC by convention (rule 10)."""
    return value.replace(tzinfo=ZoneInfo("UTC")) if value.tzinfo is None else value
