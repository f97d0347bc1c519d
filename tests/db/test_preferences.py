"""A user's own time zone (orders_core.services.preferences), kept with the account, on both
databases; a name that is not a time zone is refused and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput
from orders_core.models import User
from orders_core.permissions import SYSTEM_ACTOR, Actor
from orders_core.services.preferences import set_timezone
from orders_core.services.users import add_user, deactivate_user
from queries.preferences import user_timezone


@pytest.fixture
def account(engine) -> int:
    with unit_of_work(engine) as session:
        return add_user(
            session, actor=SYSTEM_ACTOR, email="fin@example.org", role="finance", password="a long enough password"
        ).id


def test_a_user_keeps_the_time_zone_they_pick(engine, account):
    assert user_timezone(engine, account) is None  # until chosen: the browser's, else Europe/Paris
    with unit_of_work(engine) as session:
        assert set_timezone(session, actor=Actor("fin@example.org", "finance"), timezone=" America/Montreal ") == (
            "America/Montreal"
        )
    assert user_timezone(engine, account) == "America/Montreal"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "CET; DROP TABLE users", "x" * 500])
def test_a_name_that_is_not_a_time_zone_is_refused(engine, account, zone):
    with pytest.raises(InvalidInput, match="is not a time zone"), unit_of_work(engine) as session:
        set_timezone(session, actor=Actor("fin@example.org", "finance"), timezone=zone)
    assert user_timezone(engine, account) is None


def test_a_deactivated_account_keeps_no_preference(engine, account):
    with unit_of_work(engine) as session:
        add_user(session, actor=SYSTEM_ACTOR, email="boss@example.org", role="admin", password="another long password")
        deactivate_user(session, actor=Actor("boss@example.org", "admin"), user_id=account)
    with pytest.raises(InvalidInput, match="deactivated"), unit_of_work(engine) as session:
        set_timezone(session, actor=Actor("fin@example.org", "finance"), timezone="UTC")
    with engine.connect() as conn:
        assert conn.execute(select(User.timezone).where(User.id == account)).scalar() is None
