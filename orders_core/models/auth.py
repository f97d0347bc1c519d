"""The tables of signing in: server-side sessions, one-time sign-in tickets and failed attempts
per (account, source address). Tokens and tickets are stored only as SHA-256 hashes: a copy of
the database opens no session."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime, _in

SESSION_END_REASONS = ("signed_out", "password_reset", "deactivated", "idle", "expired")


class UserSession(Base):
    """One signed-in browser: the cookie's token (hashed), who, since when, until when."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        CheckConstraint("ended_reason IS NULL OR " + _in("ended_reason", SESSION_END_REASONS), name="ended_reason"),
        Index("ix_user_sessions_user_id", "user_id"),
    )

    id: Mapped[IntPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[UtcTime]
    last_seen_at: Mapped[UtcTime]
    expires_at: Mapped[UtcTime]
    ended_at: Mapped[UtcTime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(20))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))


class SignInTicket(Base):
    """A one-time, short-lived pass from the sign-in form to the route that sets the cookie."""

    __tablename__ = "sign_in_tickets"

    id: Mapped[IntPk]
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[UtcTime]
    expires_at: Mapped[UtcTime]
    used_at: Mapped[UtcTime | None]


class SignInFailure(Base):
    """Failed sign-ins of one typed email from one source address, with its backoff."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (UniqueConstraint("email", "source"),)

    id: Mapped[IntPk]
    email: Mapped[str] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[UtcTime]
    locked_until: Mapped[UtcTime | None]
