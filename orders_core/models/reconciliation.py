"""Issue 10: bank statements, their transactions and the allocations to orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base, IntPk, Money, UtcTime, _in, enum_type
from orders_core.status import BankDirection, BankLineClass, BankTransactionStatus


class BankStatement(Base):
    """Issue 10: an imported bank statement (CSV or CAMT.053)."""

    __tablename__ = "bank_statements"

    id: Mapped[IntPk]
    filename: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(10))
    imported_at: Mapped[UtcTime]
    imported_by: Mapped[str] = mapped_column(String(254))
    lines_read: Mapped[int] = mapped_column(Integer, default=0)
    lines_new: Mapped[int] = mapped_column(Integer, default=0)
    lines_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)


class BankTransaction(Base):
    """Issue 10: one incoming transfer. `checksum` makes a re-import or an overlapping statement
    create no duplicate (the bank's id when given, else date, amount, payer and reference)."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        CheckConstraint(_in("status", BankTransactionStatus), name="status"),
        # amount is the line's magnitude (direction says which way); a zero line is kept, ignored.
        CheckConstraint("amount >= 0 AND allocated >= 0 AND allocated <= amount", name="allocation"),
        CheckConstraint(_in("direction", BankDirection), name="direction"),
    )

    id: Mapped[IntPk]
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    booked_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Money]
    direction: Mapped[BankDirection] = mapped_column(
        enum_type(BankDirection, 6), default=BankDirection.CREDIT, server_default=BankDirection.CREDIT.value
    )
    currency: Mapped[str] = mapped_column(String(3))
    payer: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(500), default="")
    bank_id: Mapped[str | None] = mapped_column(String(100))
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[BankTransactionStatus] = mapped_column(
        enum_type(BankTransactionStatus, 10), default=BankTransactionStatus.UNMATCHED
    )
    allocated: Mapped[Money] = mapped_column(default=Decimal("0"))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[UtcTime]


class BankAllocation(Base):
    """Issue 10: the part of a transfer recorded as a payment on one order."""

    __tablename__ = "bank_allocations"

    id: Mapped[IntPk]
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[Money]
    created_at: Mapped[UtcTime]
    actor: Mapped[str] = mapped_column(String(254))


class BankRefundAllocation(Base):
    """Issue 16: the part of an outgoing line matched to a recorded refund (a refund is paid once)."""

    __tablename__ = "bank_refund_allocations"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[IntPk]
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id"), index=True, unique=True)
    amount: Mapped[Money]
    created_at: Mapped[UtcTime]
    actor: Mapped[str] = mapped_column(String(254))


class BankLineClassification(Base):
    """Issue 16: what the classifier decided about one statement line, and why. Written when the
    statement is imported (and again when finance asks to re-classify), read by the page: a click
    never recomputes it. `reason` holds a message key and its parameters, translated when shown."""

    __tablename__ = "bank_line_classes"
    __table_args__ = (
        CheckConstraint(_in("classification", BankLineClass), name="classification"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score"),
        Index("ix_bank_line_classes_statement_id_classification", "statement_id", "classification"),
    )

    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"))
    classification: Mapped[BankLineClass] = mapped_column(enum_type(BankLineClass, 20))
    reason: Mapped[dict[str, Any]] = mapped_column(default=dict)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    score: Mapped[int | None] = mapped_column(Integer)
    decided: Mapped[bool] = mapped_column(Boolean, default=False)
    classified_at: Mapped[UtcTime]
