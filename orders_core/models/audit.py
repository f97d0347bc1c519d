"""Issue 17: the audit trail (append-only) and the application's settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime


class AuditEntry(Base):
    """Who did what that matters to security or privacy: sign-ins (and failures), exports,
    role and scope changes, users added or deactivated, erasures. Never updated or deleted (a
    trigger refuses it, as for the ledger)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[IntPk]
    at: Mapped[UtcTime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(254), default="", server_default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(String(100), default="", server_default="")


class AppSetting(Base):
    """One setting of the whole application, by key (e.g. the two-factor obligation)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[UtcTime]
    updated_by: Mapped[str] = mapped_column(String(254))
