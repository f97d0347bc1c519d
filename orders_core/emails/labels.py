"""The outbox's statuses (and what each allows), their labels and the email kinds' labels,
marked for translation (shown with `_`)."""

from __future__ import annotations

from enum import StrEnum

from orders_core.i18n import N_


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def may_retry(status: str) -> bool:
    """Only a failed email is put back in the queue by hand (the sender retries the others)."""
    return status == EmailStatus.FAILED


def waits_for_next_attempt(status: str) -> bool:
    return status == EmailStatus.QUEUED


EMAIL_STATUS_LABELS = {
    "queued": N_("Queued"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
}

KIND_LABELS = {
    "payment_details": N_("Payment details"),
    "order_confirmation": N_("Order confirmation"),
    "tickets": N_("Tickets"),
    "payment_reminder": N_("Payment reminder"),
    "order_changed": N_("Order changed"),
    "order_expired": N_("Order expired"),
    "refund": N_("Refund"),
}
