"""The schema, as SQLAlchemy 2.0 typed models, one module per capability. Table and column names
are a public interface (domain.md): finance and BI tools query them directly. Migrations create
it; these models must never drift from them (a test compares both). Every model is re-exported
here, so `from orders_core.models import Order` is the one way to import them, and importing
this package fills `Base.metadata` with every table."""

from __future__ import annotations

from orders_core.models.audit import AppSetting, AuditEntry
from orders_core.models.auth import SignInFailure, SignInTicket, UserSession
from orders_core.models.base import NAMING, Base, IntPk, Money, Rate, UtcTime, _in, enum_type
from orders_core.models.catalogue import (
    CatalogueHistory,
    DiscountCode,
    DiscountCodeTariff,
    Event,
    FormField,
    Tariff,
)
from orders_core.models.documents import Invoice, InvoiceFile, InvoiceLine, SellerSettings, TicketVoid
from orders_core.models.drafts import WizardDraft
from orders_core.models.emails import EmailTemplate, OutboxEmail
from orders_core.models.jobs import BackgroundJob
from orders_core.models.orders import (
    Attendee,
    Counter,
    FieldValue,
    Order,
    OrderHistory,
    OrderItem,
    OrderLine,
    Payment,
    Refund,
)
from orders_core.models.reconciliation import (
    BankAllocation,
    BankLineClassification,
    BankRefundAllocation,
    BankStatement,
    BankTransaction,
)
from orders_core.models.reminders import PaymentReminder, ReminderLadderStep
from orders_core.models.seats import Seat, SeatAssignment
from orders_core.models.summaries import (
    DashDebtorFact,
    DashDueFact,
    DashLineFact,
    DashOrderFact,
    DashPaymentFact,
    DashRefundFact,
    DashUtmFact,
    OrderSummary,
)
from orders_core.models.users import RecoveryCode, SavedView, User, UserEvent

__all__ = [
    "BackgroundJob",
    "AppSetting",
    "AuditEntry",
    "RecoveryCode",
    "UserEvent",
    "TicketVoid",
    "SellerSettings",
    "InvoiceLine",
    "InvoiceFile",
    "Invoice",
    "NAMING",
    "Attendee",
    "BankAllocation",
    "BankLineClassification",
    "BankRefundAllocation",
    "BankStatement",
    "BankTransaction",
    "Base",
    "CatalogueHistory",
    "Counter",
    "DashLineFact",
    "DashOrderFact",
    "DashPaymentFact",
    "DashDebtorFact",
    "DashDueFact",
    "DashRefundFact",
    "DashUtmFact",
    "DiscountCode",
    "DiscountCodeTariff",
    "EmailTemplate",
    "Event",
    "FieldValue",
    "FormField",
    "IntPk",
    "Money",
    "Order",
    "OrderHistory",
    "OrderItem",
    "OrderLine",
    "OrderSummary",
    "OutboxEmail",
    "Payment",
    "PaymentReminder",
    "Refund",
    "ReminderLadderStep",
    "Rate",
    "SavedView",
    "Seat",
    "SeatAssignment",
    "SignInFailure",
    "SignInTicket",
    "Tariff",
    "User",
    "UserSession",
    "UtcTime",
    "WizardDraft",
    "_in",
    "enum_type",
]
