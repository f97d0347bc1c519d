"""Sessions that last and end when they must: a one-time ticket opens a session whose token is
stored only as a hash; the session follows the account's role; it ends on sign-out, password
reset and deactivation (every session of that user), after the idle timeout and after the
absolute timeout. Time is a controlled clock (time-machine), never a sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from orders_core import sessions
from orders_core.db import unit_of_work
from orders_core.i18n import as_utc
from orders_core.models import SignInTicket, User, UserSession
from orders_core.permissions import Actor
from orders_core.services import users
from tests.accounts import add_account, cheap_password_hashing  # noqa: F401 (fixture)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
ADMIN = Actor("ada@example.com", "admin")

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ids(engine):
    return {
        "ada": add_account(engine, "ada@example.com", "admin", PASSWORD, name="Ada"),
        "fin": add_account(engine, "fin@example.com", "finance", PASSWORD, name="Fiona"),
    }


def open_session(engine, user_id, **kwargs) -> str:
    with unit_of_work(engine) as session:
        return sessions.start_session(session, user_id=user_id, **kwargs).token


def stored_sessions(engine, user_id) -> list[UserSession]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id)))


def resume(engine, token):
    user = sessions.resume(engine, token)
    return user.as_session() if user else None


def test_a_ticket_opens_one_session_once_and_the_database_keeps_only_hashes(engine, ids, clock):
    with unit_of_work(engine) as session:
        ticket = sessions.issue_ticket(session, user_id=ids["fin"])
    with unit_of_work(engine) as session:
        started = sessions.start_session_with_ticket(
            session, ticket=ticket, ip="192.0.2.10", user_agent="Mozilla/5.0 (X11; Linux x86_64)"
        )
    assert started is not None and len(started.token) >= 40
    assert started.expires_at == T0 + timedelta(days=7)
    with unit_of_work(engine) as session:
        assert sessions.start_session_with_ticket(session, ticket=ticket) is None  # single use

    [row] = stored_sessions(engine, ids["fin"])
    assert row.token_hash == sessions.hash_secret(started.token) != started.token
    assert (row.ip, row.user_agent) == ("192.0.2.10", "Mozilla/5.0 (X11; Linux x86_64)")
    assert (row.ended_at, row.ended_reason) == (None, None)
    with unit_of_work(engine) as session:
        [stored_ticket] = session.scalars(select(SignInTicket)).all()
        assert stored_ticket.ticket_hash == sessions.hash_secret(ticket)
        assert as_utc(stored_ticket.used_at) == T0
    assert resume(engine, started.token) == {
        "id": ids["fin"],
        "email": "fin@example.com",
        "role": "finance",
        "name": "Fiona",
        "event_ids": None,
    }


def test_a_ticket_is_worth_nothing_after_a_minute(engine, ids, clock):
    with unit_of_work(engine) as session:
        ticket = sessions.issue_ticket(session, user_id=ids["fin"])
    clock.shift(sessions.TICKET_LIFETIME)
    with unit_of_work(engine) as session:
        assert sessions.start_session_with_ticket(session, ticket=ticket) is None
    assert stored_sessions(engine, ids["fin"]) == []


def test_tickets_spent_a_day_ago_are_deleted_when_the_next_one_is_issued(engine, ids, clock):
    with unit_of_work(engine) as session:
        sessions.issue_ticket(session, user_id=ids["fin"])
    clock.shift(timedelta(days=1, minutes=2))
    with unit_of_work(engine) as session:
        fresh = sessions.issue_ticket(session, user_id=ids["ada"])
    with unit_of_work(engine) as session:
        assert [t.ticket_hash for t in session.scalars(select(SignInTicket))] == [sessions.hash_secret(fresh)]


@pytest.mark.parametrize("ticket", ["", "made-up", "x" * 5000])
def test_an_unknown_ticket_opens_nothing(engine, ids, ticket):
    with unit_of_work(engine) as session:
        assert sessions.start_session_with_ticket(session, ticket=ticket) is None


def test_a_ticket_of_an_account_deactivated_meanwhile_opens_nothing(engine, ids, clock):
    with unit_of_work(engine) as session:
        ticket = sessions.issue_ticket(session, user_id=ids["fin"])
    with unit_of_work(engine) as session:
        users.deactivate_user(session, actor=ADMIN, user_id=ids["fin"])
    with unit_of_work(engine) as session:
        assert sessions.start_session_with_ticket(session, ticket=ticket) is None


@pytest.mark.parametrize("token", [None, "", "not a token", "y" * 5000])
def test_no_or_an_unknown_token_is_nobody(engine, ids, token):
    assert sessions.resume(engine, token) is None


def test_a_session_follows_the_role_and_name_of_its_account(engine, ids):
    token = open_session(engine, ids["fin"])
    with unit_of_work(engine) as session:
        users.change_role(session, actor=ADMIN, user_id=ids["fin"], role="marketer")
        session.get(User, ids["fin"]).full_name = "Fiona Nance"
    assert resume(engine, token)["role"] == "marketer"
    assert resume(engine, token)["name"] == "Fiona Nance"


def test_signing_out_ends_every_session_of_that_user_only(engine, ids):
    laptop, phone = open_session(engine, ids["fin"]), open_session(engine, ids["fin"])
    admin = open_session(engine, ids["ada"])
    with unit_of_work(engine) as session:
        assert sessions.sign_out(session, token=laptop) == 2
    assert resume(engine, laptop) is None and resume(engine, phone) is None
    assert resume(engine, admin)["email"] == "ada@example.com"
    assert [s.ended_reason for s in stored_sessions(engine, ids["fin"])] == ["signed_out", "signed_out"]
    with unit_of_work(engine) as session:
        assert sessions.sign_out(session, token="not a token") == 0


def test_a_password_reset_ends_every_session_of_the_account(engine, ids):
    laptop, phone = open_session(engine, ids["fin"]), open_session(engine, ids["fin"])
    admin = open_session(engine, ids["ada"])
    with unit_of_work(engine) as session:
        users.reset_password(session, actor=ADMIN, user_id=ids["fin"])
    assert resume(engine, laptop) is None and resume(engine, phone) is None
    assert resume(engine, admin) is not None
    assert {s.ended_reason for s in stored_sessions(engine, ids["fin"])} == {"password_reset"}


def test_deactivation_ends_every_session_and_reactivation_brings_none_back(engine, ids):
    laptop = open_session(engine, ids["fin"])
    with unit_of_work(engine) as session:
        users.deactivate_user(session, actor=ADMIN, user_id=ids["fin"])
    assert resume(engine, laptop) is None
    with unit_of_work(engine) as session:
        users.reactivate_user(session, actor=ADMIN, user_id=ids["fin"])
    assert resume(engine, laptop) is None
    assert [s.ended_reason for s in stored_sessions(engine, ids["fin"])] == ["deactivated"]


def test_a_session_deactivated_behind_its_back_ends_at_its_next_action(engine, ids):
    """Even when the flag is changed without the service (e.g. by SQL), the next rerun sees it."""
    laptop = open_session(engine, ids["fin"])
    with unit_of_work(engine) as session:
        session.get(User, ids["fin"]).active = False
    assert resume(engine, laptop) is None
    assert [s.ended_reason for s in stored_sessions(engine, ids["fin"])] == ["deactivated"]


def test_eight_idle_hours_end_a_session(engine, ids, clock):
    token = open_session(engine, ids["fin"])
    clock.shift(timedelta(hours=7, minutes=59))
    assert resume(engine, token) is not None  # an action just before the limit...
    clock.shift(timedelta(hours=7, minutes=59))
    assert resume(engine, token) is not None  # ...starts the idle time again
    clock.shift(timedelta(hours=8))
    assert resume(engine, token) is None
    [row] = stored_sessions(engine, ids["fin"])
    assert row.ended_reason == "idle" and as_utc(row.ended_at) == datetime.now(UTC)
    clock.shift(timedelta(seconds=-1))
    assert resume(engine, token) is None  # ended stays ended


def test_seven_days_end_a_session_however_active_it_is(engine, ids, clock):
    token = open_session(engine, ids["fin"])
    for _hour in range(7 * 24 - 1):
        clock.shift(timedelta(hours=1))
        assert resume(engine, token) is not None
    clock.shift(timedelta(hours=1))
    assert resume(engine, token) is None
    assert [s.ended_reason for s in stored_sessions(engine, ids["fin"])] == ["expired"]


def test_both_timeouts_are_settings(engine, ids, clock, monkeypatch):
    monkeypatch.setenv("ORDERS_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("ORDERS_SESSION_MAX_DAYS", "0.5")
    idle, busy = open_session(engine, ids["fin"]), open_session(engine, ids["fin"])
    clock.shift(timedelta(minutes=29))
    assert resume(engine, busy) is not None
    clock.shift(timedelta(minutes=1))
    assert resume(engine, idle) is None
    assert resume(engine, busy) is not None
    for _step in range(23):
        clock.shift(timedelta(minutes=29))
        assert resume(engine, busy) is not None
    clock.shift(timedelta(minutes=29))  # 12 h 6 min after the start
    assert resume(engine, busy) is None
    assert [s.ended_reason for s in stored_sessions(engine, ids["fin"])] == ["idle", "expired"]


@pytest.mark.parametrize("value", ["", "zero", "-5", "0"])
def test_a_timeout_setting_that_is_not_a_positive_number_keeps_the_default(monkeypatch, value):
    monkeypatch.setenv("ORDERS_SESSION_IDLE_MINUTES", value)
    monkeypatch.setenv("ORDERS_SESSION_MAX_DAYS", value)
    assert sessions.idle_timeout() == timedelta(hours=8)
    assert sessions.absolute_timeout() == timedelta(days=7)


def test_reruns_write_last_seen_at_most_once_a_minute(engine, ids, clock):
    token = open_session(engine, ids["fin"])
    for _rerun in range(5):
        clock.shift(timedelta(seconds=10))
        assert resume(engine, token) is not None
    [row] = stored_sessions(engine, ids["fin"])
    assert as_utc(row.last_seen_at) == T0
    clock.shift(timedelta(seconds=10))  # one minute after the start
    resume(engine, token)
    [row] = stored_sessions(engine, ids["fin"])
    assert as_utc(row.last_seen_at) == T0 + timedelta(minutes=1)
