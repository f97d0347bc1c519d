"""Issue 17 through AppTest, from the router: signing in in two steps (password, then the
authenticator's code), an obliged role enrolling before its session starts, a signed-in obliged
user held on the Account security page, and that page's enrolment, recovery codes and the
administrators' obligation switch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from orders_core import audit, totp, two_factor
from orders_core.db import unit_of_work
from orders_core.models import AuditEntry, SignInTicket, User
from orders_core.permissions import Actor
from tests.accounts import add_account
from tests.app.conftest import open_page, sign_in

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORD = "a long enough password"
CODE_FAILURE = "Wrong code, or too many attempts. Try again, or wait 15 minutes."
OBLIGED = "Two-factor sign-in is mandatory for your role: set up an authenticator app to continue."
ADMIN = {"email": "ada@example.com", "role": "admin", "name": "Ada"}


@pytest.fixture
def accounts(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.delenv("ORDERS_LOCALE", raising=False)
    return {role: add_account(engine, f"{role}@example.com", role, PASSWORD) for role in ("admin", "finance")}


def now() -> datetime:
    return datetime.now(UTC)


def enrol(engine, user_id: int, email: str, role: str) -> str:
    actor = Actor(email, role, user_id=user_id)
    with unit_of_work(engine) as session:
        secret = two_factor.start_enrolment(session, actor=actor).secret
    with unit_of_work(engine) as session:
        # a code of the step before: the sign-in's code of this step is still unused
        two_factor.confirm_enrolment(session, actor=actor, code=totp.code_at(secret, now()), now=now())
    with unit_of_work(engine) as session:
        session.get(User, user_id).totp_last_step = totp.step_at(now()) - 1
    return secret


def pending_secret(engine, email: str) -> str:
    with unit_of_work(engine) as session:
        return session.scalar(select(User.totp_secret).where(User.email == email))


def password_step(email: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in.email").input(email)
    at.text_input(key="sign_in.password").input(PASSWORD)
    [submit] = [button for button in at.button if button.proto.is_form_submitter]
    return submit.click().run()


def submit_form(at: AppTest, label: str) -> AppTest:
    [button] = [button for button in at.button if button.proto.is_form_submitter and button.label == label]
    return button.click().run()


def tickets(engine) -> list[int]:
    with unit_of_work(engine) as session:
        return [ticket.user_id for ticket in session.scalars(select(SignInTicket))]


def test_an_enrolled_account_is_asked_for_its_code_before_the_session_starts(accounts, engine):
    secret = enrol(engine, accounts["finance"], "finance@example.com", "finance")
    at = password_step("finance@example.com")
    assert not at.exception and not at.error
    assert [field.label for field in at.text_input] == ["Authentication code"]
    assert "auth.user" not in at.session_state and tickets(engine) == []
    assert at.session_state.get("sign_in.password") in (None, "")

    at.text_input(key="sign_in.code").input("000000")
    at = submit_form(at, "Verify")
    assert [error.value for error in at.error] == [CODE_FAILURE]
    assert tickets(engine) == []

    at.text_input(key="sign_in.code").input(totp.code_at(secret, now()))
    at = submit_form(at, "Verify")
    assert not at.exception and not at.error
    assert [info.value for info in at.info] == ["Signing you in…"]
    assert tickets(engine) == [accounts["finance"]]
    with unit_of_work(engine) as session:
        entries = [(e.action, e.details) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries[-2:] == [
        (audit.SIGN_IN_FAILED, {"method": "totp", "reason": "wrong code"}),
        (audit.SIGN_IN, {"method": "totp"}),
    ]


def test_cancel_goes_back_to_the_password(accounts, engine):
    enrol(engine, accounts["finance"], "finance@example.com", "finance")
    at = password_step("finance@example.com")
    at = at.button(key="sign_in.cancel").click().run()
    assert [field.label for field in at.text_input] == ["Email", "Password"]


def test_an_obliged_admin_enrols_right_after_the_password_then_signs_in(accounts, engine):
    with unit_of_work(engine) as session:
        two_factor.set_required(session, actor=Actor("admin@example.com", "admin"), required=True)
    at = password_step("admin@example.com")
    assert not at.exception
    assert [warning.value for warning in at.warning] == [OBLIGED]
    at = at.button(key="sign_in.start").click().run()
    secret = pending_secret(engine, "admin@example.com")
    assert secret and totp.grouped_secret(secret) in [code.value for code in at.code]
    assert tickets(engine) == []

    at.text_input(key="sign_in.confirm_code").input(totp.code_at(secret, now()))
    at = submit_form(at, "Turn on two-factor sign-in")
    assert not at.exception and not at.error
    [codes] = [block.value for block in at.code]
    assert len(codes.splitlines()) == 10
    assert tickets(engine) == []  # not before the codes are saved

    at = at.button(key="sign_in.continue").click().run()
    assert [info.value for info in at.info] == ["Signing you in…"]
    assert tickets(engine) == [accounts["admin"]]


def test_a_signed_in_obliged_user_reaches_only_the_account_security_page(accounts, engine):
    with unit_of_work(engine) as session:
        two_factor.set_required(session, actor=Actor("admin@example.com", "admin"), required=True)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), {"email": "finance@example.com", "role": "finance"})
    at.run()  # the session was open before the obligation: its next run lands on the enrolment
    assert not at.exception
    assert [title.value for title in at.title] == ["Account security"]
    assert [warning.value for warning in at.warning] == [OBLIGED]
    registered = [info["page_name"] for info in at._registered_pages.values() if info["script_path"]]
    assert registered == ["Account security"]
    with pytest.raises(ValueError):
        at.switch_page("pages/orders.py")


def test_the_account_security_page_enrols_and_shows_the_codes_once(accounts, engine):
    user = {"email": "finance@example.com", "role": "finance"}
    at = open_page("pages/account_security.py", user)
    assert not at.exception
    assert [title.value for title in at.title] == ["Account security"]
    assert [info.value for info in at.info] == ["Two-factor sign-in is off for your account."]
    at = at.button(key="security.start").click().run()
    secret = pending_secret(engine, "finance@example.com")
    at.text_input(key="security.confirm_code").input(totp.code_at(secret, now()))
    at = submit_form(at, "Turn on two-factor sign-in")
    assert not at.exception and not at.error
    [codes] = [block.value for block in at.code]
    assert len(codes.splitlines()) == 10
    at = at.button(key="security.codes_saved").click().run()
    assert not at.code
    assert [success.value for success in at.success][0].startswith("Two-factor sign-in is on since ")
    assert "10 recovery codes left." in [caption.value for caption in at.caption]


def test_an_admin_makes_two_factor_mandatory_from_the_page(accounts, engine):
    at = open_page("pages/account_security.py", ADMIN)
    assert not at.exception
    at.toggle(key="security.required").set_value(True)
    at = submit_form(at, "Save")
    assert not at.exception
    with unit_of_work(engine) as session:
        assert two_factor.is_required(session)
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == audit.SETTING_CHANGED)).all()
        assert (entry.actor, entry.details["to"]) == ("ada@example.com", True)
    # the admin is obliged too, and not enrolled: held on the page
    assert [warning.value for warning in at.warning] == [OBLIGED]
    assert not at.toggle  # the rest of the page waits for the enrolment


def test_other_roles_see_no_obligation_switch(accounts):
    at = open_page("pages/account_security.py", {"email": "finance@example.com", "role": "finance"})
    assert not at.exception and not at.toggle


def test_sign_in_page_still_signs_in_with_the_password_alone_without_two_factor(accounts, engine):
    at = password_step("finance@example.com")
    assert [info.value for info in at.info] == ["Signing you in…"]


def test_an_enrolled_user_makes_new_recovery_codes_then_turns_it_off_with_one(accounts, engine):
    secret = enrol(engine, accounts["finance"], "finance@example.com", "finance")
    user = {"email": "finance@example.com", "role": "finance"}
    at = open_page("pages/account_security.py", user)
    at.text_input(key="security.regenerate_code").input("000000")
    at = submit_form(at, "Make new recovery codes")
    assert [error.value for error in at.error][0].startswith("This code is not right.")
    at.text_input(key="security.regenerate_code").input(totp.code_at(secret, now()))
    at = submit_form(at, "Make new recovery codes")
    assert not at.exception and not at.error
    [codes] = [block.value for block in at.code]
    at = at.button(key="security.codes_saved").click().run()
    at.text_input(key="security.disable_code").input(codes.splitlines()[0])
    at = submit_form(at, "Turn off")
    assert not at.exception and not at.error
    assert [success.value for success in at.success] == ["Two-factor sign-in is off."]
    assert [info.value for info in at.info] == ["Two-factor sign-in is off for your account."]
    with unit_of_work(engine) as session:
        entries = select(AuditEntry).where(AuditEntry.action == "two_factor").order_by(AuditEntry.id)
        changes = [e.details["change"] for e in session.scalars(entries)]
    assert changes == ["enrolled", "recovery codes regenerated", "disabled"]


def test_the_code_step_speaks_french(accounts, engine, monkeypatch):
    monkeypatch.setenv("ORDERS_LOCALE", "fr")
    enrol(engine, accounts["finance"], "finance@example.com", "finance")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in.email").input("finance@example.com")
    at.text_input(key="sign_in.password").input(PASSWORD)
    at = submit_form(at, "Se connecter")
    assert [field.label for field in at.text_input] == ["Code d'authentification"]
    at.text_input(key="sign_in.code").input("111111")
    at = submit_form(at, "Vérifier")
    assert [error.value for error in at.error] == [
        "Code erroné, ou trop de tentatives. Réessayez, ou attendez 15 minutes."
    ]
