"""Issue 18 items 5, 6 and 7 on the order page (AppTest): the History tab reads as sentences
naming who did what (never a code, a dict or "nan"), in French too; the Lines tab writes rates
as the language does; no time on the page is shown without its zone."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from orders_core.db import unit_of_work
from orders_core.permissions import Actor
from orders_core.services.follow_ups import set_follow_up
from orders_core.services.ledger import confirm_payment
from orders_core.services.lifecycle import cancel_orders
from tests.accounts import add_account
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "order_detail.py")
ANA = {"email": "ana@example.org", "role": "admin", "name": "Ana"}


@pytest.fixture
def orders(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    add_account(engine, ANA["email"], ANA["role"], "correct horse battery staple 42", name="Ana")
    ana = Actor(ANA["email"], "admin")
    with unit_of_work(engine) as session:
        event = make_event(session, timezone="Asia/Tokyo")
        badge = make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20"))
        quebec = make_tariff(session, event, unit_price_ht=Decimal("10.00"), tax_rate=Decimal("14.975"))
        paid = make_order(session, event, [(badge, 1), (quebec, 1)])
        cancelled = make_order(session, event, [(badge, 1)])
        owing = make_order(session, event, [(badge, 1)], due_date=date.today() + timedelta(days=10))
        ids = (paid.id, cancelled.id, owing.id)
        numbers = {"paid": paid.number, "cancelled": cancelled.number, "owing": owing.number, "total": paid.total_ttc}
    with unit_of_work(engine) as session:
        confirm_payment(
            session,
            actor=ana,
            order_id=ids[0],
            amount=numbers["total"],
            method="card",
            received_at=datetime.now(UTC),
        )
    with unit_of_work(engine) as session:
        cancel_orders(session, actor=ana, order_ids=[ids[1]], reason="Duplicate order")
    with unit_of_work(engine) as session:
        set_follow_up(session, actor=ana, order_id=ids[2], on=date.today() + timedelta(days=3), note="Call back")
    return numbers


def texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "info", "warning", "success") for e in getattr(at, kind)]


def test_the_history_reads_as_sentences_naming_who(orders):
    at = open_page(PAGE, ANA, query={"order": str(orders["paid"])})
    assert not at.exception
    shown = texts(at)
    assert "**Payment of €131.50 by card recorded by Ana.**" in shown
    assert any("Status changed from Awaiting payment to Payment validated." in t for t in shown)
    assert not any(re.search(r"payment_recorded|\{'|\bnan\b|amount_paid", t) for t in shown)

    cancelled = open_page(PAGE, ANA, query={"order": str(orders["cancelled"])})
    assert "**Order cancelled by Ana: Duplicate order.**" in texts(cancelled)
    assert not any("Reason: nan" in t for t in texts(cancelled))


def test_the_history_and_the_lines_read_in_french(orders):
    at = open_page(PAGE, ANA, query={"order": str(orders["paid"])}, state={"ui.locale": "fr"})
    assert not at.exception
    assert "**Paiement de 131,50\u00a0€ par carte enregistré par Ana.**" in texts(at)
    lines = next(d.value for d in at.dataframe if "tax_rate" in d.value.columns)
    assert sorted(lines["tax_rate"]) == ["14,975\u00a0%", "20\u00a0%"]  # never "2E+1 %", nor "14.975 %"


def test_the_lines_tab_writes_rates_in_english(orders):
    at = open_page(PAGE, ANA, query={"order": str(orders["paid"])})
    lines = next(d.value for d in at.dataframe if "tax_rate" in d.value.columns)
    assert sorted(lines["tax_rate"]) == ["14.975%", "20%"]


# A time (13:50, 13:50:00) or a date (30 Nov 2026, 2026-11-30) as the page writes them...
WHEN = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}(?:, \d{2}:\d{2}(?::\d{2})?)?|\b\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")
# ... must be followed by its zone: an abbreviation (CET, JST, GMT+1) or an IANA name in brackets.
ZONE_AFTER = re.compile(
    r"\s*(?:[A-Z]{2,5}\b|GMT[+-]\d+|[+-]\d{2}(?::?\d{2})?\b|\((?:[A-Za-z_]+/[A-Za-z_/]+|UTC|bank)[^)]*\))"
)


def unzoned(values: list[str]) -> list[str]:
    return [v for v in values for m in WHEN.finditer(v) if not ZONE_AFTER.match(v, m.end())]


# A table column whose header names the zone of its dates ("Created (Europe/Paris)", "Day (UTC)",
# "Due date (event's time zone)") need not repeat it in every cell.
ZONED_HEADER = re.compile(r"\((?:[A-Za-z_]+/[A-Za-z_/]+|UTC)\)|time zone")


def cells_without_zoned_header(at) -> list[str]:
    """The cells of every table of the page, but those of the columns whose header names a zone."""
    cells = []
    for frame in at.dataframe:
        shown = frame.value
        headers = json.loads(frame.proto.columns or "{}")
        for column in shown.columns:
            header = headers.get(str(column), {}).get("label") or str(column)
            if not ZONED_HEADER.search(header):
                cells += [str(v) for v in shown[column]]
    return cells


@pytest.mark.parametrize("which", ["paid", "cancelled", "owing"])
def test_no_date_on_the_order_page_lacks_its_zone(orders, which):
    at = open_page(PAGE, ANA, query={"order": str(orders[which])})
    assert not at.exception
    values = texts(at) + [e.label for e in at.expander] + cells_without_zoned_header(at)
    assert any(WHEN.search(v) for v in values)  # dates are shown...
    assert unzoned(values) == [], "\n".join(unzoned(values))  # ...each naming its zone


def test_the_zone_check_catches_a_bare_date_or_time():
    assert unzoned(["30 Nov 2026, 13:50:00", "due on 2 Dec 2026 · ok"]) == [
        "30 Nov 2026, 13:50:00",
        "due on 2 Dec 2026 · ok",
    ]
    assert (
        unzoned(
            [
                "30 Nov 2026, 13:50:00 CET",
                "30 Nov 2026, 13:50:00 +04",  # zones without an abbreviation (Asia/Dubai)
                "2026-11-30 13:50 (Europe/Paris)",
                "2 Dec 2026 (Asia/Tokyo, due date)",
            ]
        )
        == []
    )


STATEMENT = b"Date;Montant;Devise;Donneur d'ordre;Communication\n03/11/2026;240,00;EUR;ACME SAS;CMD 1000001\n"
PAGES = [
    "pages/orders.py",
    "pages/pending_invoices.py",
    "pages/emails.py",
    "pages/reconciliation.py",
    "pages/dashboard_finance.py",
    "pages/dashboard_sales.py",
    "pages/dashboard_marketing.py",
    "pages/home.py",
    "pages/events.py",
    "pages/tariffs.py",
    "pages/discount_codes.py",
    "pages/users.py",
    "pages/email_templates.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_no_date_on_the_other_pages_lacks_its_zone(engine, orders, page):
    """Issue 18 item 5, beyond the order page: every date names the zone it is in (a time in the
    user's zone, a due date in its event's, a bank's booking date as the bank's)."""
    from orders_core.reconciliation.service import import_statement

    with unit_of_work(engine) as session:
        import_statement(session, actor=Actor(ANA["email"], "admin"), filename="nov.csv", content=STATEMENT)
    at = open_page(str(ROOT / page), ANA)
    assert not at.exception
    values = texts(at) + [e.label for e in at.expander]
    values += [str(o) for box in at.selectbox for o in box.options if box.key != "shell.timezone"]
    values += cells_without_zoned_header(at)
    assert unzoned(values) == [], "\n".join(unzoned(values))
