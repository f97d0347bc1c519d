"""Issue 18 item 7: rates and counts read as the language writes them (one helper, ui/format.py)."""

from decimal import Decimal

import pytest

from orders_core import i18n
from orders_core.i18n import format_rate

NBSP = "\u00a0"


@pytest.mark.parametrize(
    "language,rate,expected",
    [
        ("en", Decimal("20.000"), "20%"),  # Decimal.normalize() wrote "2E+1 %"
        ("fr", Decimal("20.000"), f"20{NBSP}%"),
        ("en", Decimal("14.975"), "14.975%"),
        ("fr", Decimal("14.975"), f"14,975{NBSP}%"),  # not "14.975 %" in French
        ("fr", Decimal("5.50"), f"5,5{NBSP}%"),
        ("en", Decimal("0"), "0%"),
        ("en", "2.10", "2.1%"),
        ("en", 7.7, "7.7%"),
        ("en", Decimal("33.33333"), "33.333%"),  # at most three decimals
    ],
)
def test_a_rate_in_percent_is_formatted_for_the_language(language, rate, expected):
    assert format_rate(rate, language) == expected


@pytest.mark.parametrize(
    "language,share,expected",
    [("en", 0.5714, "57.1%"), ("fr", 0.5714, f"57,1{NBSP}%"), ("en", 0.5, "50%"), ("fr", 1, f"100{NBSP}%")],
)
def test_a_share_is_a_percentage_of_the_language(language, share, expected):
    from orders_core.i18n import format_share

    assert format_share(share, language) == expected  # French had "57,1%" (a fixed pattern, no space)


def test_a_missing_rate_is_a_dash():
    assert format_rate(None, "en") == "–"


@pytest.mark.parametrize(
    "language,count,expected",
    [
        ("en", 1, "Export the 1 filtered order"),
        ("en", 1234, "Export the 1,234 filtered orders"),
        ("fr", 1, "Exporter 1 commande filtrée"),
        ("fr", 2, "Exporter 2 commandes filtrées"),
    ],
)
def test_counts_take_the_plural_of_their_number(language, count, expected):
    from ui.format import counted

    i18n.set_locale(language)
    try:
        text = counted("Export the {count} filtered order", "Export the {count} filtered orders", count)
    finally:
        i18n.set_locale("en")
    assert text.replace("\u202f", ",") == expected.replace("\u202f", ",")


def test_the_exports_time_columns_name_their_zone_and_due_dates_their_basis():
    from queries.export import headers

    titles = headers("America/Montreal")
    assert "Creation date (America/Montreal)" in titles and "Payment date (America/Montreal)" in titles
    assert "Due date (event's time zone)" in titles and "Creation date" not in titles


@pytest.mark.parametrize(
    "language,days,expected",
    [
        ("en", 1, "1 day after the order"),
        ("en", 30, "30 days after the order"),
        ("fr", 1, "1 jour après la commande"),
        ("fr", 30, "30 jours après la commande"),
    ],
)
def test_payment_terms_count_days_in_the_plural_of_their_number(language, days, expected):
    from orders_core.payment_terms import Terms, describe_terms

    i18n.set_locale(language)
    try:
        assert describe_terms(Terms(days_after_order=days)) == expected  # never "1 days"
    finally:
        i18n.set_locale("en")
