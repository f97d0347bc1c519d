"""Issue 17: the reconciliation page for a finance user scoped to one event (Montréal). The
statement (tests/scope/specs_reconciliation.py) also pays Zürich's orders: the page says how many
lines are other teams', and shows nothing of them (no payer, amount, currency, order number or
reason); the bulk confirmation pays only Montréal's order; a Zürich order number typed by hand
reads as no order."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.models import Order, User, UserEvent
from tests.app.conftest import open_page, signed_in_account
from tests.scope import specs_reconciliation  # noqa: F401 (registers the statement in the world)
from tests.scope.world import World, build_world

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "reconciliation.py")
MONTREAL_FINANCE = {"email": "finance@montreal.example", "role": "finance", "name": "Montréal finance"}


@pytest.fixture
def world(engine, db_url, monkeypatch) -> World:
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        built = build_world(session)
    account = signed_in_account(MONTREAL_FINANCE)
    with unit_of_work(engine) as session:
        session.execute(update(User).where(User.id == account["id"]).values(all_events=False))
        session.add(UserEvent(user_id=account["id"], event_id=built.ours.event_id))
    return built


def app() -> AppTest:
    return open_page(PAGE, MONTREAL_FINANCE)


def shown(at: AppTest) -> str:
    """Every text the page draws."""
    texts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.success) for e in kind]
    texts += [f"{m.label} {m.value} {m.help}" for m in at.metric]
    texts += [b.label for b in at.button]
    texts += [str(o) for box in at.selectbox for o in box.options]
    return "\n".join(str(t) for t in texts)


def status_of(engine, order_id: int) -> str:
    with unit_of_work(engine) as session:
        return session.scalars(select(Order.status).where(Order.id == order_id)).one()


def test_the_page_shows_only_their_lines_and_how_many_are_other_teams(world):
    at = app()
    assert not at.exception
    text = shown(at)
    for secret in ("ZSECRET", "CHF", "Zürich", str(world.theirs.pending_number), str(world.theirs.paid_number)):
        assert secret not in text, secret
    assert [i.value for i in at.info if "other teams" in i.value] == [
        "3 lines of this statement belong to other teams' events: they are theirs to reconcile and are left "
        "out of this page (lines, counts, report and decided matches)."
    ]
    assert f"Order: [{world.ours.pending_number}](/order?order={world.ours.pending_number})" in text
    assert "MSCOPEina MSCOPEson" in text
    assert {m.label for m in at.metric} >= {"Received (CAD)"}
    assert at.main.caption[-1].value == "2 lines in this view"


def test_the_bulk_confirmation_pays_only_their_events_order(world, engine):
    at = app()
    next(b for b in at.button if b.label == "Confirm 1 decided match").click().run()
    assert not at.exception
    assert [s.value for s in at.success][0].startswith("1 line confirmed, paying 1 order")
    assert status_of(engine, world.ours.pending_id) == "paid"
    assert status_of(engine, world.theirs.pending_id) == "awaiting_payment"


def test_another_events_order_typed_by_hand_reads_as_no_order(world, engine):
    at = app()
    neutral = world.extra["neutral_line_id"]
    at.text_input(key=f"reconciliation.number.{neutral}").input(str(world.theirs.pending_number))
    at.button(key=f"reconciliation.assign.{neutral}").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"No order has the number {world.theirs.pending_number}."]
    assert status_of(engine, world.theirs.pending_id) == "awaiting_payment"


def test_the_control_a_finance_user_of_every_event_sees_their_lines(world):
    at = open_page(PAGE, {"email": "finance@head-office.example", "role": "finance", "name": "Head office"})
    assert not at.exception
    text = shown(at)
    assert "ZSECRETina ZSECRETson" in text and "Received (CHF)" in text
    assert not [i.value for i in at.info if "other teams" in i.value]
