"""recon-weak on the reconciliation page: a transfer only the amount links to an order, from a
payer who is not its buyer, shows "No match" with its reason and the order as a link, offers no
confirmation and is not in the bulk dry run; it may still be assigned by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.models import Order
from orders_core.permissions import Actor
from orders_core.reconciliation.service import import_statement
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "reconciliation.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}
STATEMENT = b"Date;Montant;Devise;Donneur d'ordre;Communication\n04/11/2026;120,00;EUR;HUBER Mia;virement facture\n"


@pytest.fixture
def statement(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        make_order(
            session,
            event,
            [(badge, 1)],
            number=1000011,
            buyer_first_name="Louis",
            buyer_last_name="Moreau",
            company_name="Studio Lumière",
            created_at=datetime(2026, 11, 1, 10, 0, tzinfo=UTC),
        )
        result = import_statement(
            session, actor=Actor("finance@example.org", "finance"), filename="nov.csv", content=STATEMENT
        )
    return result.statement_id


def test_the_possible_order_is_shown_as_a_link_without_a_confirmation(statement):
    at = open_page(PAGE, FINANCE)
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any(":gray-badge[No match]" in t and "Decided" not in t for t in texts)
    assert (
        "Order 1000011 owes this amount, but neither the reference nor the payer's name (HUBER Mia) points at it: "
        "assign it by hand if it is the right one (amount equals the balance due; transfer dated after the order)"
    ) in texts
    assert any(t.startswith("Order: [1000011](/order?order=1000011)") for t in texts)
    assert not [b.label for b in at.button if b.label.startswith("Confirm")]
    assert [c.value for c in at.caption if c.value.startswith("No decided match")]


def test_it_may_still_be_assigned_by_hand(statement, engine):
    at = open_page(PAGE, FINANCE)
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("reconciliation.number."))).input("1000011")
    at.button(key=next(b.key for b in at.button if b.key.startswith("reconciliation.assign."))).click().run()
    assert not at.exception
    with unit_of_work(engine) as session:
        assert session.scalars(select(Order.status).where(Order.number == 1000011)).one() == "paid"
