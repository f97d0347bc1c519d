"""People who sign in, and the views they save."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime, _in, enum_type
from orders_core.status import Role


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[IntPk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(enum_type(Role, 20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name chosen by the user
    last_login_at: Mapped[UtcTime | None]
    created_at: Mapped[UtcTime]
    # Issue 17: every event, or only those in `user_events` (none: no event at all).
    all_events: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Issue 17: an authenticator app (TOTP, RFC 6238) once enrolled; recovery codes below.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[UtcTime | None]
    # The 30-second step of the last code accepted: a code is accepted once (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)


class UserEvent(Base):
    """Issue 17: an event a user whose `all_events` is false may see and act on."""

    __tablename__ = "user_events"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)


class RecoveryCode(Base):
    """Issue 17: a one-time code that signs in instead of the authenticator app (hashed)."""

    __tablename__ = "user_recovery_codes"

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[UtcTime | None]
    created_at: Mapped[UtcTime]


class SavedView(Base):
    """Issue 9: a named set of a page's URL filters, private or shared with the owner's role."""

    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("user_email", "page", "name"),
        Index("ix_saved_views_page_role", "page", "role"),
    )

    id: Mapped[IntPk]
    user_email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    page: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shared_with_role: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[UtcTime]
