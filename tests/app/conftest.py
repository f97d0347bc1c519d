"""Shared by every AppTest: pages run on SQLite (services and queries are tested on both
databases elsewhere), and Streamlit's caches start empty for each test (they outlive an AppTest
within one pytest process).

Pages run the way a browser gets them: through app.py's router, signed in (`open_page`) with a
real server-side session whose token sits where the session cookie puts it (AppTest cannot send
cookies). A page file run on its own reruns through the router and never draws (issue 13, item 0)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from orders_core import sessions
from orders_core.db import get_engine, unit_of_work
from orders_core.models import User
from tests.accounts import add_account
from tests.accounts import cheap_password_hashing as cheap_password_hashing  # the fixture, made autouse below
from ui.session import TOKEN_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture(autouse=True)
def _cheap_hashing(cheap_password_hashing):
    """Accounts made for a page test hash their password with argon2's cheapest profile."""


@pytest.fixture(autouse=True)
def served_like_a_running_server(monkeypatch):
    """AppTest resets Streamlit's pages/-folder mode before every run, as if each run were a new
    process: each run would then start with the page file run directly, which reruns through the
    router (ui/guard.py) and loses the click that started the run. A running server leaves that
    mode for good at its first session; AppTest does the same here. (The mode itself is tested in
    Chromium on a fresh server: tests/browser/test_sign_in.py.)"""

    class RouterOnlyPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            PagesManager.uses_pages_directory = False
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(app_test, "PagesManager", RouterOnlyPagesManager)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def signed_in_account(user: dict) -> dict:
    """`user` ({email, role, name}) as a real account of the configured database, created when
    missing: the router re-reads the signed-in user on every run and signs out an unknown one."""
    engine = get_engine()
    with unit_of_work(engine) as session:
        account = session.scalar(select(User).where(User.email == user["email"]))
    if account is None:
        add_account(engine, user["email"], user["role"], secrets.token_urlsafe(16), name=user.get("name", ""))
        with unit_of_work(engine) as session:
            account = session.scalar(select(User).where(User.email == user["email"]))
    return {"id": account.id, "email": account.email, "role": account.role, "name": account.full_name}


def sign_in(at: AppTest, user: dict) -> AppTest:
    """Arrive as a browser holding the session cookie of `user`'s account (created when missing)."""
    account = signed_in_account(user)
    with unit_of_work(get_engine()) as session:
        at.session_state[TOKEN_KEY] = sessions.start_session(session, user_id=account["id"]).token
    return at


def open_page(
    page: str, user: dict, *, query: dict | None = None, state: dict | None = None, timeout: int = 60
) -> AppTest:
    """Run `page` (e.g. "pages/orders.py") through app.py, signed in as `user`, with the URL's
    query parameters `query` and extra session state `state`; returns the AppTest after the run."""
    at = sign_in(AppTest.from_file(APP, default_timeout=timeout), user)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()  # the router registers the role's pages; a switch is only possible after that
    at.switch_page(str(Path(page).relative_to(ROOT)) if Path(page).is_absolute() else page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def markdown_lines(at: AppTest) -> list[str]:
    """Each line of the page's markdown, as a reader sees them (a currency's totals card under the
    grid is one element of three lines: ui/grid_count.render_count)."""
    return [line for m in at.markdown for line in m.value.split("  \n")]


def open_orders_filters(at: AppTest) -> AppTest:
    """Open the orders grid's "Filters" expander, as a click does (it draws its widgets only once
    open: pages/orders.py advanced_filters), and run the page again."""
    at.session_state["orders.filters_open"] = True
    return at.run()


def open_data_tables(at: AppTest) -> AppTest:
    """Open every chart's Data expander, as a user clicking each would (they draw their table
    only once opened: ui.dashboard_widgets.data_behind), and run the page again."""
    from streamlit.runtime.state.common import user_key_from_element_id

    from ui.dashboard_widgets import data_key

    keys = [user_key_from_element_id(expander.proto.id) for expander in at.expander]
    for key in keys:
        if key and key.startswith(data_key("")):
            at.session_state[key] = True
    return at.run()
