"""The Users page (administrators) through AppTest: the list, adding an account, changing a role,
resetting a password (shown once), deactivating after a confirmation."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core import auth
from orders_core.db import unit_of_work
from orders_core.models import User
from tests.accounts import add_account, cheap_password_hashing  # noqa: F401 (fixture)
from tests.app.conftest import open_page

PASSWORD = "a long enough password"

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def people(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.delenv("ORDERS_LOCALE", raising=False)
    return {
        "ada": add_account(engine, "ada@example.com", "admin", PASSWORD, name="Ada"),
        "fin": add_account(engine, "fin@example.com", "finance", PASSWORD, name="Fiona"),
    }


def users_page(people) -> AppTest:
    return open_page("pages/users.py", {"email": "ada@example.com", "role": "admin", "name": "Ada"})


def stored(engine, email) -> User:
    with unit_of_work(engine) as session:
        return session.scalar(select(User).where(User.email == email))


def test_the_page_lists_every_account_with_its_role_and_status(people):
    at = users_page(people)
    assert not at.exception
    assert [title.value for title in at.title] == ["Users"]
    table = at.dataframe[0].value
    assert list(table["email"]) == ["ada@example.com", "fin@example.com"]
    assert list(table["role"]) == ["Administrator", "Finance"]
    assert list(table["status"]) == ["Active", "Active"]


def test_an_admin_adds_a_user_with_a_generated_password_shown_once(people, engine):
    at = users_page(people)
    at.text_input(key="users.add_email").input("mark@example.com")
    at.text_input(key="users.add_name").input("Mark")
    at.selectbox(key="users.add_role").set_value("marketer")
    at.button(key="FormSubmitter:users.add-Add the user").click().run()
    assert not at.exception
    assert [success.value for success in at.success][:2] == [
        "mark@example.com can now sign in as Marketer.",
        "New password of mark@example.com, shown only this once: give it to them privately.",
    ]
    password = at.code[0].value
    with unit_of_work(engine) as session:
        assert auth.authenticate(session, email="mark@example.com", password=password).ok
    at.run()
    assert not at.code  # shown once only
    assert "mark@example.com" in list(at.dataframe[0].value["email"])


def test_a_refused_account_shows_the_reason(people):
    at = users_page(people)
    at.text_input(key="users.add_email").input("fin@example.com")
    at.button(key="FormSubmitter:users.add-Add the user").click().run()
    assert [error.value for error in at.error] == ["A user with the email fin@example.com already exists."]


def test_an_admin_changes_a_role(people, engine):
    at = users_page(people)
    at.selectbox(key="users.account").set_value(people["fin"]).run()
    at.selectbox(key=f"users.role_{people['fin']}").set_value("event_manager").run()
    at.button(key="users.change_role").click().run()
    assert not at.exception
    assert [success.value for success in at.success] == ["fin@example.com is now Event manager."]
    assert stored(engine, "fin@example.com").role == "event_manager"


def test_a_password_reset_shows_the_new_password_once(people, engine):
    at = users_page(people)
    at.selectbox(key="users.account").set_value(people["fin"]).run()
    at.button(key="users.reset_password").click().run()
    password = at.code[0].value
    with unit_of_work(engine) as session:
        assert auth.authenticate(session, email="fin@example.com", password=password).ok
        assert not auth.authenticate(session, email="fin@example.com", password=PASSWORD).ok


def test_deactivation_asks_for_confirmation_first(people, engine):
    at = users_page(people)
    at.selectbox(key="users.account").set_value(people["fin"]).run()
    at.button(key="users.deactivate").click().run()
    assert [warning.value for warning in at.warning] == [
        "Deactivate fin@example.com? They are signed out at their next action and can no longer sign in. "
        "The account and its history are kept."
    ]
    assert stored(engine, "fin@example.com").active

    at.button(key="users.deactivate_confirm").click().run()
    assert not at.exception
    assert [success.value for success in at.success] == ["fin@example.com is deactivated."]
    assert not stored(engine, "fin@example.com").active
    assert list(at.dataframe[0].value["status"]) == ["Active", "Deactivated"]


def test_an_admin_cannot_deactivate_themselves(people, engine):
    at = users_page(people)
    at.selectbox(key="users.account").set_value(people["ada"]).run()
    at.button(key="users.deactivate").click().run()
    at.button(key="users.deactivate_confirm").click().run()
    assert [error.value for error in at.error] == ["You cannot deactivate your own account."]
    assert stored(engine, "ada@example.com").active
