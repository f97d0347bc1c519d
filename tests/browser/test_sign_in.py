"""In Chromium against a real server: sign in, land on the overview, switch to French and read
French labels and amounts; a wrong password is refused; a deep link survives sign-in; each role
sees its own pages; signing out shows the form again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import IDLE, TIMEOUT_MS, sign_in, start_app_server, wait_for_app

pytestmark = pytest.mark.browser


def sidebar_link(page, title: str):
    """A navigation link by its title (a link holds its icon's name, then its title)."""
    return page.get_by_test_id("stSidebarNav").locator("a").filter(has=page.get_by_text(title, exact=True))


def choose_language(page, language: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("radio", name=language).click()


def test_sign_in_land_on_the_overview_and_switch_to_french(signed_in_page):
    page = signed_in_page("admin")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(sidebar_link(page, "Overview")).to_have_count(1)
    expect(sidebar_link(page, "Users")).to_have_count(1)
    expect(page.get_by_test_id("stSidebar").get_by_text("Admin Tester")).to_be_visible()
    revenue = page.get_by_test_id("stMetric").first
    expect(revenue.get_by_test_id("stMetricLabel")).to_have_text("Revenue (paid, incl. tax)")

    choose_language(page, "Français")
    expect(page.get_by_role("heading", name="Vue d'ensemble")).to_be_visible()
    expect(sidebar_link(page, "Vue d'ensemble")).to_have_count(1)
    expect(sidebar_link(page, "Utilisateurs")).to_have_count(1)
    expect(sidebar_link(page, "Overview")).to_have_count(0)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    revenue = page.get_by_test_id("stMetric").first
    expect(revenue.get_by_test_id("stMetricLabel")).to_have_text("Chiffre d'affaires (payé, TTC)")
    # French amounts: decimal comma, currency after the number (e.g. "20 410,08 $CA").
    expect(revenue.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^[\d\u202f\u00a0 ]+,\d\d[\u00a0 ]\S+$"))


def test_a_wrong_password_is_refused_with_the_neutral_message(browser_page, app_server, app_database):
    email, _password = app_database.accounts["finance"]
    browser_page.goto(app_server)
    browser_page.get_by_role("textbox", name="Email", exact=True).fill(email)
    browser_page.get_by_role("textbox", name="Password", exact=True).fill("not the password")
    browser_page.get_by_role("button", name="Sign in").click()
    expect(browser_page.get_by_test_id("stAlertContentError")).to_have_text(
        "Wrong email or password, or too many attempts. Try again, or wait 15 minutes."
    )
    expect(browser_page.get_by_test_id("stSidebarNav")).to_have_count(0)


def test_a_deep_link_survives_sign_in(signed_in_page):
    page = signed_in_page("admin", path="users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/users/?$"))


def test_a_marketer_sees_only_the_marketer_pages_and_signs_out(signed_in_page):
    page = signed_in_page("marketer")
    expect(sidebar_link(page, "Overview")).to_have_count(1)
    expect(sidebar_link(page, "Users")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def test_a_fresh_server_asks_for_sign_in_even_when_a_page_address_comes_first(browser_page, app_database, tmp_path):
    """Streamlit would run pages/users.py directly on a fresh server (its pages/ folder mode):
    the first request of the process must still meet the sign-in form."""
    with start_app_server(app_database.url, log_path=tmp_path / "streamlit.log") as base_url:
        browser_page.goto(f"{base_url}/users")
        expect(browser_page.get_by_role("button", name="Sign in")).to_be_visible()
        wait_for_app(browser_page)
        expect(browser_page.get_by_role("heading", name="Users")).to_have_count(0)
        expect(browser_page.get_by_test_id("stException")).to_have_count(0)
        expect(browser_page.get_by_test_id("stSidebarNav")).to_have_count(0)
        email, password = app_database.accounts["admin"]
        sign_in(browser_page, email, password)
        expect(browser_page.get_by_role("heading", name="Users")).to_be_visible()


def test_ten_tabs_opening_a_page_at_once_on_a_fresh_server_all_meet_the_sign_in_form(chromium, app_database, tmp_path):
    """Issue 13, item 0: Streamlit's pages/ mode is switched off by the first session that goes
    through `ui`, but sessions already running a page file directly used to carry on and show the
    grid without sign-in. Every page run must fail closed by itself."""
    with start_app_server(app_database.url, log_path=tmp_path / "streamlit.log") as base_url:
        contexts = [chromium.new_context() for _ in range(10)]
        try:
            tabs = [context.new_page() for context in contexts]
            for tab in tabs:  # each request goes out before any page has finished its first run
                tab.goto(f"{base_url}/orders", wait_until="commit")
            for tab in tabs:
                expect(tab.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
                expect(tab.locator(IDLE)).to_be_attached(timeout=TIMEOUT_MS)
                expect(tab.get_by_role("heading", name="Orders")).to_have_count(0)
                expect(tab.get_by_test_id("stDataFrame")).to_have_count(0)
                expect(tab.get_by_test_id("stSidebarNav")).to_have_count(0)
        finally:
            for context in contexts:
                context.close()
