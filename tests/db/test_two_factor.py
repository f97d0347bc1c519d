"""Issue 17: two-factor sign-in on SQLite and PostgreSQL - enrolment, the second step of signing
in (an authenticator's code or a recovery code, each accepted once), wrong codes counted like
wrong passwords, the obligation for admins and finance, and the audit of every sign-in, failed
sign-in and change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from orders_core import audit, auth, totp, two_factor
from orders_core.db import unit_of_work
from orders_core.errors import InvalidInput, NotAllowed
from orders_core.i18n import as_utc
from orders_core.models import AppSetting, AuditEntry, RecoveryCode, SignInFailure, User
from orders_core.permissions import Actor
from tests.accounts import add_account, cheap_password_hashing  # noqa: F401 (fixture)

T0 = datetime(2026, 12, 2, 9, 0, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HOME = "192.0.2.10"
CODE_FAILURE = "Wrong code, or too many attempts. Try again, or wait 15 minutes."

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(engine):
    """email -> Actor, one account per role."""
    actors = {}
    for role, email in (("admin", "ada@example.org"), ("finance", "fin@example.org"), ("marketer", "mo@example.org")):
        user_id = add_account(engine, email, role, PASSWORD)
        actors[role] = Actor(email, role, user_id=user_id)
    return actors


def run(engine, call):
    with unit_of_work(engine) as session:
        return call(session)


def enrol(engine, actor: Actor, at: datetime = T0) -> tuple[str, list[str]]:
    """Enrol `actor` at `at`; returns (secret, recovery codes)."""
    enrolment = run(engine, lambda s: two_factor.start_enrolment(s, actor=actor))
    codes = run(
        engine,
        lambda s: two_factor.confirm_enrolment(
            s, actor=actor, code=totp.code_at(enrolment.secret, at), source=HOME, now=at
        ),
    )
    return enrolment.secret, codes


def password_step(engine, email: str, password: str = PASSWORD) -> auth.AuthResult:
    return run(engine, lambda s: auth.authenticate(s, email=email, password=password, source=HOME))


def code_step(engine, pending: auth.PendingSignIn, code: str) -> auth.AuthResult:
    return run(engine, lambda s: auth.verify_second_factor(s, pending=pending, code=code, source=HOME))


def audit_rows(engine, action: str | None = None) -> list[tuple]:
    """The audit entries of sign-ins and two-factor changes (not the accounts the tests add)."""

    def rows(session):
        query = select(AuditEntry).where(AuditEntry.action != "user_added").order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return [(e.action, e.actor, e.subject, e.details, e.source) for e in session.scalars(query)]

    return run(engine, rows)


def test_enrolment_turns_on_with_the_first_code_and_gives_ten_recovery_codes(engine, people, clock):
    fin = people["finance"]
    enrolment = run(engine, lambda s: two_factor.start_enrolment(s, actor=fin))
    assert enrolment.uri.startswith("otpauth://totp/")
    assert run(engine, lambda s: two_factor.status(s, actor=fin)).enrolled is False
    with pytest.raises(InvalidInput, match="This code is not right"):
        run(engine, lambda s: two_factor.confirm_enrolment(s, actor=fin, code="000000"))
    code = totp.code_at(enrolment.secret, T0)
    codes = run(engine, lambda s: two_factor.confirm_enrolment(s, actor=fin, code=code, source=HOME))
    assert len(set(codes)) == 10
    status = run(engine, lambda s: two_factor.status(s, actor=fin))
    assert (status.enrolled, status.enabled_at, status.recovery_codes_left) == (True, T0, 10)
    stored = run(engine, lambda s: [c.code_hash for c in s.scalars(select(RecoveryCode))])
    assert not any(code in digest for code in codes for digest in stored)  # only hashes are kept
    assert audit_rows(engine, audit.TWO_FACTOR) == [
        (audit.TWO_FACTOR, "fin@example.org", "fin@example.org", {"change": "enrolled"}, HOME)
    ]
    with pytest.raises(InvalidInput, match="already on"):
        run(engine, lambda s: two_factor.start_enrolment(s, actor=fin))


def test_a_restarted_enrolment_forgets_the_secret_shown_before(engine, people, clock):
    fin = people["finance"]
    first = run(engine, lambda s: two_factor.start_enrolment(s, actor=fin))
    second = run(engine, lambda s: two_factor.start_enrolment(s, actor=fin))
    assert first.secret != second.secret
    with pytest.raises(InvalidInput):
        run(engine, lambda s: two_factor.confirm_enrolment(s, actor=fin, code=totp.code_at(first.secret, T0)))


def test_sign_in_asks_for_the_code_after_the_password_and_accepts_it_once(engine, people, clock):
    secret, _codes = enrol(engine, people["finance"])
    clock.shift(timedelta(seconds=30))  # the enrolment's own code is spent: the next step's
    result = password_step(engine, "Fin@Example.org")
    assert not result.ok and result.message == ""
    assert result.pending == auth.PendingSignIn(people["finance"].user_id, "fin@example.org", "finance", "code")
    code = totp.code_at(secret, T0 + timedelta(seconds=30))
    signed = code_step(engine, result.pending, code)
    assert signed.ok and signed.user.email == "fin@example.org"
    # the same code again, in the same window: refused, as a failure
    replay = code_step(engine, result.pending, code)
    assert not replay.ok and replay.message == CODE_FAILURE
    assert [(row[0], row[2], row[3]) for row in audit_rows(engine) if row[0] != audit.TWO_FACTOR] == [
        (audit.SIGN_IN, "fin@example.org", {"method": "totp"}),
        (audit.SIGN_IN_FAILED, "fin@example.org", {"method": "totp", "reason": "wrong code"}),
    ]
    last_login = run(engine, lambda s: s.scalar(select(User.last_login_at).where(User.email == "fin@example.org")))
    assert as_utc(last_login) == T0 + timedelta(seconds=30)


def test_the_enrolment_code_cannot_sign_in_again(engine, people, clock):
    secret, _codes = enrol(engine, people["finance"])
    pending = password_step(engine, "fin@example.org").pending
    assert not code_step(engine, pending, totp.code_at(secret, T0)).ok


def test_a_recovery_code_signs_in_once(engine, people, clock):
    _secret, codes = enrol(engine, people["admin"])
    pending = password_step(engine, "ada@example.org").pending
    assert code_step(engine, pending, codes[3].upper()).ok
    assert not code_step(engine, pending, codes[3]).ok
    assert code_step(engine, pending, codes[4]).ok
    assert run(engine, lambda s: two_factor.status(s, actor=people["admin"])).recovery_codes_left == 8
    methods = [row[3]["method"] for row in audit_rows(engine) if row[0] in (audit.SIGN_IN, audit.SIGN_IN_FAILED)]
    assert methods == ["recovery code", "recovery code", "recovery code"]


def test_wrong_codes_count_like_wrong_passwords_and_the_right_password_gives_no_fresh_attempts(engine, people, clock):
    secret, _codes = enrol(engine, people["finance"])
    for _attempt in range(auth.FREE_ATTEMPTS):
        pending = password_step(engine, "fin@example.org").pending  # the password is known...
        assert pending is not None
        assert code_step(engine, pending, "123456").message == CODE_FAILURE
    failure = run(engine, lambda s: s.scalars(select(SignInFailure)).one())
    assert (failure.failures, failure.locked_until is not None) == (5, True)
    # ... yet now even the password step waits, and so does the right code
    assert password_step(engine, "fin@example.org").pending is None
    clock.shift(timedelta(seconds=30))
    assert not code_step(engine, pending, totp.code_at(secret, T0 + timedelta(seconds=30))).ok
    clock.shift(auth.FIRST_WAIT)
    later = T0 + timedelta(seconds=30) + auth.FIRST_WAIT
    pending = password_step(engine, "fin@example.org").pending
    assert code_step(engine, pending, totp.code_at(secret, later)).ok
    assert run(engine, lambda s: s.scalars(select(SignInFailure)).all()) == []


def test_every_sign_in_and_failure_is_audited_with_the_typed_email_and_the_address(engine, people, clock):
    assert password_step(engine, "Mo@example.org").ok
    password_step(engine, "mo@example.org", "wrong guess")
    password_step(engine, "nobody@example.org")
    assert audit_rows(engine) == [
        (audit.SIGN_IN, "mo@example.org", "mo@example.org", {"method": "password"}, HOME),
        (
            audit.SIGN_IN_FAILED,
            "mo@example.org",
            "mo@example.org",
            {"method": "password", "reason": "wrong password"},
            HOME,
        ),
        (
            audit.SIGN_IN_FAILED,
            "nobody@example.org",
            "nobody@example.org",
            {"method": "password", "reason": "unknown account"},
            HOME,
        ),
    ]


def test_the_obligation_sends_admins_and_finance_to_enrolment_not_marketers(engine, people, clock):
    admin = people["admin"]
    with pytest.raises(NotAllowed):
        run(engine, lambda s: two_factor.set_required(s, actor=people["finance"], required=True))
    run(engine, lambda s: two_factor.set_required(s, actor=admin, required=True, source=HOME))
    setting = run(engine, lambda s: s.get(AppSetting, "two_factor_required"))
    assert (setting.value, setting.updated_by) == (True, "ada@example.org")
    assert audit_rows(engine, audit.SETTING_CHANGED) == [
        (
            audit.SETTING_CHANGED,
            "ada@example.org",
            "two_factor_required",
            {"key": "two_factor_required", "from": False, "to": True},
            HOME,
        )
    ]
    assert password_step(engine, "mo@example.org").ok  # marketers are not obliged
    result = password_step(engine, "fin@example.org")
    assert not result.ok and result.pending.step == auth.ENROL_STEP
    assert run(engine, lambda s: two_factor.must_enrol_id(s, people["finance"].user_id))
    # not enrolled yet: no session for the pending sign-in
    assert not run(engine, lambda s: auth.finish_enrolled_sign_in(s, pending=result.pending, source=HOME)).ok
    enrol(engine, people["finance"])
    done = run(engine, lambda s: auth.finish_enrolled_sign_in(s, pending=result.pending, source=HOME))
    assert done.ok and done.user.role == "finance"
    clock.shift(auth.ENROLMENT_PROOF_LIFETIME + timedelta(seconds=1))  # an old enrolment proves nothing now
    assert not run(engine, lambda s: auth.finish_enrolled_sign_in(s, pending=result.pending, source=HOME)).ok
    assert not run(engine, lambda s: two_factor.must_enrol_id(s, people["finance"].user_id))
    run(engine, lambda s: two_factor.set_required(s, actor=admin, required=False))
    assert not run(engine, lambda s: two_factor.must_enrol_id(s, admin.user_id))


def test_turning_off_needs_a_current_code_and_an_admin_may_reset_someone_else(engine, people, clock):
    secret, codes = enrol(engine, people["finance"])
    fin, admin = people["finance"], people["admin"]
    with pytest.raises(InvalidInput, match="not right"):
        run(engine, lambda s: two_factor.disable(s, actor=fin, code="000000"))
    clock.shift(timedelta(seconds=30))
    new_codes = run(
        engine,
        lambda s: two_factor.regenerate_recovery_codes(
            s, actor=fin, code=totp.code_at(secret, T0 + timedelta(seconds=30))
        ),
    )
    assert set(new_codes).isdisjoint(codes)
    with pytest.raises(InvalidInput):  # the old recovery codes no longer work
        run(engine, lambda s: two_factor.disable(s, actor=fin, code=codes[0]))
    run(engine, lambda s: two_factor.disable(s, actor=fin, code=new_codes[0]))
    assert run(engine, lambda s: two_factor.status(s, actor=fin)).enrolled is False
    assert run(engine, lambda s: s.scalars(select(RecoveryCode)).all()) == []
    assert password_step(engine, "fin@example.org").ok  # the password alone again

    enrol(engine, fin, T0 + timedelta(minutes=5))
    with pytest.raises(NotAllowed):
        run(engine, lambda s: two_factor.reset(s, actor=fin, email="ada@example.org"))
    assert run(engine, lambda s: two_factor.enrolled_accounts(s, actor=admin)) == ["fin@example.org"]
    run(engine, lambda s: two_factor.reset(s, actor=admin, email="FIN@example.org", source=HOME))
    assert run(engine, lambda s: two_factor.status(s, actor=fin)).enrolled is False
    changes = [(row[1], row[2], row[3]["change"]) for row in audit_rows(engine, audit.TWO_FACTOR)]
    assert changes == [
        ("fin@example.org", "fin@example.org", "enrolled"),
        ("fin@example.org", "fin@example.org", "recovery codes regenerated"),
        ("fin@example.org", "fin@example.org", "disabled"),
        ("fin@example.org", "fin@example.org", "enrolled"),
        ("ada@example.org", "fin@example.org", "reset"),
    ]
