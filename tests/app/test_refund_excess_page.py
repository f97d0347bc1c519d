"""The orders grid's bulk "Refund the excess" (issue 20) in AppTest: select orders, read the dry
run (each overpaid order with its buyer and excess, the others skipped and why), give the
reason, confirm; the refunds are rows of the ledger and the orders' payment states follow."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Order, Refund
from orders_core.permissions import Actor
from orders_core.services.ledger import confirm_payment
from tests.app.conftest import open_page
from tests.factories import NOW, make_event, make_order, make_tariff

ROOT = Path(__file__).resolve().parents[2]
GRID = str(ROOT / "pages" / "orders.py")
FINANCE = {"id": 1, "email": "finance@example.org", "role": "finance", "name": "Finance"}
MANAGER = {"email": "manager@example.org", "role": "event_manager", "name": "Manager"}
TODAY = datetime.now(UTC).date()


@pytest.fixture
def orders(engine, db_url, monkeypatch) -> dict[str, tuple[int, int]]:
    """Two overpaid orders (EUR by 15.50, USD by 4.00), one paid exactly; (id, number) each."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    finance = Actor(FINANCE["email"], "finance")
    made = {}
    with unit_of_work(engine) as session:
        eur = make_event(session, currency="EUR")
        usd = make_event(session, currency="USD", timezone="America/New_York")
        for key, event, created, names in (
            ("eur", eur, 3, ("Grace", "Hopper")),
            ("usd", usd, 2, ("Alan", "Turing")),
            ("exact", eur, 1, ("Ada", "Lovelace")),
        ):
            order = make_order(
                session,
                event,
                [(make_tariff(session, event, unit_price_ht=Decimal("100.00"), tax_rate=Decimal("20")), 2)],
                status="paid" if key == "exact" else "awaiting_payment",
                created_at=NOW.replace(hour=created),
                buyer_first_name=names[0],
                buyer_last_name=names[1],
            )
            made[key] = (order.id, order.number)
    for key, amount in (("eur", "255.50"), ("usd", "244.00")):
        with unit_of_work(engine) as session:
            confirm_payment(
                session,
                actor=finance,
                order_id=made[key][0],
                amount=amount,
                method="bank_transfer",
                received_at=TODAY,
                allow_overpayment=True,
            )
    return made


def grid(user=FINANCE) -> AppTest:
    every_row = {"orders.table": {"selection": {"rows": [0, 1, 2], "columns": [], "cells": []}}}
    return open_page(GRID, user, state={"ui.timezone": "UTC", **every_row})


def frame_with(at: AppTest, column: str):
    """The one table of the page with this column (AppTest finds dataframes by position only)."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def _rows(frame) -> list[tuple]:
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_finance_refunds_the_excess_of_the_selection_after_a_dry_run(orders, engine):
    at = grid()
    assert not at.exception
    at.button(key="order_actions.bulk_refund_excess").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Refunds to record"], metrics["Orders skipped"]) == ("2", "1")
    assert "**To refund:** €15.50 · US$4.00" in [m.value for m in at.markdown]
    planned = frame_with(at, "Excess")
    assert sorted(_rows(planned)) == sorted(
        [(orders["eur"][1], "Grace Hopper", "€15.50"), (orders["usd"][1], "Alan Turing", "US$4.00")]
    )
    skipped = frame_with(at, "Why")
    assert _rows(skipped) == [
        (orders["exact"][1], f"Order {orders['exact'][1]} is not overpaid: it holds nothing beyond its total.")
    ]
    confirm = at.button(key="order_actions.confirm")
    assert confirm.label == "Refund the excess of 2 orders" and confirm.disabled  # no reason yet
    with engine.connect() as conn:  # the dry run wrote nothing
        assert conn.execute(select(Refund.id)).all() == []

    at.selectbox(key="excess_refund.method").set_value("cheque")
    at.text_input(key="excess_refund.reference").input("CHQ-R 9")
    at.text_area(key="excess_refund.reason").input("Paid twice by transfer")
    at.run()
    at.button(key="order_actions.confirm").click().run()
    assert not at.exception
    assert "2 refunds recorded: €15.50 · US$4.00." in [s.value for s in at.success]
    done = frame_with(at, "Amount refunded")
    assert sorted(_rows(done)) == sorted([(orders["eur"][1], "€15.50", "Paid"), (orders["usd"][1], "US$4.00", "Paid")])

    with engine.connect() as conn:
        refunds = conn.execute(
            select(Refund.order_id, Refund.amount, Refund.currency, Refund.method, Refund.reference, Refund.reason)
        ).all()
        states = dict(conn.execute(select(Order.id, Order.payment_state)).all())
        kept = dict(conn.execute(select(Order.id, Order.amount_paid)).all())
    assert sorted((r[0], Decimal(str(r[1])).quantize(Decimal("0.01")), *r[2:]) for r in refunds) == sorted(
        [
            (orders["eur"][0], Decimal("15.50"), "EUR", "cheque", "CHQ-R 9", "Paid twice by transfer"),
            (orders["usd"][0], Decimal("4.00"), "USD", "cheque", "CHQ-R 9", "Paid twice by transfer"),
        ]
    )
    assert {states[orders[k][0]] for k in ("eur", "usd", "exact")} == {"paid"}
    assert Decimal(str(kept[orders["eur"][0]])).quantize(Decimal("0.01")) == Decimal("240.00")

    at.button(key="order_actions.close").click().run()
    assert not at.exception and "order_actions.open" not in at.session_state


def test_an_event_manager_is_not_offered_the_refund(orders):
    at = grid(MANAGER)
    assert not at.exception
    assert not [b for b in at.button if b.key == "order_actions.bulk_refund_excess"]
