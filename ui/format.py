"""Display helpers: translated labels and locale formatting for DataFrames and metrics."""

from __future__ import annotations

from orders_core.i18n import _, format_money, format_number, format_rate, ngettext
from orders_core.status import (
    DELIVERY_MODE_LABELS,
    PAYMENT_MODE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    DeliveryMode,
    PaymentMode,
    Source,
    Status,
)

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


def delivery_mode_label(mode: str) -> str:
    return _(DELIVERY_MODE_LABELS[DeliveryMode(mode)])


def source_label(source: str) -> str:
    return _(SOURCE_LABELS[Source(source)])


def status_badge(status: str) -> str:
    """Markdown badge with the status colour, for st.markdown."""
    return f":{STATUS_COLOURS.get(status, 'gray')}-badge[{status_label(status)}]"


def money(amount, currency: str) -> str:
    return format_money(amount, currency)


def rate(value) -> str:
    """A rate stored in percent (tax rate, discount), for the language: `20 %`, `14,975 %`."""
    return format_rate(value)


def counted(singular: str, plural: str, count) -> str:
    """A message holding a count, in the plural form of that count (`{count}` formatted for the
    language): `counted("{count} order", "{count} orders", n)`, never "1 orders"."""
    number = int(count)
    return ngettext(singular, plural, number).format(count=format_number(number))
