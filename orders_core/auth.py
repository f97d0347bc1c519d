"""Sign-in: the one interface between the app and how people prove who they are.

`authenticate(session, email=, password=, source=, now=)` checks a password against the argon2id
hash of an active account and returns an `AuthResult`. Every failure gets the same neutral
message and costs the same time (the password hash runs whatever the account's state: unknown
email, deactivated, locked or wrong password), so neither the answer nor its delay tells which
accounts exist.

Failures are counted per (typed email, source address): after `FREE_ATTEMPTS` failures from one
address, that address waits `FIRST_WAIT` before its next try, doubling with each further failure
up to `LONGEST_WAIT`. Someone guessing from elsewhere never locks the account's owner out, and a
lock always ends by itself.

The app only uses `AuthResult.user` (a `SignedInUser`, plain values) and the session tokens of
`orders_core.sessions`. An OIDC provider (`st.login`) could replace the password check by mapping
`st.user.email` to a `SignedInUser` with `user_for_email`.

Two-factor sign-in (issue 17, orders_core/two_factor.py): for an account with an authenticator
app, the right password gives a `PendingSignIn` (step "code") instead of a user, and
`verify_second_factor` completes it; a wrong code is a failure counted exactly like a wrong
password, and the failure count is only cleared once the code is right (knowing the password buys
no fresh attempts at the code). An account whose role is obliged and that is not enrolled gets a
`PendingSignIn` with step "enrol": its session starts only once `finish_sign_in` follows a
confirmed enrolment. Every sign-in and every failed one is audited in the attempt's transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from orders_core import audit, two_factor
from orders_core.i18n import _, as_utc
from orders_core.models import SignInFailure, User, UserEvent
from orders_core.passwords import MAX_PASSWORD_LENGTH, hash_password, verify_password
from orders_core.permissions import Actor

FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)
# A quiet day wipes the slate: a typo a week ago does not shorten today's free attempts.
FAILURES_FORGOTTEN_AFTER = timedelta(days=1)
LOCAL_SOURCE = "local"  # a browser on the server's own machine (Streamlit reports no address)
# Verified against when the email is unknown, so an unknown email costs as much time as a wrong
# password and timing does not tell which accounts exist.
_DUMMY_HASH = hash_password("not a password of anyone")


@dataclass(frozen=True)
class SignedInUser:
    """Who is signed in, as plain values (what `st.session_state["auth.user"]` holds)."""

    id: int
    email: str
    role: str
    name: str
    # Issue 17: None = every event; else the ids of the user's events (sorted; empty = none).
    event_ids: tuple[int, ...] | None = None

    def as_session(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def principal(self) -> Actor:
        """Who asks, with role and event scope: what every query and service receives."""
        return Actor.of(self.email, self.role, self.event_ids, self.id)

    @classmethod
    def from_row(cls, user: User, event_ids: tuple[int, ...] | None = None) -> SignedInUser:
        return cls(id=user.id, email=user.email, role=user.role, name=user.full_name or user.email, event_ids=event_ids)


def event_scope(connection: Connection | Session, user_id: int, all_events: bool) -> tuple[int, ...] | None:
    """A user's event scope as it is now: None for every event, else their events' ids."""
    if all_events:
        return None
    rows = connection.execute(
        select(UserEvent.event_id).where(UserEvent.user_id == user_id).order_by(UserEvent.event_id)
    )
    return tuple(int(event_id) for (event_id,) in rows)


def signed_in_user_of(session: Session, user: User) -> SignedInUser:
    return SignedInUser.from_row(user, event_scope(session, user.id, user.all_events))


CODE_STEP = "code"  # the password was right; the authenticator's code (or a recovery code) is next
ENROL_STEP = "enrol"  # the password was right; the role is obliged to enrol first
ENROLMENT_PROOF_LIFETIME = timedelta(minutes=15)  # an enrolment at sign-in proves the second factor this long


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in whose password was right and whose session waits for the second factor."""

    user_id: int
    email: str  # as typed (normalized): the failure counter's and the audit's subject
    role: str
    step: str  # CODE_STEP or ENROL_STEP

    def as_session(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuthResult:
    """The outcome of a sign-in attempt; `message` is translated and says nothing about why."""

    user: SignedInUser | None
    message: str = ""
    pending: PendingSignIn | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def failure_message() -> str:
    return _("Wrong email or password, or too many attempts. Try again, or wait {minutes} minutes.").format(
        minutes=int(LONGEST_WAIT.total_seconds() // 60)
    )


def code_failure_message() -> str:
    return _("Wrong code, or too many attempts. Try again, or wait {minutes} minutes.").format(
        minutes=int(LONGEST_WAIT.total_seconds() // 60)
    )


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _find(session: Session, email: str, *, lock: bool = False) -> User | None:
    query = select(User).where(func.lower(User.email) == normalize_email(email))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def wait_after(failures: int) -> timedelta | None:
    """How long an address waits after its `failures`-th failure in a row (None: no wait)."""
    if failures < FREE_ATTEMPTS:
        return None
    wait: timedelta = FIRST_WAIT * 2 ** (failures - FREE_ATTEMPTS)
    return min(wait, LONGEST_WAIT)


def _failure_row(session: Session, email: str, source: str, now: datetime) -> SignInFailure:
    """The (email, source) counter, created when missing and locked for this transaction.

    Created on every attempt, even one that will succeed, so that every attempt does the same
    database work; INSERT ... ON CONFLICT DO NOTHING lets parallel attempts meet on one row."""
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # Counters a quiet day has made meaningless go, so guesses at made-up emails cannot pile up.
    session.execute(delete(SignInFailure).where(SignInFailure.last_failure_at < now - FAILURES_FORGOTTEN_AFTER))
    session.execute(
        dialect_insert(SignInFailure)
        .values(email=email, source=source, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=["email", "source"])
    )
    return session.scalars(
        select(SignInFailure)
        .where(SignInFailure.email == email, SignInFailure.source == source)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _record_failure(failure: SignInFailure, now: datetime, locked: bool) -> None:
    if locked:
        # Refused while waiting: not counted, so the wait cannot be stretched by hammering; the
        # row is written all the same, so that this answer costs what any other failure costs.
        failure.last_failure_at = now
        return
    if now - as_utc(failure.last_failure_at) > FAILURES_FORGOTTEN_AFTER:
        failure.failures = 0
    failure.failures += 1
    failure.last_failure_at = now
    wait = wait_after(failure.failures)
    failure.locked_until = now + wait if wait else None


def authenticate(
    session: Session, *, email: str, password: str, source: str | None = None, now: datetime | None = None
) -> AuthResult:
    """Check the credentials typed from `source` (the browser's address); count a failure against
    that (email, address) pair. Runs in the caller's transaction, which must be committed on
    failure too (the failure count is part of the result): the function returns, never raises."""
    now = as_utc(now or datetime.now(UTC))
    email = normalize_email(email)[:254]
    source = (source or LOCAL_SOURCE)[:64]
    password = password or ""
    user = _find(session, email, lock=True) if email else None
    failure = _failure_row(session, email, source, now)
    locked = failure.locked_until is not None and as_utc(failure.locked_until) > now
    # The hash runs on every attempt - unknown email, deactivated or locked account alike.
    known_hash = user.password_hash if user is not None else _DUMMY_HASH
    fits = len(password) <= MAX_PASSWORD_LENGTH  # a longer one was never accepted as a password
    matches = verify_password(known_hash if fits else _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH]) and fits
    if user is not None and user.active and matches and not locked:
        if two_factor.is_enrolled(user):
            # The failure count stays until the code is right.
            return AuthResult(None, pending=PendingSignIn(user.id, email, user.role, CODE_STEP))
        session.delete(failure)
        if two_factor.must_enrol(session, user):
            return AuthResult(None, pending=PendingSignIn(user.id, email, user.role, ENROL_STEP))
        return AuthResult(finish_sign_in(session, user=user, email=email, source=source, method="password", now=now))
    _record_failure(failure, now, locked)
    reason = "waiting" if locked else "unknown account" if user is None else "deactivated" if not user.active else ""
    _audit_failure(session, email, source, two_factor.METHOD_PASSWORD, reason or "wrong password", now)
    return AuthResult(None, failure_message())


def _audit_failure(session: Session, email: str, source: str, method: str, reason: str, now: datetime) -> None:
    audit.record(
        session,
        actor=email or "?",
        action=audit.SIGN_IN_FAILED,
        subject=email,
        details={"method": method, "reason": reason},
        source=source,
        now=now,
    )


def finish_sign_in(
    session: Session, *, user: User, email: str, source: str | None, method: str, now: datetime | None = None
) -> SignedInUser:
    """The identity is proven (password, then the second factor when there is one): note the
    sign-in on the account and in the audit; returns who signs in (the caller issues the ticket)."""
    now = as_utc(now or datetime.now(UTC))
    user.last_login_at = now
    audit.record(
        session,
        actor=user.email,
        action=audit.SIGN_IN,
        subject=email,
        details={"method": method},
        source=(source or LOCAL_SOURCE)[:64],
        now=now,
    )
    return signed_in_user_of(session, user)


def verify_second_factor(
    session: Session,
    *,
    pending: PendingSignIn,
    code: str,
    source: str | None = None,
    now: datetime | None = None,
) -> AuthResult:
    """The second step of a `CODE_STEP` sign-in: the authenticator's code or an unused recovery
    code. A wrong code counts as a failure of the (email, address) pair, as a wrong password does,
    and the same waits apply; returns, never raises (commit on failure too)."""
    now = as_utc(now or datetime.now(UTC))
    source = (source or LOCAL_SOURCE)[:64]
    user = session.scalar(select(User).where(User.id == pending.user_id).with_for_update())
    failure = _failure_row(session, pending.email, source, now)
    locked = failure.locked_until is not None and as_utc(failure.locked_until) > now
    method = None
    if user is not None and user.active and normalize_email(user.email) == pending.email and not locked:
        method = two_factor.check_code(session, user=user, code=code, now=now)
    if user is not None and method is not None:
        session.delete(failure)
        return AuthResult(
            finish_sign_in(session, user=user, email=pending.email, source=source, method=method, now=now)
        )
    _record_failure(failure, now, locked)
    typed = "".join((code or "").split())
    kind = two_factor.METHOD_TOTP if typed.isdigit() else two_factor.METHOD_RECOVERY
    _audit_failure(session, pending.email, source, kind, "waiting" if locked else "wrong code", now)
    return AuthResult(None, code_failure_message())


def finish_enrolled_sign_in(
    session: Session, *, pending: PendingSignIn, source: str | None = None, now: datetime | None = None
) -> AuthResult:
    """The end of an `ENROL_STEP` sign-in, once the enrolment is confirmed: the session may start
    if the account is still active and enrolled."""
    now = as_utc(now or datetime.now(UTC))
    user = session.scalar(select(User).where(User.id == pending.user_id).with_for_update())
    if user is None or not user.active or not two_factor.is_enrolled(user):
        return AuthResult(None, failure_message())
    if now - as_utc(user.totp_enabled_at or now) > ENROLMENT_PROOF_LIFETIME:
        # Not the enrolment this sign-in just made (that one is minutes old): ask for a code instead.
        return AuthResult(None, failure_message())
    method = two_factor.METHOD_TOTP
    return AuthResult(finish_sign_in(session, user=user, email=pending.email, source=source, method=method, now=now))


def waits_by_email(session: Session, now: datetime) -> dict[str, datetime]:
    """Each email some address must wait for now, with the latest end of its waits."""
    rows = session.execute(
        select(SignInFailure.email, func.max(SignInFailure.locked_until))
        .where(SignInFailure.locked_until > now)
        .group_by(SignInFailure.email)
    )
    return {email: as_utc(until) for email, until in rows if until is not None}


def forget_failures(session: Session, email: str) -> None:
    """Lift every wait on this email (an administrator reset the password or reactivated it)."""
    session.execute(delete(SignInFailure).where(SignInFailure.email == normalize_email(email)))


def user_for_email(session: Session, email: str) -> SignedInUser | None:
    """The active account of an email already proven by someone else (e.g. an OIDC provider)."""
    user = _find(session, email)
    return signed_in_user_of(session, user) if user is not None and user.active else None


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))
