"""Money, numbers and dates are formatted for the chosen language by Babel, exactly (the French
spaces are Babel's narrow no-break space U+202F and no-break space U+00A0)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from orders_core import i18n
from orders_core.i18n import format_date, format_datetime, format_money, format_number

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    "language,amount,currency,expected",
    [
        ("en", "1234.50", "EUR", "€1,234.50"),
        ("fr", "1234.50", "EUR", f"1{NNBSP}234,50{NBSP}€"),
        ("en", "1234.5", "GBP", "£1,234.50"),
        ("fr", "1234.5", "CHF", f"1{NNBSP}234,50{NBSP}CHF"),
        ("en", "-5", "CAD", "-CA$5.00"),
        ("fr", "-5", "CAD", f"-5,00{NBSP}$CA"),
        ("fr", "0.1", "EUR", f"0,10{NBSP}€"),
    ],
)
def test_money_is_formatted_the_way_babel_writes_it_for_the_language(language, amount, currency, expected):
    assert format_money(Decimal(amount), currency, language) == expected


def test_money_follows_the_current_language_when_none_is_given():
    i18n.set_locale("fr")
    try:
        assert format_money(Decimal("1234.50"), "EUR") == f"1{NNBSP}234,50{NBSP}€"
    finally:
        i18n.set_locale("en")
    assert format_money(Decimal("1234.50"), "EUR") == "€1,234.50"


def test_money_keeps_every_cent_of_a_large_decimal():
    assert format_money(Decimal("9999999999.99"), "EUR", "en") == "€9,999,999,999.99"


def test_a_missing_amount_shows_as_empty():
    assert format_money(None, "EUR", "fr") == ""


def test_numbers_group_thousands_per_language():
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(1234567, "fr") == f"1{NNBSP}234{NNBSP}567"


def test_a_stored_utc_time_is_shown_in_the_event_timezone_and_language():
    naive_utc = datetime(2026, 3, 1, 9, 5)  # SQLite hands back naive UTC
    assert format_datetime(naive_utc, "Europe/Paris", "en") == "1 Mar 2026, 10:05:00"
    assert format_datetime(naive_utc, "Europe/Paris", "fr") == "1 mars 2026, 10:05:00"
    assert format_datetime(naive_utc, "America/Montreal", "en") == "1 Mar 2026, 04:05:00"


def test_dates_use_the_month_names_of_the_language():
    assert format_date(date(2026, 3, 1), "en") == "1 Mar 2026"
    assert format_date(date(2026, 3, 1), "fr") == "1 mars 2026"


def test_the_default_language_comes_from_orders_locale(monkeypatch):
    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    assert i18n.default_locale() == "fr"
    monkeypatch.setenv("ORDERS_LOCALE", "de")
    assert i18n.default_locale() == "en"
    monkeypatch.delenv("ORDERS_LOCALE")
    assert i18n.default_locale() == "en"
