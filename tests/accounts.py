"""Accounts for tests: fast argon2id parameters, and users added the way the CLI adds them.

argon2-cffi's defaults (64 MiB, 3 passes) are right for the app and cost about a second a hash on
a busy test machine; tests use argon2's cheapest profile of the same algorithm instead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher, profiles

from orders_core import auth, passwords
from orders_core.db import unit_of_work
from orders_core.permissions import SYSTEM_ACTOR


@pytest.fixture
def cheap_password_hashing(monkeypatch):
    """Use in a module with `pytestmark = pytest.mark.usefixtures("cheap_password_hashing")`."""
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY_HASH", hasher.hash("not a password of anyone"))


def add_account(engine, email: str, role: str, password: str, name: str = "") -> int:
    """Create an account as `orders users add` does; returns its id."""
    from orders_core.services.users import add_user

    with unit_of_work(engine) as session:
        return add_user(session, actor=SYSTEM_ACTOR, email=email, role=role, password=password, full_name=name).id


def sign_in_as(at, user: dict):
    """Sign an AppTest in as `user` ({"email", "role", "name"}) the way a browser is: a real
    server-side session whose token sits where the session cookie puts it, and the user the
    router puts in the session after checking it (for tests that run a page file directly). The
    account is created (with no usable password) when the database of `ORDERS_DATABASE_URL`
    does not have it."""
    from sqlalchemy import func, select

    from orders_core import db, sessions
    from orders_core.auth import SignedInUser
    from orders_core.models import User
    from ui.session import TOKEN_KEY, USER_KEY

    engine = db.get_engine(db.database_url())
    with unit_of_work(engine) as session:
        account = session.scalar(select(User).where(func.lower(User.email) == user["email"].lower()))
        if account is None:
            account = User(
                email=user["email"].lower(),
                role=user["role"],
                full_name=user.get("name", ""),
                password_hash="!",  # not an argon2 hash: nobody can sign in with it
                active=True,
                created_at=datetime.now(UTC),
            )
            session.add(account)
            session.flush()
        account.role = user["role"]
        token = sessions.start_session(session, user_id=account.id).token
        signed_in = SignedInUser.from_row(account).as_session()
    at.session_state[TOKEN_KEY] = token
    at.session_state[USER_KEY] = signed_in
    return at
