"""Orders and what hangs off them: lines, items, attendees, payments, history, field values."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    func,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from orders_core.models.base import Base, IntPk, Money, Rate, UtcTime, _in, enum_type
from orders_core.payment_state import PaymentState
from orders_core.payment_terms import NOT_CHASED_STATUSES, OWING_STATES
from orders_core.status import DeliveryMode, PaymentMethod, PaymentMode, PaymentPurpose, Source, Status, TariffKind


def new_ticket_secret() -> str:
    """32 URL-safe characters (192 random bits): an e-ticket's QR code, which nobody can guess."""
    return secrets.token_urlsafe(24)


class random_secret(FunctionElement[str]):
    """The database's own 128 random bits as 32 hex characters, one per row: for the attendees
    written by INSERT ... SELECT, where a Python default would be one value for every row."""

    type = String()
    inherit_cache = True


@compiles(random_secret, "postgresql")
def _random_secret_postgresql(element: random_secret, compiler: Any, **kw: Any) -> str:
    return "replace(gen_random_uuid()::text, '-', '')"


@compiles(random_secret)
def _random_secret_sqlite(element: random_secret, compiler: Any, **kw: Any) -> str:
    return "lower(hex(randomblob(16)))"


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("status", Status), name="status"),
        CheckConstraint(_in("payment_mode", PaymentMode), name="payment_mode"),
        CheckConstraint(_in("source", Source), name="source"),
        CheckConstraint("number BETWEEN 1000000 AND 9999999", name="number_seven_digits"),
        CheckConstraint("total_ht >= 0 AND total_ttc >= total_ht", name="totals"),
        # The grid's first page: filter columns then (created_at DESC, id DESC).
        Index("ix_orders_created_at_id", text("created_at DESC"), text("id DESC")),
        Index("ix_orders_status_created_at", "status", text("created_at DESC"), text("id DESC")),
        Index("ix_orders_payment_mode_created_at", "payment_mode", text("created_at DESC"), text("id DESC")),
        Index("ix_orders_event_created_at", "event_id", text("created_at DESC"), text("id DESC")),
        Index("ix_orders_paid_at", "paid_at"),
        Index("ix_orders_buyer_email", "buyer_email"),
        # Finance's receivables and pending list: the few orders owing a balance (issue 20).
        Index(
            "ix_orders_balance_due",
            "created_at",
            "id",
            postgresql_where=text("payment_state = 'partially_paid'"),
            sqlite_where=text("payment_state = 'partially_paid'"),
        ),
        # Finance's "overdue" and the team's "follow-up due" (issue 15): the few orders carrying one.
        Index(
            "ix_orders_due_date",
            "due_date",
            postgresql_where=text("due_date IS NOT NULL"),
            sqlite_where=text("due_date IS NOT NULL"),
        ),
        Index(
            "ix_orders_follow_up_on",
            "follow_up_on",
            postgresql_where=text("follow_up_on IS NOT NULL"),
            sqlite_where=text("follow_up_on IS NOT NULL"),
        ),
    )

    id: Mapped[IntPk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    status: Mapped[Status] = mapped_column(enum_type(Status, 20))
    payment_mode: Mapped[PaymentMode] = mapped_column(enum_type(PaymentMode, 10))
    source: Mapped[Source] = mapped_column(enum_type(Source, 10), default=Source.ONLINE)
    buyer_first_name: Mapped[str] = mapped_column(String(100), default="")
    buyer_last_name: Mapped[str] = mapped_column(String(100), default="")
    buyer_email: Mapped[str] = mapped_column(String(254))
    buyer_phone: Mapped[str] = mapped_column(String(40), default="")
    company_name: Mapped[str] = mapped_column(String(200), default="")
    # Names, email and company folded for search (lower case, no accents): set by the database's
    # triggers (migration 0023_search_fold), never by the application.
    search_folded: Mapped[str] = mapped_column(Text, server_default="")
    billing_address: Mapped[str] = mapped_column(String(300), default="")
    billing_postcode: Mapped[str] = mapped_column(String(20), default="")
    billing_city: Mapped[str] = mapped_column(String(100), default="")
    billing_country: Mapped[str] = mapped_column(String(2), default="")
    vat_number: Mapped[str] = mapped_column(String(40), default="")
    discount_code: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    total_ht: Mapped[Money]
    total_ttc: Mapped[Money]
    amount_paid: Mapped[Money] = mapped_column(default=Decimal("0"))
    # Derived from the ledger by services.ledger (payments - refunds vs total): see payment_state.py.
    payment_state: Mapped[PaymentState] = mapped_column(
        enum_type(PaymentState, 20),
        CheckConstraint(_in("payment_state", PaymentState), name="payment_state"),
        default=PaymentState.UNPAID,
        server_default=PaymentState.UNPAID.value,
    )
    terms_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[UtcTime]
    updated_at: Mapped[UtcTime]
    paid_at: Mapped[UtcTime | None]
    # Issue 15: when an invoice order's money is due (from its event's terms), and the team's follow-up.
    due_date: Mapped[date | None] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Issue 15: finance paused the reminder ladder up to and including this day, and why.
    reminders_paused_until: Mapped[date | None] = mapped_column(Date)
    reminders_pause_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    utm_term: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[UtcTime | None]
    deleted_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic concurrency: bumped by every change, checked by the wizard on save.
    version: Mapped[int] = mapped_column(Integer, default=1)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id")
    items: Mapped[list[OrderItem]] = relationship(back_populates="order", order_by="OrderItem.id")


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint(_in("kind", TariffKind), name="kind"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("discount_amount >= 0", name="discount_not_negative"),
    )

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"), index=True)
    kind: Mapped[TariffKind] = mapped_column(enum_type(TariffKind, 10))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_ht: Mapped[Money]
    tax_rate: Mapped[Rate]
    discount_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    total_ht: Mapped[Money]
    total_ttc: Mapped[Money]

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderItem(Base):
    """One unit of a badge or ticket line, with its holder."""

    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint(_in("delivery_mode", DeliveryMode), name="delivery_mode"),)

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    holder_first_name: Mapped[str] = mapped_column(String(100), default="")
    holder_last_name: Mapped[str] = mapped_column(String(100), default="")
    holder_email: Mapped[str] = mapped_column(String(254), default="")
    search_folded: Mapped[str] = mapped_column(Text, server_default="")  # see Order.search_folded
    seat: Mapped[str | None] = mapped_column(String(40))
    delivery_mode: Mapped[DeliveryMode] = mapped_column(enum_type(DeliveryMode, 10), default=DeliveryMode.E_TICKET)
    created_at: Mapped[UtcTime]

    order: Mapped[Order] = relationship(back_populates="items")


class Attendee(Base):
    """A registered person. Exists only for paid orders; survives the (soft) deletion of its
    order, so `order_id` stays. One attendee per order item at most (validating twice creates
    nothing twice)."""

    __tablename__ = "attendees"
    __table_args__ = (
        # Issue 18: the Attendees page lists an event's attendees by name, a page at a time (keyset).
        Index("ix_attendees_event_name", "event_id", "last_name", "first_name", "id"),
        Index("uq_attendees_ticket_secret", "ticket_secret", unique=True),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    registered_at: Mapped[UtcTime]
    # Set when a refund cancels the order (issue 20): the attendee stays, marked cancelled.
    cancelled_at: Mapped[UtcTime | None]
    # Issue 21: the e-ticket's QR code carries this unguessable secret; a new holder gets a new
    # one and the old one is kept in `ticket_voids`.
    ticket_secret: Mapped[str | None] = mapped_column(String(64), default=new_ticket_secret)


class Payment(Base):
    """A payment received: a row of the ledger, never edited (append-only like the history)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("method", PaymentMethod), name="method"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # Issue 5: at most one settlement (the payment that made the order paid) per order.
        CheckConstraint(_in("purpose", PaymentPurpose), name="purpose"),
        Index(
            "uq_payments_settlement_order_id",
            "order_id",
            unique=True,
            sqlite_where=text("purpose = 'settlement'"),
            postgresql_where=text("purpose = 'settlement'"),
        ),
    )

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod, 20))
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[UtcTime]
    reference: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[UtcTime]
    # Issue 5: `settlement` = the payment that made the order paid; `payment` = any other.
    purpose: Mapped[PaymentPurpose] = mapped_column(
        enum_type(PaymentPurpose, 12), default=PaymentPurpose.PAYMENT, server_default=PaymentPurpose.PAYMENT.value
    )


class Refund(Base):
    """Money given back to a buyer: a row of the ledger, never edited (append-only like payments).
    `orders.amount_paid` = sum of payments - sum of refunds."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(_in("method", PaymentMethod), name="method"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod, 20))
    reference: Mapped[str] = mapped_column(String(200), default="", server_default="")
    refunded_at: Mapped[UtcTime]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[UtcTime]


class OrderHistory(Base):
    """Append-only log of every change to an order: triggers refuse UPDATE and DELETE on both
    databases, and on PostgreSQL the app's role has no right to them (orders_core/privileges.py)."""

    __tablename__ = "order_history"

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[UtcTime]
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)


class FieldValue(Base):
    """A custom field's value on an order (buyer / order forms) or an order item (badge form)."""

    __tablename__ = "field_values"
    __table_args__ = (UniqueConstraint("order_id", "order_item_id", "field_id"),)

    id: Mapped[IntPk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id"))
    field_id: Mapped[int] = mapped_column(ForeignKey("form_fields.id"))
    value: Mapped[str] = mapped_column(Text, default="")


class Counter(Base):
    """Named counters handed out under a row lock; order numbers come from here, so a number is
    never reused, not even after a deletion."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


# Issue 4: the grid's discount-code and source filters, first page by creation date. (The
# pg_trgm GIN search indexes of migrations 0002 and 0023_search_fold are PostgreSQL-only and live
# there alone.)
Index("ix_orders_discount_code_created_at", Order.discount_code, Order.created_at.desc(), Order.id.desc())
Index("ix_orders_source_created_at", Order.source, Order.created_at.desc(), Order.id.desc())

# Issue 19 (migration 0034_grid_indexes): the grid sorted by total, either way (a b-tree is read
# in both directions), with the sort's tie-breaker; and a payment-date range over the orders not
# deleted, covering the page's sort so that SQLite sorts the range without reading the orders.
Index("ix_orders_total_ttc_id", Order.total_ttc, Order.id)
Index(
    "ix_orders_paid_created",
    Order.paid_at,
    Order.created_at,
    Order.id,
    postgresql_where=text("paid_at IS NOT NULL AND deleted_at IS NULL"),
    sqlite_where=text("paid_at IS NOT NULL AND deleted_at IS NULL"),
)


# Issue 19: the overview's to-do items counted on `orders`, each from a partial index of its own
# (migration 0033_todo_indexes). An item's fixed conditions are its index's WHERE and are written
# so in the count's SQL (queries/overview.py): with literal values, since SQLite uses a partial
# index only when the query carries the same terms, and PostgreSQL's generic plans do not see
# bound values. The date and the principal's events are the index keys.
def fixed(value: str) -> BindParameter[str]:
    """A constant written into the SQL as a literal, not bound."""
    return bindparam(None, value, type_=String(), literal_execute=True)


def _fixed_in(column: Any, values: tuple[str, ...]) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = column.in_(
        bindparam(None, list(values), type_=String(), expanding=True, literal_execute=True)
    )
    return condition


TODO_CONDITIONS: dict[str, ColumnElement[bool]] = {
    # still owing, not chased: queries.due.still_owing, with a due date
    "overdue": and_(
        Order.due_date.is_not(None),
        _fixed_in(Order.payment_state, OWING_STATES),
        *(Order.status != fixed(status) for status in NOT_CHASED_STATUSES),
        Order.deleted_at.is_(None),
    ),
    "balance_due": and_(
        Order.status == fixed(Status.PAID.value),
        Order.payment_state == fixed(PaymentState.PARTIALLY_PAID.value),
        Order.deleted_at.is_(None),
    ),
    "refund_due": and_(Order.payment_state == fixed(PaymentState.OVERPAID.value), Order.deleted_at.is_(None)),
    "approvals": and_(Order.status == fixed(Status.PENDING_ADMIN.value), Order.deleted_at.is_(None)),
    "follow_ups": and_(Order.follow_up_on.is_not(None), Order.deleted_at.is_(None)),
}
# An invoice order, not deleted, that still owes part of its total: queries.due.open_invoice, the
# finance dashboard's receivables, with literal values so that PostgreSQL's generic plans may use
# the partial index holding exactly these orders (migration 0037_receivables).
OPEN_INVOICE_CONDITION: ColumnElement[bool] = and_(
    Order.payment_mode == fixed(PaymentMode.INVOICE.value),
    _fixed_in(Order.payment_state, OWING_STATES),
    *(Order.status != fixed(status) for status in NOT_CHASED_STATUSES),
    Order.total_ttc > Order.amount_paid,
    Order.deleted_at.is_(None),
)
Index(
    "ix_orders_open_invoices",
    Order.currency,
    Order.due_date,
    postgresql_include=[
        "event_id",
        "total_ttc",
        "amount_paid",
        "company_name",
        "buyer_email",
    ],
    postgresql_where=OPEN_INVOICE_CONDITION,
    sqlite_where=OPEN_INVOICE_CONDITION,
)
# The top debtors' names and oldest due dates, looked up by buyer among the open invoices (the
# index above leaves the names out, so that PostgreSQL looks them up here rather than scanning it).
Index(
    "ix_orders_open_invoice_buyers",
    func.lower(Order.buyer_email),
    postgresql_where=OPEN_INVOICE_CONDITION,
    sqlite_where=OPEN_INVOICE_CONDITION,
)
# The keys: the fixed column then the event, or the event then the date compared with today.
TODO_INDEX_KEYS: dict[str, tuple[Any, ...]] = {
    "overdue": (Order.event_id, Order.due_date),
    "balance_due": (Order.status, Order.event_id),
    "refund_due": (Order.payment_state, Order.event_id),
    "approvals": (Order.status, Order.event_id),
    "follow_ups": (Order.event_id, Order.follow_up_on),
}
for _key, _columns in TODO_INDEX_KEYS.items():
    Index(
        f"ix_orders_todo_{_key}",
        *_columns,
        postgresql_where=TODO_CONDITIONS[_key],
        sqlite_where=TODO_CONDITIONS[_key],
    )
