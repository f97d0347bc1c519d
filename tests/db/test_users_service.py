"""Administrators manage accounts; nobody else may, and the app never loses its last admin."""

from __future__ import annotations

import pytest

from orders_core import auth
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.models import User
from orders_core.passwords import MIN_PASSWORD_LENGTH
from orders_core.permissions import SYSTEM_ACTOR, Actor
from orders_core.services import users
from tests.accounts import cheap_password_hashing  # noqa: F401 (fixture)

ADMIN = Actor("ada@example.com", "admin")
PASSWORD = "a long enough password"

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def ids(engine):
    with unit_of_work(engine) as session:
        ada = users.add_user(session, actor=SYSTEM_ACTOR, email="ada@example.com", role="admin", password=PASSWORD)
        fin = users.add_user(
            session, actor=ADMIN, email="fin@example.com", role="finance", password=PASSWORD, full_name=" Fiona "
        )
        return {"ada": ada.id, "fin": fin.id}


def run(engine, service, **kwargs):
    with unit_of_work(engine) as session:
        return service(session, **kwargs)


def row(engine, user_id) -> User:
    with unit_of_work(engine) as session:
        return session.get(User, user_id)


def test_an_admin_adds_a_user_who_can_then_sign_in(engine, ids):
    run(engine, users.add_user, actor=ADMIN, email=" New@Example.com", role="marketer", password=PASSWORD)
    listed = run(engine, users.list_users, actor=ADMIN)
    assert [(u.email, u.role, u.active) for u in listed] == [
        ("ada@example.com", "admin", True),
        ("fin@example.com", "finance", True),
        ("new@example.com", "marketer", True),
    ]
    assert listed[1].full_name == "Fiona"
    with unit_of_work(engine) as session:
        assert auth.authenticate(session, email="new@example.com", password=PASSWORD).ok


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(email="not-an-email", role="finance", password=PASSWORD), "'not-an-email' is not a valid email address."),
        (
            dict(email="x@example.com", role="boss", password=PASSWORD),
            "Unknown role 'boss'; choose one of: Administrator, Event manager, Finance, Marketer.",
        ),
        (
            dict(email="x@example.com", role="finance", password="short"),
            "The password must have at least 10 characters.",
        ),
        (
            dict(email="x@example.com", role="finance", password="1234567890"),
            "This password is one of the passwords attackers try first. Choose another one.",
        ),
        (
            dict(email="xavier.long@example.com", role="finance", password="Xavier.Long@example.com"),
            "The password must not contain the account's email address or name.",
        ),
        (
            dict(email="FIN@example.com", role="finance", password=PASSWORD),
            "A user with the email fin@example.com already exists.",
        ),
    ],
)
def test_adding_a_user_checks_email_role_password_and_uniqueness(engine, ids, kwargs, message):
    with pytest.raises(InvalidInput) as refused:
        run(engine, users.add_user, actor=ADMIN, **kwargs)
    assert refused.value.message == message


@pytest.mark.parametrize("role", ["event_manager", "finance", "marketer"])
def test_only_administrators_manage_users(engine, ids, role):
    someone = Actor(f"{role}@example.com", role)
    for service, kwargs in [
        (users.add_user, dict(email="x@example.com", role="admin", password=PASSWORD)),
        (users.change_role, dict(user_id=ids["fin"], role="admin")),
        (users.deactivate_user, dict(user_id=ids["ada"])),
        (users.reactivate_user, dict(user_id=ids["fin"])),
        (users.reset_password, dict(user_id=ids["ada"])),
        (users.list_users, {}),
    ]:
        with pytest.raises(NotAllowed):
            run(engine, service, actor=someone, **kwargs)
    assert row(engine, ids["fin"]).role == "finance"


def test_an_admin_changes_a_role(engine, ids):
    run(engine, users.change_role, actor=ADMIN, user_id=ids["fin"], role="event_manager")
    assert row(engine, ids["fin"]).role == "event_manager"


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(engine, ids):
    with pytest.raises(InvalidInput) as refused:
        run(engine, users.change_role, actor=ADMIN, user_id=ids["ada"], role="finance")
    assert refused.value.message == (
        "ada@example.com is the last active administrator: make someone else an administrator first."
    )
    other_admin = Actor("root@example.com", "admin")
    with pytest.raises(InvalidInput) as refused:
        run(engine, users.deactivate_user, actor=other_admin, user_id=ids["ada"])
    assert refused.value.message == "ada@example.com is the last active administrator and cannot be deactivated."
    assert row(engine, ids["ada"]).role == "admin" and row(engine, ids["ada"]).active


def test_with_a_second_admin_the_first_may_step_down(engine, ids):
    run(engine, users.change_role, actor=ADMIN, user_id=ids["fin"], role="admin")
    run(engine, users.change_role, actor=ADMIN, user_id=ids["ada"], role="finance")
    assert row(engine, ids["ada"]).role == "finance"


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(engine, ids):
    run(engine, users.change_role, actor=ADMIN, user_id=ids["fin"], role="admin")
    run(engine, users.deactivate_user, actor=ADMIN, user_id=ids["fin"])
    with pytest.raises(InvalidInput):
        run(engine, users.change_role, actor=ADMIN, user_id=ids["ada"], role="marketer")


def test_nobody_deactivates_their_own_account(engine, ids):
    run(engine, users.change_role, actor=ADMIN, user_id=ids["fin"], role="admin")
    with pytest.raises(InvalidInput) as refused:
        run(engine, users.deactivate_user, actor=ADMIN, user_id=ids["ada"])
    assert refused.value.message == "You cannot deactivate your own account."


def test_a_deactivated_user_cannot_sign_in_until_reactivated(engine, ids):
    run(engine, users.deactivate_user, actor=ADMIN, user_id=ids["fin"])
    with unit_of_work(engine) as session:
        assert not auth.authenticate(session, email="fin@example.com", password=PASSWORD).ok
    run(engine, users.reactivate_user, actor=ADMIN, user_id=ids["fin"])
    with unit_of_work(engine) as session:
        assert auth.authenticate(session, email="fin@example.com", password=PASSWORD).ok


def test_a_password_reset_generates_a_new_password_and_lifts_every_wait(engine, ids):
    for source in ("203.0.113.7", "198.51.100.9"):
        for _attempt in range(auth.FREE_ATTEMPTS):
            with unit_of_work(engine) as session:
                auth.authenticate(session, email="fin@example.com", password="guess", source=source)
    listed = {u.email: u for u in run(engine, users.list_users, actor=ADMIN)}
    assert listed["fin@example.com"].locked and listed["fin@example.com"].locked_until is not None
    assert not listed["ada@example.com"].locked

    new_password = run(engine, users.reset_password, actor=ADMIN, user_id=ids["fin"])
    assert len(new_password) >= MIN_PASSWORD_LENGTH and new_password != PASSWORD
    listed = {u.email: u for u in run(engine, users.list_users, actor=ADMIN)}
    assert not listed["fin@example.com"].locked and listed["fin@example.com"].locked_until is None
    with unit_of_work(engine) as session:
        assert not auth.authenticate(session, email="fin@example.com", password=PASSWORD, source="203.0.113.7").ok
        assert auth.authenticate(session, email="fin@example.com", password=new_password, source="203.0.113.7").ok


def test_a_chosen_reset_password_must_be_long_enough(engine, ids):
    with pytest.raises(InvalidInput):
        run(engine, users.reset_password, actor=ADMIN, user_id=ids["fin"], password="short")


def test_an_unknown_account_is_a_readable_refusal(engine, ids):
    with pytest.raises(InvalidInput) as refused:
        run(engine, users.change_role, actor=ADMIN, user_id=999, role="finance")
    assert refused.value.message == "No user with the id 999."
