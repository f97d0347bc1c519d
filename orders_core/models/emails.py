"""Email templates and the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime, _in, enum_type
from orders_core.status import EmailKind, OutboxStatus


class EmailTemplate(Base):
    __tablename__ = "email_templates"
    __table_args__ = (CheckConstraint(_in("kind", EmailKind), name="kind"),)

    id: Mapped[IntPk]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[EmailKind] = mapped_column(enum_type(EmailKind, 30))
    language: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    is_html: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[UtcTime]


class OutboxEmail(Base):
    """An email queued in the transaction of the change that asked for it. `next_attempt_at` is
    when a `queued` row is due, and the end of the sender's lease on a `sending` row."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        CheckConstraint(_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_emails_created_at", "created_at"),
        Index("uq_outbox_emails_message_id", "message_id", unique=True),
    )

    id: Mapped[IntPk]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("email_templates.id"))
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus, 10), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[UtcTime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[UtcTime]
    sent_at: Mapped[UtcTime | None]
    # Issue 6: the display name in "To". Issue 13: the Message-ID, chosen when the email is
    # queued and kept across retries (receivers drop a resent duplicate by it).
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(255))
    # Issue 13: when the first failed attempt was (the retry window counts from it), and which
    # sender holds a `sending` row (host:pid:token).
    first_failed_at: Mapped[UtcTime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # Issue 21: documents the sender renders and attaches, e.g. [{"kind": "invoice", "id": 7},
    # {"kind": "ticket", "id": 42}] (an attendee's e-ticket): see orders_core/emails/attachments.py.
    attachments: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    # Issue 19: an email queued without its text (a bulk validation's confirmations): what the
    # sender renders it from when it sends it (orders_core/emails/deferred.py); NULL once rendered.
    to_render: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
