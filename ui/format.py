"""Display helpers: translated labels and locale formatting for DataFrames and metrics."""

from __future__ import annotations

from orders_core.i18n import _, format_money
from orders_core.status import PAYMENT_MODE_LABELS, SOURCE_LABELS, STATUS_LABELS, PaymentMode, Source, Status

STATUS_COLOURS = {
    Status.PAID: "green",
    Status.AWAITING_PAYMENT: "orange",
    Status.CART_INCOMPLETE: "gray",
    Status.CANCELLED: "red",
    Status.FAILED: "red",
    Status.PENDING_ADMIN: "violet",
    Status.PENDING_ONLINE: "blue",
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[Status(status)])


def payment_mode_label(mode: str) -> str:
    return _(PAYMENT_MODE_LABELS[PaymentMode(mode)])


def source_label(source: str) -> str:
    return _(SOURCE_LABELS[Source(source)])


def status_badge(status: str) -> str:
    """Markdown badge with the status colour, for st.markdown."""
    return f":{STATUS_COLOURS.get(status, 'gray')}-badge[{status_label(status)}]"


def money(amount, currency: str) -> str:
    return format_money(amount, currency)
