"""The grid's page as shown (ui/grid_display.py): every column in the seed's order, each value
formatted for the language and the user's time zone, money never through float."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from orders_core import i18n
from orders_core.status import Status
from queries.grid import GRID_COLUMNS
from ui.format import payment_mode_label, status_label
from ui.grid_display import SHOWN, UTM, amount, column_config, display_frame

NNBSP = "\u202f"


def page_row(**overrides) -> dict:
    row = {
        "id": 7,
        "number": 1000042,
        "lines": 2,
        "buyer_first_name": "Zoé",
        "buyer_last_name": "Martin",
        "buyer_email": "zoe@example.org",
        "discount_code": None,
        "payment_mode": "online",
        "status": "paid",
        "paid_at": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        "created_at": datetime(2026, 3, 28, 23, 15, tzinfo=UTC),
        "terms_accepted": True,
        "currency": "EUR",
        "total_ht": Decimal("1000.00"),
        "total_ttc": Decimal("1200.00"),
        "event_id": 3,
        "event_name": "Jazz à Lyon",
        "event_timezone": "Europe/Paris",
        "source": "online",
        "company_name": "",
        "amount_paid": Decimal("1200.00"),
        "balance_due": Decimal("0.00"),
        "payment_state": "paid",
        "utm_source": "news",
        "utm_medium": "email",
        "utm_campaign": "spring",
        "deleted_at": None,
        "due_date": date(2026, 4, 30),
        "follow_up_on": None,
    }
    return row | overrides


def page(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=GRID_COLUMNS)


@pytest.fixture
def french():
    i18n.set_locale("fr")
    yield
    i18n.set_locale("en")


def test_a_page_is_shown_in_the_seeds_order_with_each_value_formatted():
    shown = display_frame(page(page_row()), "Europe/Paris", show_utm=False)
    assert list(shown.columns) == SHOWN
    row = shown.iloc[0].to_dict()
    assert row["number"] == 1000042 and row["lines"] == 2 and row["terms_accepted"]
    assert row["status"] == [status_label("paid")] and row["payment_mode"] == payment_mode_label("online")
    assert row["discount_code"] == ""
    # Both moments in the user's zone (Paris is UTC+1, then UTC+2 from 29 March 2026, 01:00 UTC).
    assert row["created_at"] == "29 Mar 2026, 00:15:00"
    assert row["paid_at"] == "29 Mar 2026, 01:30:00"
    assert row["total_ht"] == "1,000.00" and row["total_ttc"] == "1,200.00" and row["balance_due"] == "0.00"
    assert row["due_date"] == "30 Apr 2026" and row["follow_up_on"] == ""


def test_the_utm_columns_come_last_when_asked_for():
    shown = display_frame(page(page_row()), "UTC", show_utm=True)
    assert list(shown.columns) == SHOWN + UTM
    assert shown.iloc[0][UTM].tolist() == ["news", "email", "spring"]


def test_an_order_not_paid_yet_shows_no_payment_date_and_its_balance(french):
    unpaid = page_row(status="awaiting_payment", paid_at=None, amount_paid=Decimal("0"), balance_due=Decimal("1234.5"))
    shown = display_frame(page(unpaid, page_row(number=1000043)), "UTC", show_utm=False)
    assert shown["paid_at"].tolist()[0] == "" and shown["paid_at"].tolist()[1] != ""
    assert shown["balance_due"].tolist() == [f"1{NNBSP}234,50", "0,00"]
    assert shown["status"].tolist()[0] == [status_label("awaiting_payment")] != ["Awaiting payment"]


def test_each_status_is_shown_as_a_label_in_its_badge_colour(french):
    options = column_config("UTC")["status"]["type_config"]["options"]
    colours = {option["value"]: option["color"] for option in options}
    assert len(colours) == len(Status)
    assert colours[status_label("paid")] == "#d3f2dc" and colours[status_label("awaiting_payment")] == "#ffe7c2"
    assert colours[status_label("cancelled")] == colours[status_label("failed")] == "#ffd5d5"
    assert status_label("paid") != "Payment validated"  # the labels in the user's language


def test_an_amount_keeps_its_cents_and_an_empty_one_shows_nothing():
    assert amount(Decimal("12345678901.99")) == "12,345,678,901.99"
    assert amount(None) == "" and amount(float("nan")) == ""


def test_an_empty_page_has_the_columns_and_no_row():
    shown = display_frame(page(), "UTC", show_utm=True)
    assert shown.empty and list(shown.columns) == SHOWN + UTM
