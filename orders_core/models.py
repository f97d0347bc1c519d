"""The schema, as SQLAlchemy 2.0 typed models. Table and column names are a public interface
(domain.md): finance and BI tools query them directly. Migrations create it; these models
must never drift from them (a test compares both)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from orders_core.permissions import ROLES
from orders_core.status import DeliveryMode, PaymentMethod, PaymentMode, Source, Status, TariffKind

Money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
# Percent with three decimals: Québec's GST+QST is 14.975 %.
Rate = Annotated[Decimal, mapped_column(Numeric(6, 3))]
IntPk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
UtcTime = Annotated[datetime, mapped_column(DateTime(timezone=True))]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[IntPk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name chosen by the user
    last_login_at: Mapped[UtcTime | None]
    created_at: Mapped[UtcTime]


class Event(Base):
    __tablename__ = "events"

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[UtcTime]
    ends_at: Mapped[UtcTime | None]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(5), default="en")
    seated: Mapped[bool] = mapped_column(Boolean, default=False)
    community: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_details: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[UtcTime | None]
    created_at: Mapped[UtcTime]

    tariffs: Mapped[list[Tariff]] = relationship(back_populates="event", order_by="Tariff.id")


class Tariff(Base):
    __tablename__ = "tariffs"
    __table_args__ = (
        CheckConstraint(_in("kind", TariffKind), name="kind"),
        CheckConstraint("unit_price_ht >= 0", name="price_not_negative"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200), default="")
    unit_price_ht: Mapped[Money]
    tax_rate: Mapped[Rate]
    currency: Mapped[str] = mapped_column(String(3))
    capacity: Mapped[int | None] = mapped_column(Integer)
    sales_start: Mapped[UtcTime | None]
    sales_end: Mapped[UtcTime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[UtcTime]

    event: Mapped[Event] = relationship(back_populates="tariffs")


class DiscountCode(Base):
    """Codes are stored upper-case, which makes them case-insensitive and unique per event."""

    __tablename__ = "discount_codes"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("(percent_off IS NULL) <> (amount_off IS NULL)", name="percent_or_amount"),
        CheckConstraint("percent_off IS NULL OR (percent_off > 0 AND percent_off <= 100)", name="percent_range"),
        CheckConstraint("amount_off IS NULL OR amount_off > 0", name="amount_positive"),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    percent_off: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_off: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[UtcTime | None]
    valid_until: Mapped[UtcTime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[UtcTime]


class DiscountCodeTariff(Base):
    """Tariffs a code applies to; a code without rows here applies to every tariff."""

    __tablename__ = "discount_code_tariffs"

    discount_code_id: Mapped[int] = mapped_column(ForeignKey("discount_codes.id"), primary_key=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"), primary_key=True)


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
    )

    id: Mapped[IntPk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    status: Mapped[str] = mapped_column(String(20))
    payment_mode: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10), default=Source.ONLINE.value)
    buyer_first_name: Mapped[str] = mapped_column(String(100), default="")
    buyer_last_name: Mapped[str] = mapped_column(String(100), default="")
    buyer_email: Mapped[str] = mapped_column(String(254))
    buyer_phone: Mapped[str] = mapped_column(String(40), default="")
    company_name: Mapped[str] = mapped_column(String(200), default="")
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
    terms_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[UtcTime]
    updated_at: Mapped[UtcTime]
    paid_at: Mapped[UtcTime | None]
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
    kind: Mapped[str] = mapped_column(String(10))
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
    seat: Mapped[str | None] = mapped_column(String(40))
    delivery_mode: Mapped[str] = mapped_column(String(10), default=DeliveryMode.E_TICKET.value)
    created_at: Mapped[UtcTime]

    order: Mapped[Order] = relationship(back_populates="items")


class Attendee(Base):
    """A registered person. Exists only for paid orders; survives the (soft) deletion of its
    order, so `order_id` stays. One attendee per order item at most (validating twice creates
    nothing twice)."""

    __tablename__ = "attendees"

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    registered_at: Mapped[UtcTime]


class Payment(Base):
    """A payment received: a row of the ledger, never edited (append-only like the history)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("method", PaymentMethod), name="method"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # Issue 5: at most one settlement (the payment that made the order paid) per order.
        CheckConstraint("purpose IN ('payment', 'settlement')", name="purpose"),
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
    method: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[UtcTime]
    reference: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[UtcTime]
    # Issue 5: `settlement` = the payment that made the order paid; `payment` = any other.
    purpose: Mapped[str] = mapped_column(String(12), default="payment", server_default="payment")


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


class EmailTemplate(Base):
    __tablename__ = "email_templates"
    __table_args__ = (
        CheckConstraint(
            _in("kind", ("payment_details", "order_confirmation", "tickets", "payment_reminder", "order_changed")),
            name="kind",
        ),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
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
        CheckConstraint(_in("status", ("queued", "sending", "sent", "failed")), name="status"),
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
    status: Mapped[str] = mapped_column(String(10), default="queued")
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


class FormField(Base):
    """An extra field of an event's buyer, badge, order or product form (rule 6)."""

    __tablename__ = "form_fields"
    __table_args__ = (
        UniqueConstraint("event_id", "form", "key"),
        CheckConstraint(_in("form", ("buyer", "badge", "order", "product")), name="form"),
        CheckConstraint(
            _in("field_type", ("text", "email", "number", "date", "select", "multiselect", "checkbox")),
            name="field_type",
        ),
    )

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    form: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(64))
    field_type: Mapped[str] = mapped_column(String(12))
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


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


class CatalogueHistory(Base):
    """Append-only log of every change to events, tariffs and discount codes (issue 7); triggers
    refuse edits on both databases (and privileges on PostgreSQL). `entity_id` has no foreign key
    so a deleted tariff or code keeps its log."""

    __tablename__ = "catalogue_history"
    __table_args__ = (CheckConstraint(_in("entity", ("event", "tariff", "discount_code")), name="entity"),)

    id: Mapped[IntPk]
    at: Mapped[UtcTime]
    actor: Mapped[str] = mapped_column(String(254))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)


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


# Issue 4: the grid's discount-code and source filters, first page by creation date. (The
# pg_trgm GIN search indexes of migration 0002 are PostgreSQL-only and live there alone.)
Index("ix_orders_discount_code_created_at", Order.discount_code, Order.created_at.desc(), Order.id.desc())
Index("ix_orders_source_created_at", Order.source, Order.created_at.desc(), Order.id.desc())


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
        CheckConstraint("status IN ('unmatched', 'partial', 'matched', 'ignored')", name="status"),
        CheckConstraint("amount > 0 AND allocated >= 0 AND allocated <= amount", name="allocation"),
    )

    id: Mapped[IntPk]
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    booked_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3))
    payer: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(500), default="")
    bank_id: Mapped[str | None] = mapped_column(String(100))
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="unmatched")
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


# Sign-in sessions, tickets and per-address failures live in their own module (one capability);
# imported here so that `Base.metadata` always holds every table.
from orders_core import auth_models  # noqa: E402, F401
