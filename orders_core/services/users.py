"""Accounts of the back-office: who may sign in, with which role."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.models import User
from orders_core.passwords import hash_password

ROLES = ("admin", "event_manager", "finance", "marketer")
MIN_PASSWORD_LENGTH = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("The password must have at least {n} characters.").format(n=MIN_PASSWORD_LENGTH))


def add_user(session: Session, *, email: str, role: str, password: str, full_name: str = "") -> User:
    """Create an account; the email is the sign-in name and must be unique."""
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(_("'{email}' is not a valid email address.").format(email=email))
    if role not in ROLES:
        raise InvalidInput(_("Unknown role '{role}'; choose one of: {roles}.").format(role=role, roles=", ".join(ROLES)))
    check_new_password(password)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise InvalidInput(_("A user with the email {email} already exists.").format(email=email))
    user = User(email=email, role=role, password_hash=hash_password(password), full_name=full_name.strip(),
                active=True, failed_logins=0, created_at=datetime.now(UTC))
    session.add(user)
    session.flush()
    return user


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))
