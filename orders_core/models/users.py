"""People who sign in, and the views they save."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    String,
    UniqueConstraint,
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
