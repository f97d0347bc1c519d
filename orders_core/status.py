"""Statuses, payment modes, sources, roles and the other closed sets of values the schema stores,
and the transition table of domain.md. Each set is defined here once: the models store these
enums (as their string values), the CHECK constraints and every form list derive from them.
Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum

from orders_core.i18n import N_


class Status(StrEnum):
    CART_INCOMPLETE = "cart_incomplete"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    CANCELLED = "cancelled"
    FAILED = "failed"
    PENDING_ADMIN = "pending_admin"
    PENDING_ONLINE = "pending_online"


class PaymentMode(StrEnum):
    ONLINE = "online"
    INVOICE = "invoice"
    FREE = "free"
    UNDEFINED = "undefined"
    # Paid at the desk (cash, card, cheque) on an organiser order that was not waiting for an
    # invoice to be paid: set by the ledger when such a payment settles it (order_rules).
    BOX_OFFICE = "box_office"


class Source(StrEnum):
    ONLINE = "online"
    ORGANIZER = "organizer"


class TariffKind(StrEnum):
    BADGE = "badge"
    TICKET = "ticket"
    PRODUCT = "product"


class PaymentMethod(StrEnum):
    """How money was received. `online` is the payment provider; the others are offline."""

    ONLINE = "online"
    BANK_TRANSFER = "bank_transfer"
    CHEQUE = "cheque"
    CASH = "cash"
    CARD = "card"
    OTHER = "other"


class DeliveryMode(StrEnum):
    E_TICKET = "e_ticket"
    WILL_CALL = "will_call"
    MAIL = "mail"


class Role(StrEnum):
    """Who a signed-in person is (permissions.py says what each may do)."""

    ADMIN = "admin"
    EVENT_MANAGER = "event_manager"
    FINANCE = "finance"
    MARKETER = "marketer"


class PaymentPurpose(StrEnum):
    """Issue 5: `settlement` is the payment that made the order paid; `payment` any other."""

    PAYMENT = "payment"
    SETTLEMENT = "settlement"


class EmailKind(StrEnum):
    PAYMENT_DETAILS = "payment_details"
    ORDER_CONFIRMATION = "order_confirmation"
    TICKETS = "tickets"
    PAYMENT_REMINDER = "payment_reminder"
    ORDER_CHANGED = "order_changed"
    REFUND = "refund"  # issue 20: the refund email
    ORDER_EXPIRED = "order_expired"  # issue 15: the worker's expiry


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class FormKind(StrEnum):
    """The forms an event's custom fields belong to (rule 6), in the order they are offered."""

    BUYER = "buyer"
    ORDER = "order"
    BADGE = "badge"
    PRODUCT = "product"


class FieldType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"
    CHECKBOX = "checkbox"


class CatalogueEntity(StrEnum):
    EVENT = "event"
    TARIFF = "tariff"
    DISCOUNT_CODE = "discount_code"
    SELLER = "seller"  # issue 21: the seller settings (one row, id 1), admins only


class BankTransactionStatus(StrEnum):
    UNMATCHED = "unmatched"
    PARTIAL = "partial"
    MATCHED = "matched"
    IGNORED = "ignored"


class BankDirection(StrEnum):
    """Which way a statement line's money went (issue 16): in to the organiser, or out (a refund)."""

    CREDIT = "credit"
    DEBIT = "debit"


class BankLineClass(StrEnum):
    """What the classifier decided about a statement line (issue 16), stored in bank_line_classes."""

    MATCHED = "matched"
    PARTIAL = "partial"
    OVERPAID = "overpaid"
    ALREADY_PAID = "already_paid"
    CANCELLED_ORDER = "cancelled_order"
    CURRENCY_MISMATCH = "currency_mismatch"
    REFUND = "refund"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    NO_MATCH = "no_match"


# Transfers with money still to allocate.
OPEN_BANK_STATUSES: tuple[BankTransactionStatus, ...] = (BankTransactionStatus.UNMATCHED, BankTransactionStatus.PARTIAL)

# Money received outside the payment provider: the one list every form and service offers.
OFFLINE_METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.CHEQUE,
    PaymentMethod.CASH,
    PaymentMethod.CARD,
    PaymentMethod.OTHER,
)
# What the box office takes at the desk (event managers record these on organiser orders).
BOX_OFFICE_METHODS: tuple[PaymentMethod, ...] = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.CHEQUE)

# Kinds that admit a person: one order item (and, once paid, one attendee) per unit.
ADMITTING_KINDS = frozenset({TariffKind.BADGE, TariffKind.TICKET})

# Quick filter groups of the grid (domain.md).
STATUS_GROUPS: dict[str, tuple[Status, ...]] = {
    "validated": (Status.PAID,),
    "pending": (Status.AWAITING_PAYMENT,),
    "not_completed": (Status.CART_INCOMPLETE, Status.CANCELLED, Status.FAILED),
}

# Units of a tariff an order holds: sold once paid, reserved while the payment is awaited.
SOLD_STATUSES: tuple[Status, ...] = (Status.PAID,)
AWAITING_STATUSES: tuple[Status, ...] = (Status.AWAITING_PAYMENT, Status.PENDING_ADMIN, Status.PENDING_ONLINE)
HOLDING_STATUSES: tuple[Status, ...] = SOLD_STATUSES + AWAITING_STATUSES
# Orders that do not count as a use of their discount code.
NOT_A_USE: tuple[Status, ...] = (Status.CANCELLED, Status.FAILED)

FINAL_STATUSES = frozenset({Status.PAID, Status.CANCELLED})
# Nothing to confirm for an order that never went through or was cancelled.
NOT_CONFIRMABLE = frozenset({Status.CART_INCOMPLETE, Status.FAILED, Status.CANCELLED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.AWAITING_PAYMENT: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PENDING_ADMIN: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PENDING_ONLINE: frozenset({Status.PAID, Status.FAILED, Status.CANCELLED}),
    Status.CART_INCOMPLETE: frozenset({Status.AWAITING_PAYMENT, Status.PAID, Status.CANCELLED}),
    Status.FAILED: frozenset({Status.AWAITING_PAYMENT, Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Labels are marked for translation here and translated where they are shown.
STATUS_LABELS: dict[Status, str] = {
    Status.CART_INCOMPLETE: N_("Cart not completed"),
    Status.AWAITING_PAYMENT: N_("Awaiting payment"),
    Status.PAID: N_("Payment validated"),
    Status.CANCELLED: N_("Payment cancelled"),
    Status.FAILED: N_("Payment failed"),
    Status.PENDING_ADMIN: N_("Pending validation (administrator)"),
    Status.PENDING_ONLINE: N_("Pending validation (online payment)"),
}

PAYMENT_MODE_LABELS: dict[PaymentMode, str] = {
    PaymentMode.ONLINE: N_("Online"),
    PaymentMode.INVOICE: N_("On invoice"),
    PaymentMode.FREE: N_("Free"),
    PaymentMode.UNDEFINED: N_("Undefined"),
    PaymentMode.BOX_OFFICE: N_("At the box office"),
}

DELIVERY_MODE_LABELS: dict[DeliveryMode, str] = {
    DeliveryMode.E_TICKET: N_("E-ticket"),
    DeliveryMode.WILL_CALL: N_("Will call (box office)"),
    DeliveryMode.MAIL: N_("By post"),
}

SOURCE_LABELS: dict[Source, str] = {
    Source.ONLINE: N_("Online"),
    Source.ORGANIZER: N_("By the organiser"),
}

PAYMENT_METHOD_LABELS: dict[PaymentMethod, str] = {
    PaymentMethod.ONLINE: N_("Online payment provider"),
    PaymentMethod.BANK_TRANSFER: N_("Bank transfer"),
    PaymentMethod.CHEQUE: N_("Cheque"),
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.CARD: N_("Card"),
    PaymentMethod.OTHER: N_("Other"),
}

TARIFF_KIND_LABELS: dict[TariffKind, str] = {
    TariffKind.BADGE: N_("Badge"),
    TariffKind.TICKET: N_("Ticket"),
    TariffKind.PRODUCT: N_("Product"),
}

STATUS_GROUP_LABELS: dict[str, str] = {
    "validated": N_("Validated"),
    "pending": N_("Pending"),
    "not_completed": N_("Not completed"),
}


def can_transition(current: Status | str, target: Status | str) -> bool:
    """True when domain.md allows moving an order from `current` to `target`."""
    return Status(target) in TRANSITIONS[Status(current)]


def is_editable(status: Status | str) -> bool:
    """Paid and cancelled orders are read-only (rule 1); everything else may be edited."""
    return Status(status) not in FINAL_STATUSES
