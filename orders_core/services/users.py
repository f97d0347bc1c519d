"""Accounts of the back-office: who may sign in, with which role.

Only administrators manage accounts (the command line acts as `system`). The app can never be
left without an active administrator: the last one can be neither demoted nor deactivated, and
nobody deactivates their own account. Deactivating an account or resetting its password ends
every open session of it at once (orders_core.sessions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core import sessions
from orders_core.auth import forget_failures, normalize_email, waits_by_email
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_id
from orders_core.models import User
from orders_core.passwords import check_password_policy, generate_password, hash_password
from orders_core.permissions import ADMIN, ROLE_LABELS, ROLES, Actor, require
from orders_core.status import Role

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserSummary:
    """One account as the user management page lists it (no password hash)."""

    id: int
    email: str
    full_name: str
    role: str
    active: bool
    locked_until: datetime | None  # the latest wait imposed on sign-ins from some address
    locked: bool  # some address waits now after repeated failed sign-ins
    last_login_at: datetime | None
    created_at: datetime


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(
            _("Unknown role '{role}'; choose one of: {roles}.").format(
                role=role, roles=", ".join(_(ROLE_LABELS[r]) for r in ROLES)
            )
        )


def _get(session: Session, user_id: int) -> User:
    user_id = clean_id(user_id, missing=_("No user with the id {id}.").format(id=str(user_id)[:30]))
    user = session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise InvalidInput(_("No user with the id {id}.").format(id=user_id))
    return user


def _other_active_admins(session: Session, user: User) -> int:
    # Locks every active admin row, so two admins demoting each other at once are serialized.
    ids = session.scalars(
        select(User.id).where(User.role == ADMIN, User.active.is_(True), User.id != user.id).with_for_update()
    ).all()
    return len(ids)


def add_user(session: Session, *, actor: Actor, email: str, role: str, password: str, full_name: str = "") -> User:
    """Create an account; the email is the sign-in name and must be unique."""
    require(actor, "users.manage")
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(_("'{email}' is not a valid email address.").format(email=email[:100]))
    _check_role(role)
    check_password_policy(password, email=email, name=full_name)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise InvalidInput(_("A user with the email {email} already exists.").format(email=email[:100]))
    user = User(
        email=email,
        role=role,
        password_hash=hash_password(password),
        full_name=(full_name or "").strip(),
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def change_role(session: Session, *, actor: Actor, user_id: int, role: str) -> User:
    """Give an account another role; the last active administrator keeps theirs."""
    require(actor, "users.manage")
    _check_role(role)
    user = _get(session, user_id)
    if user.role == ADMIN and role != ADMIN and user.active and not _other_active_admins(session, user):
        raise InvalidInput(
            _("{email} is the last active administrator: make someone else an administrator first.").format(
                email=user.email
            )
        )
    user.role = Role(role)
    return user


def deactivate_user(session: Session, *, actor: Actor, user_id: int) -> User:
    """Stop an account from signing in (its open sessions end at their next action)."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    if normalize_email(actor.email) == user.email:
        raise InvalidInput(_("You cannot deactivate your own account."))
    if user.role == ADMIN and user.active and not _other_active_admins(session, user):
        raise InvalidInput(
            _("{email} is the last active administrator and cannot be deactivated.").format(email=user.email)
        )
    user.active = False
    sessions.end_user_sessions(session, user_id=user.id, reason="deactivated")
    return user


def reactivate_user(session: Session, *, actor: Actor, user_id: int) -> User:
    """Let a deactivated account sign in again, with no wait left from failed attempts."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    user.active = True
    forget_failures(session, user.email)
    return user


def reset_password(session: Session, *, actor: Actor, user_id: int, password: str | None = None) -> str:
    """Set a new password (a generated one when none is given), end every session of the account,
    lift its waits, and return the password so it can be shown once to the administrator."""
    require(actor, "users.manage")
    user = _get(session, user_id)
    password = password or generate_password()
    check_password_policy(password, email=user.email, name=user.full_name)
    user.password_hash = hash_password(password)
    forget_failures(session, user.email)
    sessions.end_user_sessions(session, user_id=user.id, reason="password_reset")
    return password


def list_users(session: Session, *, actor: Actor) -> list[UserSummary]:
    """Every account, active ones first, by email."""
    require(actor, "users.manage")
    now = datetime.now(UTC)
    rows = session.scalars(select(User).order_by(User.active.desc(), User.email)).all()
    waits = waits_by_email(session, now)
    return [
        UserSummary(
            id=u.id,
            email=u.email,
            full_name=u.full_name or "",
            role=u.role,
            active=bool(u.active),
            locked_until=waits.get(u.email),
            locked=u.email in waits,
            last_login_at=u.last_login_at,
            created_at=u.created_at,
        )
        for u in rows
    ]
