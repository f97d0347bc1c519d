"""The app shell through AppTest, from the router (app.py): sign-in and sign-out, the waits after
failures, sessions checked on every rerun, the pages each role sees, the language switch changing
labels and money formats. (The cookie itself is set by a route: tests/browser/test_sessions_browser.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core import auth, db, sessions
from orders_core.db import unit_of_work
from orders_core.models import SignInFailure, SignInTicket, User
from orders_core.permissions import Actor
from orders_core.services.users import deactivate_user
from tests.accounts import add_account, cheap_password_hashing  # noqa: F401 (fixture)
from tests.factories import make_event, make_order, make_tariff
from ui.registry import PAGES, pages_for, sections_for
from ui.session import TOKEN_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORD = "a long enough password"
NNBSP, NBSP = "\u202f", "\u00a0"
FAILURE = "Wrong email or password, or too many attempts. Try again, or wait 15 minutes."

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def accounts(engine, db_url, monkeypatch):
    """One account per role, and one paid order of 1,234.50 EUR for the overview."""
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.delenv("ORDERS_LOCALE", raising=False)
    ids = {
        role: add_account(engine, f"{role}@example.com", role, PASSWORD, name=f"{role.title()} User")
        for role in ("admin", "event_manager", "finance", "marketer")
    }
    with unit_of_work(engine) as session:
        event = make_event(session, currency="EUR")
        tariff = make_tariff(session, event, unit_price_ht=Decimal("1234.50"), tax_rate=Decimal("0"))
        make_order(session, event, [(tariff, 1)], status="paid")
    return ids


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="sign_in.email").input(email)
    at.text_input(key="sign_in.password").input(password)
    [submit] = [button for button in at.button if button.proto.is_form_submitter]
    return submit.click().run()


def signed_in_as(role: str, accounts_ids: dict) -> AppTest:
    """A browser session that arrives with the session cookie of `role`'s account."""
    at = app()
    with unit_of_work(db.get_engine(db.database_url())) as session:
        at.session_state[TOKEN_KEY] = sessions.start_session(session, user_id=accounts_ids[role]).token
    return at.run()


def registered_titles(at: AppTest) -> list[str]:
    """The titles of every page st.navigation registered in the last run, hidden ones included."""
    return [info["page_name"] for info in at._registered_pages.values()]


def navigation_titles(at: AppTest) -> list[str]:
    """The page titles the sidebar lists: the pages with a file. The hidden stand-ins at the
    addresses of other roles' pages ("not available to your role") are functions, not files."""
    return [info["page_name"] for info in at._registered_pages.values() if info["script_path"]]


def unavailable_addresses(at: AppTest) -> set[str]:
    """The addresses registered as hidden stand-ins (no page file runs there)."""
    return {info["url_pathname"] for info in at._registered_pages.values() if not info["script_path"]}


def test_a_signed_out_visitor_meets_only_the_sign_in_form(accounts):
    at = app().run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Sign in"]
    assert [field.label for field in at.text_input] == ["Email", "Password"]
    assert set(registered_titles(at)) == {"Sign in"}
    assert navigation_titles(at) == []  # no page file is reachable signed out
    assert "auth.user" not in at.session_state


def test_the_right_password_hands_the_browser_a_one_time_ticket(accounts, engine):
    at = sign_in(app().run(), "Finance@example.com", PASSWORD)
    assert not at.exception and not at.error
    assert [info.value for info in at.info] == ["Signing you in…"]
    with unit_of_work(engine) as session:
        [ticket] = session.scalars(select(SignInTicket)).all()
        assert ticket.user_id == accounts["finance"] and ticket.used_at is None
    assert at.session_state.get("sign_in.password") in (None, "")  # the password is not kept


def test_a_session_lands_on_the_overview_with_the_user_in_the_sidebar(accounts):
    at = signed_in_as("finance", accounts)
    assert not at.exception
    assert at.session_state["auth.user"] == {
        "id": accounts["finance"],
        "email": "finance@example.com",
        "role": "finance",
        "name": "Finance User",
        "event_ids": None,
    }
    assert [title.value for title in at.title] == ["Overview"]
    assert [markdown.value for markdown in at.sidebar.markdown] == ["**Finance User**"]
    assert [caption.value for caption in at.sidebar.caption] == ["Finance · finance@example.com"]


def test_a_wrong_password_gets_the_neutral_message_and_no_ticket(accounts, engine):
    at = sign_in(app().run(), "finance@example.com", "not the password")
    assert [error.value for error in at.error] == [FAILURE]
    assert "auth.user" not in at.session_state
    unknown = sign_in(app().run(), "nobody@example.com", PASSWORD)
    assert [error.value for error in unknown.error] == [FAILURE]
    with unit_of_work(engine) as session:
        assert session.scalars(select(SignInTicket)).all() == []


def test_five_failures_make_the_browser_wait_even_for_the_right_password(accounts, engine):
    at = app().run()
    for _attempt in range(auth.FREE_ATTEMPTS):
        at = sign_in(at, "marketer@example.com", "guess")
        assert [error.value for error in at.error] == [FAILURE]
    at = sign_in(at, "marketer@example.com", PASSWORD)
    assert [error.value for error in at.error] == [FAILURE]
    with unit_of_work(engine) as session:
        [failure] = session.scalars(select(SignInFailure)).all()
        assert (failure.email, failure.source, failure.failures) == ("marketer@example.com", "local", 5)
        assert failure.locked_until is not None


def test_signing_out_ends_the_session_and_clears_the_browser_session_but_keeps_the_language(accounts, engine):
    at = signed_in_as("admin", accounts)
    token = at.session_state[TOKEN_KEY]
    at.session_state["orders.filters"] = "anything a page kept"
    at.sidebar.segmented_control(key="shell.language").set_value("fr").run()
    at.sidebar.button(key="shell.sign_out").click().run()
    assert not at.exception
    assert "auth.user" not in at.session_state and TOKEN_KEY not in at.session_state
    assert "orders.filters" not in at.session_state
    assert at.session_state["ui.locale"] == "fr"
    assert sessions.resume(engine, token) is None


def test_a_session_signed_out_in_another_tab_ends_here_at_the_next_action(accounts, engine):
    at = signed_in_as("finance", accounts)
    with unit_of_work(engine) as session:
        sessions.sign_out(session, token=at.session_state[TOKEN_KEY])
    at.run()
    assert "auth.user" not in at.session_state
    assert [title.value for title in at.title] == ["Sign in"]


def test_an_idle_session_ends_after_eight_hours(accounts):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        at = signed_in_as("finance", accounts)
        clock.shift(timedelta(hours=7, minutes=59))
        at.run()
        assert [title.value for title in at.title] == ["Overview"]
        clock.shift(timedelta(hours=8))
        at.run()
        assert [title.value for title in at.title] == ["Sign in"]
        assert "auth.user" not in at.session_state


ORDERS = {"Overview", "Orders", "Order", "Account security"}  # every role manages its own sign-in
PAGES_OF_THE_ISSUE = {
    "admin": ORDERS
    | {
        "Users",
        "Attendees",
        "Pending invoice orders",
        "Invoices",
        "Bank reconciliation",
        "New order",
        "Form fields",
        "Emails",
        "Email templates",
        "Seller settings",
        "Sales dashboard",
        "Finance dashboard",
        "Marketing dashboard",
        "Events",
        "Tariffs",
        "Discount codes",
        "Audit",
    },
    "event_manager": ORDERS
    | {"Attendees", "Invoices", "New order", "Sales dashboard", "Events", "Tariffs", "Discount codes"},
    "finance": ORDERS | {"Attendees", "Pending invoice orders", "Invoices", "Bank reconciliation", "Finance dashboard"},
    "marketer": ORDERS | {"Marketing dashboard"},
}


@pytest.mark.parametrize("role", sorted(PAGES_OF_THE_ISSUE))
def test_each_role_sees_exactly_its_pages(accounts, role):
    at = signed_in_as(role, accounts)
    assert not at.exception
    titles = navigation_titles(at)
    assert titles == [spec.title for specs in sections_for(role).values() for spec in specs]
    assert sorted(titles) == sorted(spec.title for spec in pages_for(role))
    assert set(titles) == PAGES_OF_THE_ISSUE[role]
    # every other page keeps its address, as a stand-in that says the role may not see it
    assert unavailable_addresses(at) == {spec.url_path for spec in PAGES} - {spec.url_path for spec in pages_for(role)}


def test_a_page_of_another_role_is_not_reachable(accounts):
    at = signed_in_as("marketer", accounts)
    with pytest.raises(ValueError):
        at.switch_page("pages/users.py")


def test_the_language_switch_changes_labels_navigation_and_money(accounts):
    at = signed_in_as("admin", accounts)
    assert [metric.label for metric in at.metric][0] == "Revenue (paid, incl. tax)"
    assert [metric.value for metric in at.metric][0] == "€1,234.50"

    at.sidebar.segmented_control(key="shell.language").set_value("fr").run()
    assert not at.exception
    assert at.session_state["ui.locale"] == "fr"
    assert [title.value for title in at.title] == ["Vue d'ensemble"]
    assert [metric.label for metric in at.metric][0] == "Chiffre d'affaires (payé, TTC)"
    assert [metric.value for metric in at.metric][0] == f"1{NNBSP}234,50{NBSP}€"
    assert {"Vue d'ensemble", "Utilisateurs"} <= set(navigation_titles(at))
    assert "Overview" not in navigation_titles(at)
    assert [caption.value for caption in at.sidebar.caption] == ["Administrateur · admin@example.com"]

    at.run()  # the choice sticks for the session
    assert [title.value for title in at.title] == ["Vue d'ensemble"]
    at.sidebar.segmented_control(key="shell.language").set_value("en").run()
    assert [title.value for title in at.title] == ["Overview"]


def test_the_default_language_comes_from_orders_locale(accounts, monkeypatch):
    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    at = app().run()
    assert [title.value for title in at.title] == ["Se connecter"]
    assert [field.label for field in at.text_input] == ["E-mail", "Mot de passe"]
    failed = sign_in(at, "admin@example.com", "guess")
    assert [error.value for error in failed.error] == [
        "E-mail ou mot de passe incorrect, ou trop de tentatives. Réessayez, ou attendez 15 minutes."
    ]


def test_a_deactivated_account_is_signed_out_at_its_next_action(accounts, engine):
    at = signed_in_as("finance", accounts)
    assert [title.value for title in at.title] == ["Overview"]
    with unit_of_work(engine) as session:
        deactivate_user(session, actor=Actor("admin@example.com", "admin"), user_id=accounts["finance"])
    at.run()
    assert "auth.user" not in at.session_state
    assert [title.value for title in at.title] == ["Sign in"]


def test_a_role_changed_by_an_admin_takes_effect_at_the_next_action(accounts, engine):
    at = signed_in_as("finance", accounts)
    with unit_of_work(engine) as session:
        session.get(User, accounts["finance"]).role = "admin"
    at.run()
    assert at.session_state["auth.user"]["role"] == "admin"
    assert "Users" in navigation_titles(at)


def test_the_sidebar_names_the_events_of_a_user_scoped_to_some(accounts, engine):
    from orders_core.services.users import set_event_scope

    with unit_of_work(engine) as session:
        montreal = make_event(session, name="Festival Lumière Montréal").id
        make_event(session, name="Swiss Data Summit Zürich")
        set_event_scope(
            session, actor=Actor("admin@example.com", "admin"), user_id=accounts["event_manager"], event_ids=[montreal]
        )
    captions = [c.value for c in signed_in_as("event_manager", accounts).sidebar.caption]
    assert "Your events: Festival Lumière Montréal" in captions
    assert not any(c.value.startswith("Your events") for c in signed_in_as("finance", accounts).sidebar.caption)
