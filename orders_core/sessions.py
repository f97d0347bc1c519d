"""Server-side sessions: stay signed in across reloads, tabs and pasted links, and stop being
signed in exactly when the rules say.

The browser holds a random token in an HttpOnly cookie; the database holds only its SHA-256
hash (`user_sessions`). A Streamlit script cannot set an HttpOnly cookie, so signing in is two
steps: the sign-in form checks the password and `issue_ticket` hands out a one-time ticket valid
for `TICKET_LIFETIME`; the browser takes it to the `/session/start` route, which calls
`start_session_with_ticket` and sets the cookie. Every rerun then calls `resume`: one indexed
read on a read-only connection, and a write only when `last_seen_at` is worth moving.

A session ends when its user signs out, when an administrator resets the password or
deactivates the account (all of that user's sessions), after `idle_timeout()` without any
action, and `absolute_timeout()` after it started, whatever happens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Engine, delete, select, update
from sqlalchemy.orm import Session

from orders_core.auth import SignedInUser, event_scope
from orders_core.db import unit_of_work
from orders_core.i18n import as_utc
from orders_core.models import SignInTicket, User, UserSession
from orders_core.settings import number_setting

COOKIE_NAME = "orders_session"
TICKET_LIFETIME = timedelta(seconds=60)
# last_seen_at moves at most once a minute: reruns stay reads, idle time stays exact to a minute.
TOUCH_EVERY = timedelta(minutes=1)
DEFAULT_IDLE_MINUTES = 8 * 60
DEFAULT_MAX_DAYS = 7


def idle_timeout() -> timedelta:
    """`ORDERS_SESSION_IDLE_MINUTES` (default 480 = 8 hours) without an action ends a session."""
    return timedelta(minutes=number_setting("ORDERS_SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))


def absolute_timeout() -> timedelta:
    """`ORDERS_SESSION_MAX_DAYS` (default 7) after signing in, a session ends whatever happens."""
    return timedelta(days=number_setting("ORDERS_SESSION_MAX_DAYS", DEFAULT_MAX_DAYS))


def hash_secret(secret: str) -> str:
    """What the database keeps of a token or ticket: its SHA-256, hex (64 characters)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return as_utc(now or datetime.now(UTC))


@dataclass(frozen=True)
class StartedSession:
    """A fresh session: the token goes into the cookie (never stored), until `expires_at`."""

    token: str
    expires_at: datetime


def issue_ticket(session: Session, *, user_id: int, now: datetime | None = None) -> str:
    """A one-time ticket for the account that just proved its password; returns the ticket."""
    now = _now(now)
    ticket = secrets.token_urlsafe(32)
    session.execute(delete(SignInTicket).where(SignInTicket.expires_at < now - timedelta(days=1)))  # spent long ago
    session.add(
        SignInTicket(ticket_hash=hash_secret(ticket), user_id=user_id, created_at=now, expires_at=now + TICKET_LIFETIME)
    )
    session.flush()
    return ticket


def start_session(
    session: Session,
    *,
    user_id: int,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> StartedSession:
    """Open a session for an account whose identity is already proven; returns its token."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    expires_at = now + absolute_timeout()
    session.add(
        UserSession(
            token_hash=hash_secret(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            ip=(ip or None) and ip[:64],
            user_agent=(user_agent or None) and user_agent[:500],
        )
    )
    session.flush()
    return StartedSession(token=token, expires_at=expires_at)


def start_session_with_ticket(
    session: Session,
    *,
    ticket: str,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> StartedSession | None:
    """Exchange a ticket for a session: once, within its lifetime, for an account still active.
    None otherwise (an unknown, used or expired ticket reads the same)."""
    now = _now(now)
    if not ticket or len(ticket) > 200:
        return None
    found = session.scalar(
        select(SignInTicket).where(SignInTicket.ticket_hash == hash_secret(ticket)).with_for_update()
    )
    if found is None or found.used_at is not None or as_utc(found.expires_at) <= now:
        return None
    found.used_at = now
    user = session.get(User, found.user_id)
    if user is None or not user.active:
        return None
    return start_session(session, user_id=user.id, ip=ip, user_agent=user_agent, now=now)


@dataclass(frozen=True)
class _Seen:
    session_id: int
    user: SignedInUser
    active: bool
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None


def _read(engine: Engine, token_hash: str) -> _Seen | None:
    """One indexed read (token_hash is unique) on a read-only connection."""
    query = (
        select(
            UserSession.id,
            UserSession.last_seen_at,
            UserSession.expires_at,
            UserSession.ended_at,
            User.id.label("user_id"),
            User.email,
            User.role,
            User.full_name,
            User.active,
            User.all_events,
        )
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash)
    )
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(postgresql_readonly=True)
        row = connection.execute(query).one_or_none()
        if row is None:
            return None
        scope = event_scope(connection, row.user_id, row.all_events)
    return _Seen(
        session_id=row.id,
        user=SignedInUser(
            id=row.user_id, email=row.email, role=row.role, name=row.full_name or row.email, event_ids=scope
        ),
        active=bool(row.active),
        last_seen_at=as_utc(row.last_seen_at),
        expires_at=as_utc(row.expires_at),
        ended_at=row.ended_at,
    )


def _ending_reason(seen: _Seen, now: datetime) -> str | None:
    if not seen.active:
        return "deactivated"
    if now >= seen.expires_at:
        return "expired"
    if now - seen.last_seen_at >= idle_timeout():
        return "idle"
    return None


def resume(engine: Engine, token: str | None, *, now: datetime | None = None) -> SignedInUser | None:
    """The user of the session this token opened, as the database sees them now (current role
    and name), or None when there is no such session or it has ended. A session found past its
    idle or absolute timeout is ended here, with the reason."""
    if not token or len(token) > 200:
        return None
    now = _now(now)
    seen = _read(engine, hash_secret(token))
    if seen is None or seen.ended_at is not None:
        return None
    reason = _ending_reason(seen, now)
    if reason is not None:
        with unit_of_work(engine) as session:
            _end(session, UserSession.id == seen.session_id, reason=reason, now=now)
        return None
    if now - seen.last_seen_at >= TOUCH_EVERY:
        with unit_of_work(engine) as session:
            session.execute(
                update(UserSession)
                .where(UserSession.id == seen.session_id, UserSession.ended_at.is_(None))
                .values(last_seen_at=now)
            )
    return seen.user


def _end(session: Session, condition: ColumnElement[bool], *, reason: str, now: datetime) -> int:
    result = session.execute(
        update(UserSession).where(condition, UserSession.ended_at.is_(None)).values(ended_at=now, ended_reason=reason)
    )
    return cast(CursorResult[Any], result).rowcount


def end_user_sessions(session: Session, *, user_id: int, reason: str, now: datetime | None = None) -> int:
    """End every open session of a user (sign-out, password reset, deactivation)."""
    return _end(session, UserSession.user_id == user_id, reason=reason, now=_now(now))


def sign_out(session: Session, *, token: str, now: datetime | None = None) -> int:
    """Sign out everywhere: end every open session of the user this token belongs to."""
    user_id = session.scalar(select(UserSession.user_id).where(UserSession.token_hash == hash_secret(token or "")))
    if user_id is None:
        return 0
    return end_user_sessions(session, user_id=user_id, reason="signed_out", now=now)
