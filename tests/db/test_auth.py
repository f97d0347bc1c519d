"""Sign-in: the right password signs in, every failure reads the same, and failures are counted
per (typed email, source address) with a doubling wait - so a guesser elsewhere never locks the
account's owner out, and no wait lasts forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from orders_core import auth
from orders_core.db import unit_of_work
from orders_core.models import SignInFailure, User
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests.accounts import cheap_password_hashing  # noqa: F401 (fixture)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HOME, ATTACKER = "192.0.2.10", "203.0.113.66"
FAILURE = "Wrong email or password, or too many attempts. Try again, or wait 15 minutes."

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


@pytest.fixture
def clock():
    """The controlled clock of a test: starts at T0, moved with `clock.shift(timedelta)`."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def sign_in(engine, email, password, source=HOME):
    with unit_of_work(engine) as session:
        return auth.authenticate(session, email=email, password=password, source=source)


def stored(engine, user_id) -> User:
    with unit_of_work(engine) as session:
        return session.scalar(select(User).where(User.id == user_id))


def failures_of(engine, email, source) -> SignInFailure | None:
    with unit_of_work(engine) as session:
        return session.scalar(select(SignInFailure).where(SignInFailure.email == email, SignInFailure.source == source))


def fail(engine, times, source=ATTACKER, email="fiona@example.com"):
    for _attempt in range(times):
        assert not sign_in(engine, email, "a wrong guess", source).ok


def test_the_right_password_signs_in_and_records_the_time(engine, account, clock):
    result = sign_in(engine, "fiona@example.com", PASSWORD)
    assert result.ok
    assert result.user == auth.SignedInUser(id=account, email="fiona@example.com", role="finance", name="Fiona Nance")
    assert result.user.as_session() == {
        "id": account,
        "email": "fiona@example.com",
        "role": "finance",
        "name": "Fiona Nance",
        "event_ids": None,
    }
    assert auth.as_utc(stored(engine, account).last_login_at) == T0
    assert failures_of(engine, "fiona@example.com", HOME) is None  # nothing left behind by a success


def test_the_email_is_matched_whatever_its_case_and_spaces(engine, account):
    assert sign_in(engine, "  FIONA@example.COM ", PASSWORD).ok


@pytest.mark.parametrize(
    "email,password",
    [
        ("fiona@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("fiona@example.com", ""),
        ("", ""),
        ("fiona@example.com", PASSWORD + "x" * 2000),  # longer than any password ever accepted
    ],
)
def test_every_failure_gets_the_same_neutral_message(engine, account, email, password):
    result = sign_in(engine, email, password)
    assert not result.ok and result.user is None
    assert result.message == FAILURE


def test_a_deactivated_account_cannot_sign_in_and_reads_like_a_wrong_password(engine, account):
    with unit_of_work(engine) as session:
        session.get(User, account).active = False
    result = sign_in(engine, "fiona@example.com", PASSWORD)
    assert not result.ok
    assert result.message == FAILURE


def test_five_failures_make_that_address_wait_a_minute_doubling_up_to_fifteen(engine, account, clock):
    fail(engine, auth.FREE_ATTEMPTS - 1)
    assert failures_of(engine, "fiona@example.com", ATTACKER).locked_until is None

    waits = []
    for _round in range(7):
        fail(engine, 1)
        wait = auth.as_utc(failures_of(engine, "fiona@example.com", ATTACKER).locked_until) - datetime.now(UTC)
        waits.append(wait)
        clock.shift(wait)  # the end of the wait, exactly: the next try counts again
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15, 15)]


def test_during_the_wait_even_the_right_password_is_refused_from_that_address(engine, account, clock):
    fail(engine, auth.FREE_ATTEMPTS, source=HOME)
    clock.shift(timedelta(seconds=59))
    during = sign_in(engine, "fiona@example.com", PASSWORD, HOME)
    assert not during.ok and during.message == FAILURE
    clock.shift(timedelta(seconds=1))
    assert sign_in(engine, "fiona@example.com", PASSWORD, HOME).ok
    assert failures_of(engine, "fiona@example.com", HOME) is None  # the success clears the count


def test_tries_during_a_wait_do_not_stretch_it(engine, account, clock):
    fail(engine, auth.FREE_ATTEMPTS)
    locked_until = failures_of(engine, "fiona@example.com", ATTACKER).locked_until
    for _second in range(30):
        clock.shift(timedelta(seconds=1))
        fail(engine, 1)
    row = failures_of(engine, "fiona@example.com", ATTACKER)
    assert row.locked_until == locked_until and row.failures == auth.FREE_ATTEMPTS


def test_a_guesser_elsewhere_never_locks_the_owner_out(engine, account, clock):
    for _hour in range(24):
        fail(engine, 20, source=ATTACKER)
        clock.shift(timedelta(hours=1))
    assert failures_of(engine, "fiona@example.com", ATTACKER).locked_until is not None
    assert sign_in(engine, "fiona@example.com", PASSWORD, HOME).ok


def test_an_unknown_email_is_counted_like_a_known_one(engine, account, clock):
    fail(engine, auth.FREE_ATTEMPTS, email="nobody@example.com")
    fail(engine, auth.FREE_ATTEMPTS, email="fiona@example.com")
    unknown = failures_of(engine, "nobody@example.com", ATTACKER)
    known = failures_of(engine, "fiona@example.com", ATTACKER)
    assert (unknown.failures, unknown.locked_until) == (known.failures, known.locked_until)


def test_a_quiet_day_forgets_earlier_failures(engine, account, clock):
    fail(engine, auth.FREE_ATTEMPTS - 1)
    clock.shift(auth.FAILURES_FORGOTTEN_AFTER + timedelta(seconds=1))
    fail(engine, 1)
    row = failures_of(engine, "fiona@example.com", ATTACKER)
    assert row.failures == 1 and row.locked_until is None


def test_counters_of_a_quiet_day_are_deleted_at_the_next_attempt(engine, account, clock):
    fail(engine, 3, email="made-up@example.com")
    clock.shift(auth.FAILURES_FORGOTTEN_AFTER + timedelta(seconds=1))
    fail(engine, 1, email="fiona@example.com")
    assert failures_of(engine, "made-up@example.com", ATTACKER) is None
    assert failures_of(engine, "fiona@example.com", ATTACKER).failures == 1


def test_a_browser_without_an_address_counts_as_the_local_source(engine, account):
    with unit_of_work(engine) as session:
        auth.authenticate(session, email="fiona@example.com", password="guess", source=None)
    assert failures_of(engine, "fiona@example.com", "local").failures == 1


def test_the_password_is_stored_as_an_argon2id_hash(engine, account):
    password_hash = stored(engine, account).password_hash
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash


def test_an_identity_proven_elsewhere_maps_to_the_active_account(engine, account):
    with unit_of_work(engine) as session:
        assert auth.user_for_email(session, "FIONA@example.com").role == "finance"
        assert auth.user_for_email(session, "nobody@example.com") is None
