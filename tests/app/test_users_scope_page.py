"""Issue 17: the Users page shows each account's events and lets the administrator change them
(all events, or a list), after a summary to confirm; refusals in the user's language."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from orders_core.db import unit_of_work
from orders_core.i18n import set_locale
from orders_core.services.users import user_scope
from tests.accounts import add_account, cheap_password_hashing  # noqa: F401 (fixture)
from tests.app.conftest import open_page
from tests.factories import make_event

PASSWORD = "a long enough password"

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def people(engine, db_url, monkeypatch):
    set_locale("en")
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.delenv("ORDERS_LOCALE", raising=False)
    with unit_of_work(engine) as session:
        montreal, zurich = make_event(session, name="Montréal festival"), make_event(session, name="Zürich summit")
        session.flush()
        events = {"montreal": montreal.id, "zurich": zurich.id}
    return {
        "ada": add_account(engine, "ada@example.com", "admin", PASSWORD, name="Ada"),
        "eve": add_account(engine, "eve@example.com", "event_manager", PASSWORD, name="Eve"),
        **events,
    }


def users_page() -> AppTest:
    return open_page("pages/users.py", {"email": "ada@example.com", "role": "admin", "name": "Ada"})


def scope_of(engine, user_id):
    with unit_of_work(engine) as session:
        return user_scope(session, user_id)


def test_an_admin_limits_a_user_to_one_event_after_a_summary(people, engine):
    at = users_page()
    assert not at.exception
    assert list(at.dataframe[0].value["events"]) == ["All events", "All events"]

    eve = people["eve"]
    at.selectbox(key="users.account").set_value(eve).run()
    at.toggle(key=f"users.scope_{eve}_all").set_value(False).run()
    at.multiselect(key=f"users.scope_{eve}_events").set_value([people["montreal"]]).run()
    at.button(key="users.scope").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "eve@example.com will see: Montréal festival (now: All events). "
        "Their open sessions follow at their next action."
    ]
    assert scope_of(engine, eve) is None  # nothing saved before the confirmation

    at.button(key="users.scope_confirm").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["eve@example.com now sees: Montréal festival."]
    assert scope_of(engine, eve) == (people["montreal"],)
    assert list(at.dataframe[0].value["events"]) == ["All events", "Montréal festival"]

    # and back to every event; cancelling the summary changes nothing
    at.selectbox(key="users.account").set_value(eve).run()
    at.toggle(key=f"users.scope_{eve}_all").set_value(True).run()
    at.button(key="users.scope").click().run()
    at.button(key="users.scope_cancel").click().run()
    assert scope_of(engine, eve) == (people["montreal"],)
    at.toggle(key=f"users.scope_{eve}_all").set_value(True).run()
    at.button(key="users.scope").click().run()
    at.button(key="users.scope_confirm").click().run()
    assert scope_of(engine, eve) is None


def test_a_new_user_with_events_and_a_refusal_in_french(people, engine, monkeypatch):
    at = users_page()
    at.text_input(key="users.add_email").input("zed@example.com")
    at.toggle(key="users.add_all").set_value(False)
    at.multiselect(key="users.add_events").set_value([people["zurich"]])
    at.button(key="FormSubmitter:users.add-Add the user").click().run()
    assert not at.exception
    assert "Zürich summit" in list(at.dataframe[0].value["events"])

    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    set_locale("fr")  # the test formats the page's widgets (roles' labels) in the page's language
    at = users_page()
    ada = people["ada"]
    at.selectbox(key="users.account").set_value(ada).run()
    at.toggle(key=f"users.scope_{ada}_all").set_value(False).run()
    at.multiselect(key=f"users.scope_{ada}_events").set_value([people["zurich"]]).run()
    at.button(key="users.scope").click().run()
    at.button(key="users.scope_confirm").click().run()
    assert [e.value for e in at.error] == [
        "Vous ne pouvez pas modifier vos propres événements : demandez-le à un autre administrateur."
    ]
    assert scope_of(engine, ada) is None
    set_locale("en")
