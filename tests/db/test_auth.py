"""Sign-in: the right password signs in, every failure reads the same, and an account that fails
five times in a row is locked for fifteen minutes - even against the right password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from orders_core import auth
from orders_core.db import unit_of_work
from orders_core.models import User
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests.accounts import cheap_password_hashing  # noqa: F401 (fixture)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def account(engine):
    with unit_of_work(engine) as session:
        user = add_user(
            session,
            actor=SYSTEM_ACTOR,
            email="Fiona@Example.com",
            role="finance",
            password=PASSWORD,
            full_name="Fiona Nance",
        )
        return user.id


def sign_in(engine, email, password, now):
    with unit_of_work(engine) as session:
        return auth.authenticate(session, email=email, password=password, now=now)


def stored(engine, user_id) -> User:
    with unit_of_work(engine) as session:
        return session.scalar(select(User).where(User.id == user_id))


def test_the_right_password_signs_in_and_records_the_time(engine, account):
    result = sign_in(engine, "fiona@example.com", PASSWORD, T0)
    assert result.ok
    assert result.user == auth.SignedInUser(id=account, email="fiona@example.com", role="finance", name="Fiona Nance")
    assert result.user.as_session() == {
        "id": account,
        "email": "fiona@example.com",
        "role": "finance",
        "name": "Fiona Nance",
    }
    assert auth.as_utc(stored(engine, account).last_login_at) == T0


def test_the_email_is_matched_whatever_its_case_and_spaces(engine, account):
    assert sign_in(engine, "  FIONA@example.COM ", PASSWORD, T0).ok


@pytest.mark.parametrize(
    "email,password",
    [
        ("fiona@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("fiona@example.com", ""),
        ("", ""),
    ],
)
def test_every_failure_gets_the_same_neutral_message(engine, account, email, password):
    result = sign_in(engine, email, password, T0)
    assert not result.ok and result.user is None
    assert result.message == "Wrong email or password, or too many attempts. Try again, or wait 15 minutes."


def test_a_deactivated_account_cannot_sign_in_and_reads_like_a_wrong_password(engine, account):
    with unit_of_work(engine) as session:
        session.get(User, account).active = False
    result = sign_in(engine, "fiona@example.com", PASSWORD, T0)
    assert not result.ok
    assert result.message == auth.failure_message()


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(engine, account):
    for attempt in range(auth.MAX_FAILURES - 1):
        assert not sign_in(engine, "fiona@example.com", "guess", T0 + timedelta(seconds=attempt)).ok
    assert stored(engine, account).failed_logins == 4
    assert stored(engine, account).locked_until is None

    assert not sign_in(engine, "fiona@example.com", "guess", T0 + timedelta(seconds=10)).ok
    locked_until = auth.as_utc(stored(engine, account).locked_until)
    assert locked_until == T0 + timedelta(seconds=10, minutes=15)

    # Locked: even the right password is refused, with the same message.
    during = sign_in(engine, "fiona@example.com", PASSWORD, T0 + timedelta(minutes=14))
    assert not during.ok and during.message == auth.failure_message()

    # After the window, the right password works again and clears the lock.
    after = sign_in(engine, "fiona@example.com", PASSWORD, locked_until + timedelta(seconds=1))
    assert after.ok
    assert stored(engine, account).locked_until is None
    assert stored(engine, account).failed_logins == 0


def test_a_success_resets_the_failure_count(engine, account):
    for _attempt in range(3):
        sign_in(engine, "fiona@example.com", "guess", T0)
    assert sign_in(engine, "fiona@example.com", PASSWORD, T0).ok
    for _attempt in range(4):
        sign_in(engine, "fiona@example.com", "guess", T0)
    assert stored(engine, account).locked_until is None  # 4 after the reset, not 7


def test_failures_of_one_account_do_not_lock_another(engine, account):
    with unit_of_work(engine) as session:
        add_user(session, actor=SYSTEM_ACTOR, email="eve@example.com", role="event_manager", password=PASSWORD)
    for _attempt in range(auth.MAX_FAILURES):
        sign_in(engine, "fiona@example.com", "guess", T0)
    assert sign_in(engine, "eve@example.com", PASSWORD, T0).ok


def test_the_password_is_stored_as_an_argon2id_hash(engine, account):
    password_hash = stored(engine, account).password_hash
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash


def test_refresh_ends_the_session_of_a_deactivated_account_and_follows_role_changes(engine, account):
    session_user = sign_in(engine, "fiona@example.com", PASSWORD, T0).user.as_session()
    with unit_of_work(engine) as session:
        assert auth.refresh(session, session_user) == session_user
        session.get(User, account).role = "marketer"
    with unit_of_work(engine) as session:
        assert auth.refresh(session, session_user)["role"] == "marketer"
        session.get(User, account).active = False
    with unit_of_work(engine) as session:
        assert auth.refresh(session, session_user) is None


def test_an_identity_proven_elsewhere_maps_to_the_active_account(engine, account):
    with unit_of_work(engine) as session:
        assert auth.user_for_email(session, "FIONA@example.com").role == "finance"
        assert auth.user_for_email(session, "nobody@example.com") is None
