"""Issue 17: the audit trail's queries (filters, order, count, who may read it), the export
audit service, and the database refusing to change an audit entry, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from orders_core import audit
from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed
from orders_core.models import AuditEntry
from orders_core.permissions import Actor
from orders_core.services.export_audit import record_export
from queries.audit import AuditFilters, audit_count, audit_entries
from tests.append_only import assert_refused

ADMIN = Actor("admin@example.org", "admin")


@pytest.fixture
def trail(engine):
    """Four entries over three days (UTC), by two people."""
    with unit_of_work(engine) as session:
        audit.record(session, actor="ana@example.org", action=audit.SIGN_IN, now=datetime(2026, 11, 1, 9, tzinfo=UTC))
        audit.record(
            session,
            actor="bob@example.org",
            action=audit.SIGN_IN_FAILED,
            subject="bob@example.org",
            now=datetime(2026, 11, 2, 23, 30, tzinfo=UTC),  # 3 November in Paris
        )
        record_export(
            session,
            actor=Actor("ana@example.org", "finance"),
            what="orders",
            filters={"status": ["paid"], "q": "=HYPERLINK()"},
            rows=12,
            format="csv",
            now=datetime(2026, 11, 3, 10, tzinfo=UTC),
        )
        audit.record(session, actor=ADMIN, action=audit.ROLE_CHANGED, now=datetime(2026, 11, 3, 11, tzinfo=UTC))


def test_entries_come_newest_first_with_their_details(engine, trail):
    entries = audit_entries(engine, AuditFilters(), principal=ADMIN)
    assert list(entries["action"]) == ["role_changed", "export", "sign_in_failed", "sign_in"]
    export = entries.iloc[1]
    assert export["actor"] == "ana@example.org"
    assert export["details"] == {
        "what": "orders",
        "filters": {"status": ["paid"], "q": "=HYPERLINK()"},
        "rows": 12,
        "format": "csv",
    }
    assert audit_count(engine, AuditFilters(), principal=ADMIN) == 4


def test_filters_by_days_of_the_users_zone_actions_and_who(engine, trail):
    paris_third = AuditFilters(date_from=date(2026, 11, 3), date_to=date(2026, 11, 3), timezone="Europe/Paris")
    assert list(audit_entries(engine, paris_third, principal=ADMIN)["action"]) == [
        "role_changed",
        "export",
        "sign_in_failed",  # 23:30 UTC on the 2nd is the 3rd in Paris
    ]
    utc_third = AuditFilters(date_from=date(2026, 11, 3), date_to=date(2026, 11, 3))
    assert audit_count(engine, utc_third, principal=ADMIN) == 2
    actions = AuditFilters(actions=("sign_in", "sign_in_failed", "not_an_action"))
    assert list(audit_entries(engine, actions, principal=ADMIN)["actor"]) == ["bob@example.org", "ana@example.org"]
    who = AuditFilters(actor="  ANA@ ")
    assert list(audit_entries(engine, who, principal=ADMIN)["action"]) == ["export", "sign_in"]
    assert audit_count(engine, AuditFilters(actor="100%_"), principal=ADMIN) == 0


def test_the_limit_caps_the_rows_not_the_count(engine, trail):
    assert len(audit_entries(engine, AuditFilters(), principal=ADMIN, limit=2)) == 2
    assert audit_count(engine, AuditFilters(), principal=ADMIN) == 4


@pytest.mark.parametrize(
    "principal",
    [
        Actor("fin@example.org", "finance"),
        Actor("em@example.org", "event_manager"),
        Actor("mk@example.org", "marketer"),
        Actor("scoped-admin@example.org", "admin", event_ids=frozenset({1})),
    ],
    ids=["finance", "event_manager", "marketer", "scoped_admin"],
)
def test_only_an_administrator_of_every_event_reads_the_trail(engine, trail, principal):
    with pytest.raises(NotAllowed):
        audit_entries(engine, AuditFilters(), principal=principal)
    with pytest.raises(NotAllowed):
        audit_count(engine, AuditFilters(), principal=principal)


def test_the_database_refuses_to_change_or_remove_an_audit_entry(engine, owner_engine, backend, trail):
    refusal = "permission denied for table audit_log" if backend == "postgresql" else "audit_log is append-only"
    assert_refused(engine, "UPDATE audit_log SET actor = 'someone else'", refusal)
    assert_refused(engine, "DELETE FROM audit_log", refusal)
    # the owner (migrations) is stopped by the trigger
    assert_refused(owner_engine, "UPDATE audit_log SET details = '{}'", "audit_log is append-only")
    assert_refused(owner_engine, "DELETE FROM audit_log WHERE action = 'sign_in'", "audit_log is append-only")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 4
        assert set(conn.execute(select(AuditEntry.actor)).scalars()) == {
            "ana@example.org",
            "bob@example.org",
            "admin@example.org",
        }


def test_an_export_entry_keeps_its_filters_as_plain_values(engine):
    with unit_of_work(engine) as session:
        record_export(
            session,
            actor=ADMIN,
            what="finance_payments",
            filters={"start": date(2026, 1, 1), "events": (3, 4), "empty": "", "long": "x" * 500},
            rows=0,
            format="xlsx",
        )
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry)).one()
    assert (entry.action, entry.subject, entry.actor) == ("export", "finance_payments", "admin@example.org")
    assert entry.details["filters"] == {"start": "2026-01-01", "events": [3, 4], "long": "x" * 200}
    assert entry.details["rows"] == 0 and entry.details["format"] == "xlsx"
