"""Labels of the outbox's statuses and the email kinds, marked for translation (shown with `_`)."""

from __future__ import annotations

from orders_core.i18n import N_

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
}
