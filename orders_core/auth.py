"""Sign-in: the one interface between the app and how people prove who they are.

`authenticate(session, email=, password=, now=)` checks a password against the argon2id hash of
an active account and returns an `AuthResult`. Every failure gets the same neutral message
(unknown email, wrong password, deactivated or locked account look alike), and an account that
fails `MAX_FAILURES` times in a row is locked for `LOCK_MINUTES`, even for the right password.

The app only uses `AuthResult.user` (a `SignedInUser`, plain values kept in the browser
session) and `refresh(session, user)`. An OIDC provider (`st.login`) could replace the password
check by mapping `st.user.email` to a `SignedInUser` with `user_for_email` - nothing else in the
app depends on how the user signed in."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core.i18n import _, as_utc
from orders_core.models import User
from orders_core.passwords import hash_password, verify_password

MAX_FAILURES = 5
LOCK_MINUTES = 15
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

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_row(cls, user: User) -> SignedInUser:
        return cls(id=user.id, email=user.email, role=user.role, name=user.full_name or user.email)


@dataclass(frozen=True)
class AuthResult:
    """The outcome of a sign-in attempt; `message` is translated and says nothing about why."""

    user: SignedInUser | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def failure_message() -> str:
    return _("Wrong email or password, or too many attempts. Try again, or wait {minutes} minutes.").format(
        minutes=LOCK_MINUTES
    )


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _find(session: Session, email: str, *, lock: bool = False) -> User | None:
    query = select(User).where(func.lower(User.email) == normalize_email(email))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > now


def authenticate(session: Session, *, email: str, password: str, now: datetime | None = None) -> AuthResult:
    """Check the credentials; count failures and lock the account after `MAX_FAILURES` in a row.

    Runs in the caller's transaction, which must be committed on failure too (the failure count
    is part of the result): the function returns instead of raising."""
    now = as_utc(now or datetime.now(UTC))
    user = _find(session, email, lock=True) if email and password else None
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        return AuthResult(None, failure_message())
    if is_locked(user, now):
        # Refused without looking at the password: guessing on during the window is useless.
        return AuthResult(None, failure_message())
    if not verify_password(user.password_hash, password) or not user.active:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return AuthResult(None, failure_message())
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return AuthResult(SignedInUser.from_row(user))


def user_for_email(session: Session, email: str) -> SignedInUser | None:
    """The active account of an email already proven by someone else (e.g. an OIDC provider)."""
    user = _find(session, email)
    return SignedInUser.from_row(user) if user is not None and user.active else None


def refresh(session: Session, signed_in: dict) -> dict | None:
    """The session's user as the database sees it now: None when the account is unknown or was
    deactivated (the session ends), with the current role and name otherwise."""
    user = _find(session, signed_in.get("email", ""))
    if user is None or not user.active:
        return None
    return SignedInUser.from_row(user).as_session()


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))
