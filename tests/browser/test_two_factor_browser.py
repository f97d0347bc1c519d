"""Issue 17 in Chromium against a real server: an account with an authenticator app signs in with
its password, then the code the app shows (computed here by pyotp), lands signed in, and stays
signed in across a reload (the session starts only after the second factor)."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core import audit, db, totp, two_factor
from orders_core.models import AuditEntry, User
from orders_core.permissions import Actor
from tests.browser.conftest import create_database, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_database(tmp_path_factory):
    """No orders needed: the finance account, with an authenticator app enrolled."""
    database = create_database(tmp_path_factory.mktemp("two_factor_db") / "orders.db", orders=0, roles=("finance",))
    engine = db.get_engine(database.url)
    email = database.accounts["finance"][0]
    with db.unit_of_work(engine) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        actor = Actor(email, "finance", user_id=user_id)
        secret = two_factor.start_enrolment(session, actor=actor).secret
    with db.unit_of_work(engine) as session:
        now = datetime.now(UTC)
        two_factor.confirm_enrolment(session, actor=actor, code=totp.code_at(secret, now), now=now)
        session.get(User, user_id).totp_last_step = totp.step_at(now) - 1  # today's code stays usable
    database.facts["secret"] = secret
    return database


def test_password_then_the_authenticator_code_signs_in(browser_page, app_server, app_database):
    page = browser_page
    email, password = app_database.accounts["finance"]
    page.goto(f"{app_server}/orders")
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()

    code_field = page.get_by_role("textbox", name="Authentication code")
    expect(code_field).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no session yet
    code_field.fill(pyotp.TOTP(app_database.facts["secret"]).now())
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()  # the deep link survived
    wait_for_app(page)
    page.reload()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()

    with db.unit_of_work(db.get_engine(app_database.url)) as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == audit.SIGN_IN)).all()
    assert (entry.subject, entry.details) == (email, {"method": "totp"})
