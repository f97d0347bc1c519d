"""Issue 21: the seller's legal identity, invoices and credit notes, their rendered PDFs, and the
record of voided e-ticket secrets.

An issued document never changes (domain rule 14): on PostgreSQL a trigger refuses an UPDATE or
a DELETE of `invoices` and `invoice_lines` (migration 0027). A credit note stores its amounts
negative, so that `SUM(total_ttc)` over `invoices` is what the organiser is owed; its PDF and its
Factur-X XML print them positive, under the title "Avoir" (type code 381), as the law expects.
The seller and the buyer are copied onto the document when it is issued: a later change of the
seller settings or of the order's billing address never rewrites an issued document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orders_core.models.base import Base, IntPk, Money, Rate, UtcTime, _in

DOCUMENT_KINDS = ("invoice", "credit_note")
# When an order paid online or offline gets its invoice: at its payment, or when asked for.
INVOICE_PAID_ORDERS = ("on_payment", "on_request")


class SellerSettings(Base):
    """The one row (id 1) of the organiser's legal identity, printed on every document."""

    __tablename__ = "seller_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(_in("invoice_paid_orders", INVOICE_PAID_ORDERS), name="invoice_paid_orders"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str] = mapped_column(String(60), default="")  # SAS, SARL, association…
    share_capital: Mapped[str] = mapped_column(String(60), default="")  # as printed: "10 000 €"
    siren: Mapped[str] = mapped_column(String(9), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    rcs_city: Mapped[str] = mapped_column(String(100), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    iban: Mapped[str] = mapped_column(String(34), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    payment_terms: Mapped[str] = mapped_column(Text, default="")  # "30 days from the invoice date"
    late_penalty_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))  # percent a year
    invoice_pattern: Mapped[str] = mapped_column(String(60), default="F{YYYY}-{counter:05}")
    credit_note_pattern: Mapped[str] = mapped_column(String(60), default="A{YYYY}-{counter:05}")
    invoice_paid_orders: Mapped[str] = mapped_column(String(12), default="on_payment")
    updated_at: Mapped[UtcTime | None]
    updated_by: Mapped[str] = mapped_column(String(254), default="")


class Invoice(Base):
    """An invoice or a credit note (`kind`). `series` is the number pattern with its dates filled
    in and the counter left out (`F2026-`): numbers are gapless within a series, allocated from
    the `counters` row `invoice:<series>` in the transaction that issues the document."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint("(kind = 'credit_note') = (corrects_id IS NOT NULL)", name="credit_note_corrects"),
        Index("ix_invoices_issued_at", "issued_at"),
        Index("ix_invoices_series_number", "series", "number"),
    )

    id: Mapped[IntPk]
    number: Mapped[str] = mapped_column(String(60), unique=True)
    series: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    issued_at: Mapped[UtcTime]
    issued_by: Mapped[str] = mapped_column(String(254))
    due_date: Mapped[date | None] = mapped_column(Date)
    service_date: Mapped[date | None] = mapped_column(Date)  # the event's first day
    currency: Mapped[str] = mapped_column(String(3))
    total_ht: Mapped[Money]
    total_tax: Mapped[Money]
    total_ttc: Mapped[Money]
    language: Mapped[str] = mapped_column(String(5), default="fr")
    payment_reference: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # a credit note's why
    # Snapshots taken when issued: the seller settings' fields, and the buyer (name, company,
    # address, postcode, city, country, email, vat_number, siren, is_business) and the event
    # (name, starts_at, venue).
    seller: Mapped[dict[str, Any]] = mapped_column(default=dict)
    buyer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    event: Mapped[dict[str, Any]] = mapped_column(default=dict)

    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position")


class InvoiceLine(Base):
    """One line of a document: a tariff's quantity at its unit price excl. tax, less its
    discount, at its VAT rate. On a credit note the amounts are negative, the quantity not."""

    __tablename__ = "invoice_lines"

    id: Mapped[IntPk]
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # The order line it billed, no foreign key (migration 0028): an order line is rewritten or
    # deleted when the order changes, the issued line never is.
    order_line_id: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_ht: Mapped[Money]
    discount_ht: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax_rate: Mapped[Rate]
    total_ht: Mapped[Money]
    total_tax: Mapped[Money]
    total_ttc: Mapped[Money]


class InvoiceFile(Base):
    """A document's PDF (PDF/A-3 with its Factur-X XML), rendered once by the email sender or at
    the first download, then kept: the same bytes are sent and downloaded ever after."""

    __tablename__ = "invoice_files"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[UtcTime]


class TicketVoid(Base):
    """An e-ticket secret that no longer admits: its holder changed (a new secret was issued) or
    the ticket was cancelled. A scan of a voided secret is told why."""

    __tablename__ = "ticket_voids"

    id: Mapped[IntPk]
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id"), index=True)
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(40))  # holder_changed, cancelled
    voided_at: Mapped[UtcTime]
    voided_by: Mapped[str] = mapped_column(String(254))
