"""The reminder ladder (issue 15): each event's steps, and each reminder sent to an order."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, UtcTime, _in
from orders_core.reminders import MAX_OFFSET, MIN_OFFSET, ReminderStep


class ReminderLadderStep(Base):
    """One step of an event's ladder, as edited; an event without rows uses the default ladder."""

    __tablename__ = "reminder_ladder_steps"
    __table_args__ = (
        UniqueConstraint("event_id", "step"),
        CheckConstraint(_in("step", ReminderStep), name="step"),
        CheckConstraint(f"offset_days BETWEEN {MIN_OFFSET} AND {MAX_OFFSET}", name="offset_days_range"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    offset_days: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[UtcTime]


class PaymentReminder(Base):
    """A reminder step sent to an order: at most one per (order, step), which is what keeps two
    workers (or a worker and a finance click) from sending the same step twice."""

    __tablename__ = "payment_reminders"
    __table_args__ = (
        UniqueConstraint("order_id", "step"),
        CheckConstraint(_in("step", ReminderStep), name="step"),
    )

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    step: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date] = mapped_column(Date)  # the order's due date the step was counted from
    sent_at: Mapped[UtcTime]
    actor: Mapped[str] = mapped_column(String(254))  # `system` for the worker, else who clicked
    outbox_email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id"))
