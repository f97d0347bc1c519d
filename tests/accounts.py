"""Accounts for tests: fast argon2id parameters, and users added the way the CLI adds them.

argon2-cffi's defaults (64 MiB, 3 passes) are right for the app and cost about a second a hash on
a busy test machine; tests use argon2's cheapest profile of the same algorithm instead."""

from __future__ import annotations

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
