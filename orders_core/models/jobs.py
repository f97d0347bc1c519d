"""Issue 19: background jobs, work too large for one request (validating more than 10,000
orders), run by the worker in chunks (orders_core/background.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime


class BackgroundJob(Base):
    """One job: who asked (`actor`: the principal's values), what (`kind`, `params`), and how far
    it is (`done` of `total`, shown as progress), then its `result` summary or its `error`."""

    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_background_jobs_status_id", "status", "id"),
    )

    id: Mapped[IntPk]
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    actor: Mapped[dict[str, Any]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[UtcTime]
    started_at: Mapped[UtcTime | None]
    finished_at: Mapped[UtcTime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # A claim runs out here unless the worker renews it with each chunk (a killed worker's job is
    # taken over by another).
    lease_until: Mapped[UtcTime | None]
