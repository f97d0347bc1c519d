"""Issue 17: an administrator gives each account every event or a list of events; the last
active administrator of every event keeps every event; every change of an account is in the
audit trail, written in the same transaction (a refused change leaves no entry)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orders_core import sessions
from orders_core.auth import event_scope
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import set_locale
from orders_core.models import AuditEntry
from orders_core.permissions import SYSTEM_ACTOR, Actor
from orders_core.services import users
from tests.accounts import cheap_password_hashing  # noqa: F401 (fixture)
from tests.factories import make_event

PASSWORD = "a long enough password"

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture(autouse=True)
def english():
    set_locale("en")


@pytest.fixture
def world(engine):
    with unit_of_work(engine) as session:
        montreal, zurich = make_event(session, name="Montréal"), make_event(session, name="Zürich")
        ada = users.add_user(session, actor=SYSTEM_ACTOR, email="ada@example.com", role="admin", password=PASSWORD)
        session.flush()
        return {"montreal": montreal.id, "zurich": zurich.id, "ada": ada.id}


def admin(world) -> Actor:
    return Actor("ada@example.com", "admin", user_id=world["ada"])


def audit_rows(engine) -> list[tuple[str, str, str, dict]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject, AuditEntry.details).order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]


def scope_of(engine, user_id) -> tuple[int, ...] | None:
    with unit_of_work(engine) as session:
        return users.user_scope(session, user_id)


def test_add_a_scoped_user_then_change_their_events_with_the_audit_trail(engine, world):
    with unit_of_work(engine) as session:
        eve = users.add_user(
            session,
            actor=admin(world),
            email="eve@example.com",
            role="event_manager",
            password=PASSWORD,
            event_ids=[world["montreal"]],
        )
        eve_id = eve.id
    assert scope_of(engine, eve_id) == (world["montreal"],)
    with unit_of_work(engine) as session:
        # what the session layer reads at every rerun
        assert event_scope(session, eve_id, False) == (world["montreal"],)

    with unit_of_work(engine) as session:
        users.set_event_scope(
            session, actor=admin(world), user_id=eve_id, event_ids=[world["zurich"], world["montreal"]]
        )
    assert scope_of(engine, eve_id) == tuple(sorted([world["montreal"], world["zurich"]]))
    with unit_of_work(engine) as session:
        users.set_event_scope(session, actor=admin(world), user_id=eve_id, event_ids=None)
    assert scope_of(engine, eve_id) is None

    entries = [e for e in audit_rows(engine) if e[2] == "eve@example.com"]
    montreal = {"id": world["montreal"], "name": "Montréal"}
    zurich = {"id": world["zurich"], "name": "Zürich"}
    both = sorted([montreal, zurich], key=lambda e: e["id"])
    assert entries == [
        ("ada@example.com", "user_added", "eve@example.com", {"role": "event_manager", "events": [montreal]}),
        ("ada@example.com", "scope_changed", "eve@example.com", {"events": {"old": [montreal], "new": both}}),
        ("ada@example.com", "scope_changed", "eve@example.com", {"events": {"old": both, "new": "all"}}),
    ]


def test_unknown_events_and_empty_lists_are_refused_and_leave_nothing(engine, world):
    before = audit_rows(engine)
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        users.add_user(
            session,
            actor=admin(world),
            email="bob@example.com",
            role="finance",
            password=PASSWORD,
            event_ids=[world["montreal"], 987654],
        )
    assert refused.value.message == "Unknown event id: 987654."
    with unit_of_work(engine) as session:
        bob = users.add_user(session, actor=admin(world), email="bob@example.com", role="finance", password=PASSWORD)
        bob_id = bob.id
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        users.set_event_scope(session, actor=admin(world), user_id=bob_id, event_ids=[])
    assert refused.value.message == "Choose at least one event, or every event."
    assert scope_of(engine, bob_id) is None
    assert [e[1] for e in audit_rows(engine)[len(before) :]] == ["user_added"]


def test_the_last_admin_of_every_event_keeps_every_event(engine, world):
    with unit_of_work(engine) as session:
        bea = users.add_user(session, actor=admin(world), email="bea@example.com", role="admin", password=PASSWORD)
        bea_id = bea.id
    bea_actor = Actor("bea@example.com", "admin", user_id=bea_id)
    # Bea narrows Ada: allowed, Bea is still an admin of every event
    with unit_of_work(engine) as session:
        users.set_event_scope(session, actor=bea_actor, user_id=world["ada"], event_ids=[world["montreal"]])
    # now Bea is the last admin of every event: Ada (scoped) cannot narrow, demote or deactivate her
    ada = Actor("ada@example.com", "admin", event_ids=frozenset({world["montreal"]}), user_id=world["ada"])
    root = Actor("root", "system")
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        users.set_event_scope(session, actor=root, user_id=bea_id, event_ids=[world["zurich"]])
    assert "last active administrator of every event" in refused.value.message
    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        users.change_role(session, actor=root, user_id=bea_id, role="finance")
    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        users.deactivate_user(session, actor=root, user_id=bea_id)
    # a scoped admin manages only the accounts within their events: not Bea (every event)
    for service, extra in (
        (users.deactivate_user, {}),
        (users.reset_password, {}),
        (users.change_role, {"role": "finance"}),
        (users.set_event_scope, {"event_ids": [world["montreal"]]}),
    ):
        with pytest.raises(NotAllowed) as refused, unit_of_work(engine) as session:
            service(session, actor=ada, user_id=bea_id, **extra)
        assert refused.value.message == "Only an administrator of every event can change this user."
    with unit_of_work(engine) as session:
        listed = [u.email for u in users.list_users(session, actor=ada)]
    assert listed == ["ada@example.com"]  # Bea reaches beyond Ada's events
    # a scoped admin grants only their own events, never every event
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        users.add_user(session, actor=ada, email="x@example.com", role="finance", password=PASSWORD)
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        users.add_user(
            session, actor=ada, email="x@example.com", role="finance", password=PASSWORD, event_ids=[world["zurich"]]
        )
    assert refused.value.message == f"Unknown event id: {world['zurich']}."
    # nobody changes their own events
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
        users.set_event_scope(session, actor=bea_actor, user_id=bea_id, event_ids=[world["zurich"]])
    assert refused.value.message == "You cannot change your own events: ask another administrator."
    assert scope_of(engine, bea_id) is None


def test_role_changes_deactivation_and_password_resets_are_audited(engine, world):
    with unit_of_work(engine) as session:
        fin = users.add_user(session, actor=admin(world), email="fin@example.com", role="finance", password=PASSWORD)
        fin_id = fin.id
    start = len(audit_rows(engine))
    with unit_of_work(engine) as session:
        users.change_role(session, actor=admin(world), user_id=fin_id, role="marketer")
        users.deactivate_user(session, actor=admin(world), user_id=fin_id)
        users.reactivate_user(session, actor=admin(world), user_id=fin_id)
        password = users.reset_password(session, actor=admin(world), user_id=fin_id)
    entries = audit_rows(engine)[start:]
    assert [(e[1], e[2], e[3]) for e in entries] == [
        ("role_changed", "fin@example.com", {"role": {"old": "finance", "new": "marketer"}}),
        ("user_deactivated", "fin@example.com", {}),
        ("user_reactivated", "fin@example.com", {}),
        ("password_reset", "fin@example.com", {}),
    ]
    assert all(password not in str(e) for e in entries)
    # only admins manage accounts
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        users.set_event_scope(
            session, actor=Actor("m@example.com", "event_manager"), user_id=fin_id, event_ids=[world["montreal"]]
        )


def test_list_users_shows_each_scope(engine, world):
    with unit_of_work(engine) as session:
        users.add_user(
            session,
            actor=admin(world),
            email="eve@example.com",
            role="event_manager",
            password=PASSWORD,
            event_ids=[world["zurich"]],
        )
    with unit_of_work(engine) as session:
        listed = {u.email: u.event_ids for u in users.list_users(session, actor=admin(world))}
    assert listed == {"ada@example.com": None, "eve@example.com": (world["zurich"],)}


def test_an_open_session_follows_a_scope_change_at_its_next_action(engine, world):
    with unit_of_work(engine) as session:
        eve = users.add_user(session, actor=admin(world), email="eve@example.com", role="finance", password=PASSWORD)
        eve_id = eve.id
        token = sessions.start_session(session, user_id=eve_id).token
    assert sessions.resume(engine, token).event_ids is None
    with unit_of_work(engine) as session:
        users.set_event_scope(session, actor=admin(world), user_id=eve_id, event_ids=[world["zurich"]])
    resumed = sessions.resume(engine, token)  # the same browser session, not signed out
    assert resumed is not None and resumed.event_ids == (world["zurich"],)
