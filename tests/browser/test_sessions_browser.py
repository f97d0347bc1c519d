"""Issue 18 item 1 in Chromium against a real server: a reload, a second tab with a pasted deep
link and a link from another site all stay signed in (the cookie is SameSite=Strict: the page
itself comes without it, but the websocket the page opens is a same-site request and carries it);
signing out in one tab signs the other out at its next action; the session cookie is HttpOnly
and holds a token the database knows only as a hash."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core import db, sessions
from orders_core.models import User, UserSession
from tests.browser.conftest import IDLE, TIMEOUT_MS

pytestmark = pytest.mark.browser


def expect_signed_in_on(page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(page.locator(IDLE)).to_be_attached(timeout=TIMEOUT_MS)


def expect_signed_out(page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME), None)


def stored_sessions(app_database) -> list[UserSession]:
    engine = db.get_engine(app_database.url)
    with db.unit_of_work(engine) as session:
        return list(session.scalars(select(UserSession).order_by(UserSession.id)))


def admin_id(app_database) -> int:
    engine = db.get_engine(app_database.url)
    with db.unit_of_work(engine) as session:
        return session.scalar(select(User.id).where(User.email == app_database.accounts["admin"][0]))


def test_the_session_survives_a_reload_and_a_pasted_link_in_a_new_tab(signed_in_page, app_server):
    page = signed_in_page("finance")
    expect_signed_in_on(page, "Overview")

    page.reload()
    expect_signed_in_on(page, "Overview")

    second = page.context.new_page()  # same browser: same cookies
    second.goto(f"{app_server}/pending-invoices")
    expect_signed_in_on(second, "Pending invoice orders")
    expect(second).to_have_url(f"{app_server}/pending-invoices")


def test_a_link_from_another_site_opens_the_app_signed_in(signed_in_page, app_server):
    page = signed_in_page("finance")
    expect_signed_in_on(page, "Overview")
    # A mail or chat site linking to the app, played by Playwright: nothing leaves the machine.
    elsewhere = page.context.new_page()
    elsewhere.route(
        "http://mail.example.org/**",
        lambda route: route.fulfill(content_type="text/html", body=f'<a href="{app_server}/orders">the orders</a>'),
    )
    elsewhere.goto("http://mail.example.org/inbox")
    elsewhere.get_by_role("link", name="the orders").click()
    expect_signed_in_on(elsewhere, "Orders")


def test_the_cookie_is_httponly_samesite_and_only_its_hash_is_stored(signed_in_page, app_database):
    page = signed_in_page("marketer")
    expect_signed_in_on(page, "Overview")
    cookie = session_cookie(page.context)
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain HTTP on 127.0.0.1; Secure behind TLS (tests/browser/test_http_edge.py)
    assert cookie["path"] == "/"
    assert page.evaluate("document.cookie").find(sessions.COOKIE_NAME) == -1  # scripts cannot read it
    hashes = {row.token_hash for row in stored_sessions(app_database)}
    assert sessions.hash_secret(cookie["value"]) in hashes
    assert cookie["value"] not in hashes


def test_signing_out_in_one_tab_signs_the_other_out_at_its_next_action(signed_in_page, app_server, app_database):
    first = signed_in_page("admin")
    expect_signed_in_on(first, "Overview")
    second = first.context.new_page()
    second.goto(f"{app_server}/users")
    expect_signed_in_on(second, "Users")

    first.get_by_role("button", name="Sign out").click()
    expect_signed_out(first)
    expect(first).to_have_url(f"{app_server}/")
    assert session_cookie(first.context) is None  # the route cleared it

    # The second tab still shows its page until its next action, which meets the sign-in form.
    second.locator("[data-testid='stSidebarNav'] a[href$='/orders']").click()
    expect_signed_out(second)
    expect(second.get_by_role("heading", name="Orders")).to_have_count(0)

    first.reload()
    expect_signed_out(first)
    admin = admin_id(app_database)
    assert {row.ended_reason for row in stored_sessions(app_database) if row.user_id == admin} == {"signed_out"}
