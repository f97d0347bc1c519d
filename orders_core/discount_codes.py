"""Discount codes as the domain reads them: their stored form, their uses and whether one is
usable now (the admin services are in services/codes.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _, as_utc, format_datetime_in_zone, ngettext
from orders_core.models import DiscountCode, DiscountCodeTariff, Event, Order
from orders_core.status import NOT_A_USE


def normalize_code(code: str) -> str:
    """The stored form of a code: trimmed and upper-case."""
    return (code or "").strip().upper()


def code_uses(session: Session, code: DiscountCode, *, exclude_order_id: int | None = None) -> int:
    """Orders of the code's event that used it, not deleted, cancelled or failed."""
    query = (
        select(func.count())
        .select_from(Order)
        .where(
            Order.event_id == code.event_id,
            func.upper(Order.discount_code) == code.code,
            Order.deleted_at.is_(None),
            Order.status.notin_(NOT_A_USE),
        )
    )
    if exclude_order_id is not None:
        query = query.where(Order.id != exclude_order_id)
    return int(session.scalar(query) or 0)


def applicable_tariff_ids(session: Session, code_id: int) -> frozenset[int]:
    """Tariffs the code applies to; an EMPTY set means every tariff of its event."""
    return frozenset(
        session.scalars(select(DiscountCodeTariff.tariff_id).where(DiscountCodeTariff.discount_code_id == code_id))
    )


def resolve_discount_code(
    session: Session, *, event_id: int, code: str, at: datetime | None = None, exclude_order_id: int | None = None
) -> DiscountCode:
    """The usable code `code` (any case) of the event at time `at`, or InvalidInput saying why not:
    unknown, inactive, not yet valid, expired or usage limit reached. `exclude_order_id` is the order
    being modified, whose own use of the code does not count against the limit."""
    at = datetime.now(UTC) if at is None else as_utc(at).astimezone(UTC)
    wanted = normalize_code(code)
    found = session.scalars(
        select(DiscountCode).where(DiscountCode.event_id == event_id, DiscountCode.code == wanted)
    ).one_or_none()
    if found is None or not wanted:
        raise InvalidInput(_("The discount code {code} does not exist for this event.").format(code=wanted or "''"))
    timezone = session.scalar(select(Event.timezone).where(Event.id == event_id)) or "UTC"
    if not found.active:
        raise InvalidInput(_("The discount code {code} is not active.").format(code=found.code))
    if found.valid_from is not None and at < as_utc(found.valid_from):
        raise InvalidInput(
            _("The discount code {code} is valid only from {date}.").format(
                code=found.code, date=format_datetime_in_zone(found.valid_from, timezone)
            )
        )
    if found.valid_until is not None and at > as_utc(found.valid_until):
        raise InvalidInput(
            _("The discount code {code} expired on {date}.").format(
                code=found.code, date=format_datetime_in_zone(found.valid_until, timezone)
            )
        )
    if found.max_uses is not None and code_uses(session, found, exclude_order_id=exclude_order_id) >= found.max_uses:
        raise InvalidInput(
            ngettext(
                "The discount code {code} has reached its usage limit ({n} use).",
                "The discount code {code} has reached its usage limit ({n} uses).",
                found.max_uses,
            ).format(code=found.code, n=found.max_uses)
        )
    return found
