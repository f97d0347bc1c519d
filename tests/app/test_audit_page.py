"""Issue 17: the Audit page through AppTest: entries newest first in the user's zone, filters
read from and written to the address, the export (itself audited), the empty state, refusal for
anyone but an administrator of every event; and the erasure of a buyer from the page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core import audit
from orders_core.db import unit_of_work
from orders_core.models import AuditEntry, Order
from orders_core.permissions import Actor
from orders_core.services.export_audit import record_export
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff
from ui.registry import pages_for
from ui.timezone import TIMEZONE_KEY

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "audit.py")
ADMIN = {"email": "admin@example.org", "role": "admin", "name": "Admin"}
FINANCE = {"email": "finance@example.org", "role": "finance", "name": "Finance"}


@pytest.fixture
def trail(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        audit.record(session, actor="ana@example.org", action=audit.SIGN_IN, now=datetime(2026, 11, 1, 9, tzinfo=UTC))
        record_export(
            session,
            actor=Actor("ana@example.org", "finance"),
            what="orders",
            filters={"q": "**bold** <b>x</b>"},
            rows=12,
            format="csv",
            now=datetime(2026, 11, 3, 10, tzinfo=UTC),
        )
        audit.record(
            session,
            actor="=cmd|' /C calc'!A0",
            action=audit.SIGN_IN_FAILED,
            subject='=HYPERLINK("http://x")',
            now=datetime(2026, 11, 4, 10, tzinfo=UTC),
        )


# November 2026: the trail's entries, not those the shared fixtures write today (accounts added).
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def page(user=ADMIN, query=None) -> AppTest:
    return open_page(PAGE, user, query=NOVEMBER if query is None else query, state={TIMEZONE_KEY: "Europe/Paris"})


def table(at: AppTest):
    return at.dataframe[0].value


def test_the_admin_reads_the_trail_newest_first_in_their_zone(trail):
    at = page()
    assert not at.exception
    rows = table(at)
    assert list(rows["Action"]) == ["Failed sign-in", "Export", "Sign-in"]
    assert list(rows.columns)[0] == "When (Europe/Paris)"
    assert rows.iloc[1]["When (Europe/Paris)"] == "3 Nov 2026, 11:00:00 CET"
    assert rows.iloc[1]["Details"] == "what: Orders · filters: q=**bold** <b>x</b> · rows: 12 · format: csv"
    assert "3 entries." in [c.value for c in at.caption]


def test_filters_come_from_the_address_and_go_back_to_it(trail):
    at = page(query={"action": "export", "actor": "ANA"})
    assert list(table(at)["Action"]) == ["Export"]
    assert at.multiselect(key="audit.actions").value == ["export"]
    at.text_input(key="audit.actor").input("nobody").run()
    assert not at.exception
    assert not at.dataframe
    assert "No audit entry matches these filters." in [i.value for i in at.info]
    assert at.query_params["actor"] == "nobody" and at.query_params["action"] in ("export", ["export"])


def test_the_export_is_safe_for_spreadsheets_and_itself_audited(trail, engine):
    at = page()
    button = at.get("download_button")[0]
    assert button.proto.label == "Export these entries (CSV)"
    button.click()
    at.run()
    assert not at.exception
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.actor, entry.subject) == ("export", "admin@example.org", "audit")
    assert entry.details == {"what": "audit", "filters": NOVEMBER, "rows": 3, "format": "csv"}


def test_the_csv_cells_never_start_a_formula(trail):
    from queries.dashboards.export import to_csv

    at = page()
    data = to_csv(table(at), separator=";").decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "'=cmd" in data


def test_an_empty_trail_says_so(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    at = page()
    assert not at.exception
    assert "No audit entry matches these filters." in [i.value for i in at.info]


@pytest.mark.parametrize("role", ["finance", "event_manager", "marketer"])
def test_anyone_but_an_administrator_is_refused(trail, role):
    assert [spec.url_path for spec in pages_for(role) if spec.url_path == "audit"] == []
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in their navigation
        page({**FINANCE, "email": f"{role}@example.org", "role": role})


@pytest.fixture
def buyer(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        tariff = make_tariff(session, event)
        paid = make_order(session, event, [(tariff, 1)], status="paid", buyer_email="jeanne@example.org")
        return {"paid": paid.number, "event": event.id, "tariff": tariff.id}


def test_the_admin_previews_then_erases_a_buyer(buyer, engine):
    at = page(query={})  # every day: the erasure is written today
    at.text_input(key="audit.erasure.email").input("JEANNE@example.org").run()
    summary = " ".join(m.value for m in at.markdown)
    assert f"1 order: {buyer['paid']}" in summary and "Events: Gala" in summary
    assert at.button(key="audit.erasure.erase").disabled
    at.text_area(key="audit.erasure.reason").input("Asked by email on 1 Dec").run()
    at.checkbox(key="audit.erasure.confirm").check().run()
    at.button(key="audit.erasure.erase").click().run()
    assert not at.exception
    notices = [s.value for s in at.success]
    assert any(n.startswith(f"Erased: order {buyer['paid']} now names Erased ") for n in notices), notices
    with engine.connect() as conn:
        email = conn.execute(select(Order.buyer_email)).scalar_one()
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "erasure")).one()
    assert email.startswith("erased-") and email.endswith("@invalid")
    assert entry.details == {"orders": 1, "reason": "Asked by email on 1 Dec"}
    assert "Personal data erased" in list(table(at)["Action"])


def test_the_erasure_is_refused_while_an_order_awaits_payment(buyer, engine):
    with unit_of_work(engine) as session:
        from orders_core.models import Event, Tariff

        owing = make_order(
            session,
            session.get(Event, buyer["event"]),
            [(session.get(Tariff, buyer["tariff"]), 1)],
            buyer_email="jeanne@example.org",
        ).number
    at = page()
    at.text_input(key="audit.erasure.email").input("jeanne@example.org").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"Refused: order {owing} still awaits payment. Erase once it is paid or cancelled."
    ]
    assert all(b.key != "audit.erasure.erase" for b in at.button)


def test_an_erased_orders_page_shows_the_pseudonym_never_the_old_values(buyer, engine):
    from orders_core.models import OrderHistory
    from orders_core.services.erasure import erase_buyer

    with unit_of_work(engine) as session:
        order_id = session.scalar(select(Order.id).where(Order.number == buyer["paid"]))
        session.add(
            OrderHistory(
                order_id=order_id,
                at=datetime(2026, 11, 30, tzinfo=UTC),
                actor="admin@example.org",
                action="modified",
                details={"buyer_email": {"old": "jeanne@old.example", "new": "jeanne@example.org"}},
            )
        )
    with unit_of_work(engine) as session:
        result = erase_buyer(
            session, actor=Actor("admin@example.org", "admin"), email="jeanne@example.org", reason="Asked"
        )
    at = open_page(str(ROOT / "pages" / "order_detail.py"), ADMIN, query={"order": str(buyer["paid"])})
    assert not at.exception
    shown = " ".join(e.value for kind in ("markdown", "caption", "text") for e in getattr(at, kind))
    assert "jeanne" not in shown.lower()
    assert f"Personal data erased by Admin: the buyer is now {result.pseudonym}." in shown
    assert result.pseudonym in shown


def test_an_administrator_of_some_events_only_is_refused_the_trail_and_the_erasure(trail, engine):
    from orders_core.models import User, UserEvent
    from tests.app.conftest import signed_in_account

    scoped = {"email": "scoped-admin@example.org", "role": "admin", "name": "Scoped"}
    account = signed_in_account(scoped)
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        session.get(User, account["id"]).all_events = False
        session.add(UserEvent(user_id=account["id"], event_id=event.id))
    at = page(scoped)
    assert not at.exception
    assert [e.value for e in at.error] == ["The audit trail is for administrators of every event."]
    assert not at.dataframe and not at.get("download_button")
