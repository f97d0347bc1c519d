"""The seller's legal identity (the `seller_settings` row) and what must be set before any
document is issued: French law lists the mentions, and an invoice missing one is not valid."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import N_, _
from orders_core.models import SellerSettings

# Every field a user edits, with its label (marked for translation), in the page's order.
FIELD_LABELS: dict[str, str] = {
    "legal_name": N_("Legal name"),
    "legal_form": N_("Legal form"),
    "share_capital": N_("Share capital"),
    "siren": N_("SIREN"),
    "siret": N_("SIRET"),
    "rcs_city": N_("RCS city"),
    "vat_number": N_("VAT number"),
    "address": N_("Address"),
    "postcode": N_("Postcode"),
    "city": N_("City"),
    "country": N_("Country"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "iban": N_("IBAN"),
    "bic": N_("BIC"),
    "payment_terms": N_("Payment terms"),
    "late_penalty_rate": N_("Late-penalty rate"),
    "invoice_pattern": N_("Invoice number pattern"),
    "credit_note_pattern": N_("Credit-note number pattern"),
    "invoice_paid_orders": N_("Invoice for orders paid online or offline"),
}

# The settings without which no document is issued (in the page's order).
MANDATORY: dict[str, str] = {
    name: FIELD_LABELS[name]
    for name in (
        "legal_name",
        "legal_form",
        "siren",
        "address",
        "postcode",
        "city",
        "iban",
        "bic",
        "payment_terms",
        "late_penalty_rate",
        "invoice_pattern",
        "credit_note_pattern",
    )
}


def seller_settings(session: Session) -> SellerSettings:
    """The settings row, or an unsaved one with the defaults when none was ever saved."""
    row = session.get(SellerSettings, 1)
    return row if row is not None else SellerSettings(id=1, **_defaults())


def _defaults() -> dict[str, Any]:
    return {
        column.name: column.default.arg
        for column in SellerSettings.__table__.columns
        if column.default is not None and not callable(column.default.arg)
    }


def missing_settings(settings: SellerSettings) -> list[str]:
    """The labels (translated) of the mandatory settings that are empty."""
    return [
        _(label)
        for name, label in MANDATORY.items()
        if getattr(settings, name) in (None, "") or str(getattr(settings, name)).strip() == ""
    ]


def require_complete(settings: SellerSettings) -> None:
    """Refuse to issue a document while a mandatory setting is missing, naming each one."""
    missing = missing_settings(settings)
    if missing:
        raise InvalidInput(
            _("No document can be issued until the seller settings are complete. Missing: {fields}.").format(
                fields=", ".join(missing)
            )
        )


def seller_snapshot(settings: SellerSettings) -> dict[str, Any]:
    """The fields printed on a document, copied onto it when it is issued (JSON-safe)."""
    return {
        column.name: (str(getattr(settings, column.name)) if getattr(settings, column.name) is not None else None)
        for column in SellerSettings.__table__.columns
        if column.name not in {"id", "updated_at", "updated_by", "invoice_paid_orders"}
    }
