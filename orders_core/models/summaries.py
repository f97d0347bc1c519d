"""Summary tables kept in step with orders by database triggers (grid and dashboards)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from orders_core.models.base import Base


class OrderSummary(Base):
    """Issue 4: orders counted and summed per grid filter dimension, kept exactly in step with
    `orders` by database triggers (migration 0002), so the grid's count and per-currency totals
    of a large filtered set read a few thousand rows. Money in whole cents (exact on SQLite)."""

    __tablename__ = "order_summary"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # UTC day of created_at
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    payment_mode: Mapped[str] = mapped_column(String(10), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    total_ht_cents: Mapped[int] = mapped_column(BigInteger)
    total_ttc_cents: Mapped[int] = mapped_column(BigInteger)


# Issue 9: the dashboards' summary tables, kept exactly in step with orders, order_lines and
# payments by the triggers of migration 0007 (generated from orders_core/summaries.py). Money in
# whole cents (exact on SQLite); missing UTM values and codes are stored as ''.


class DashOrderFact(Base):
    """Orders per UTC day of creation, event, status, payment mode, source, currency, code."""

    __tablename__ = "dash_order_facts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    payment_mode: Mapped[str] = mapped_column(String(10), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    discount_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    total_ht_cents: Mapped[int] = mapped_column(BigInteger)
    total_ttc_cents: Mapped[int] = mapped_column(BigInteger)
    amount_paid_cents: Mapped[int] = mapped_column(BigInteger)


class DashUtmFact(Base):
    """Orders per UTC day, event, currency, UTM source / medium / campaign and code, with the
    paid and abandoned ones and the paid totals (the status folded into the figures)."""

    __tablename__ = "dash_utm_facts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    utm_source: Mapped[str] = mapped_column(String(100), primary_key=True)
    utm_medium: Mapped[str] = mapped_column(String(100), primary_key=True)
    utm_campaign: Mapped[str] = mapped_column(String(100), primary_key=True)
    discount_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    paid_orders: Mapped[int] = mapped_column(BigInteger)
    abandoned_orders: Mapped[int] = mapped_column(BigInteger)
    paid_ht_cents: Mapped[int] = mapped_column(BigInteger)
    paid_ttc_cents: Mapped[int] = mapped_column(BigInteger)


class DashLineFact(Base):
    """Order lines per UTC day of their order, event, tariff, order status, currency and code."""

    __tablename__ = "dash_line_facts"
    # Issue 19: the units held per tariff ("Add a ticket" on the order page), index-only.
    __table_args__ = (Index("ix_dash_line_facts_tariff", "event_id", "tariff_id", "deleted", "status", "quantity"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tariff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    discount_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    lines: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    total_ht_cents: Mapped[int] = mapped_column(BigInteger)
    total_ttc_cents: Mapped[int] = mapped_column(BigInteger)
    discount_cents: Mapped[int] = mapped_column(BigInteger)


class DashPaymentFact(Base):
    """Payments per UTC day received, event, method and currency."""

    __tablename__ = "dash_payment_facts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    payments: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class DashRefundFact(Base):
    """Issue 20: refunds per UTC day refunded, event, method and currency (migration
    0017_ledger_reports), the counterpart of `DashPaymentFact`."""

    __tablename__ = "dash_refund_facts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    refunds: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class DashDebtorFact(Base):
    """Issue 19: per currency, company and buyer email (lower case), the open invoices and what
    they still owe (migration 0037_receivables): the finance dashboard's top debtors."""

    __tablename__ = "dash_debtor_facts"
    __table_args__ = (Index("ix_dash_debtor_facts_owed", "currency", "due_cents"),)

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    company: Mapped[str] = mapped_column(String(200), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    due_cents: Mapped[int] = mapped_column(BigInteger)


class DashDueFact(Base):
    """Issue 19: per event, currency and due date (9999-12-31 when none), the open invoices and
    what they still owe (migration 0037_receivables): the ageing by due date, the expected cash."""

    __tablename__ = "dash_due_facts"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(BigInteger)
    due_cents: Mapped[int] = mapped_column(BigInteger)
