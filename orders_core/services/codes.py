"""Discount codes of an event (issue 7): stored upper-case, so case-insensitive and unique per
event; a percentage (0 < p <= 100, 100 % makes the order free) or a fixed amount in the event's
currency; optional applicable tariffs (none = every tariff), usage limit and validity dates.

The order wizard uses `resolve_discount_code` and `applicable_tariff_ids` (orders_core/discount_codes.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orders_core.discount_codes import applicable_tariff_ids, code_uses, normalize_code
from orders_core.errors import InvalidInput
from orders_core.i18n import _, ngettext
from orders_core.inputs import MAX_ID, clean_ids, clean_int
from orders_core.models import DiscountCode, DiscountCodeTariff, Order, Tariff
from orders_core.permissions import Actor, require
from orders_core.services.catalogue_rules import (
    CAPABILITY,
    as_decimal,
    check_window,
    diff,
    get_event,
    log,
    snapshot,
    to_utc,
)
from orders_core.services.guards import lock_by_id

CODE_FIELDS = ("code", "percent_off", "amount_off", "max_uses", "valid_from", "valid_until", "active")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,63}$")


def _orders_with(session: Session, code: DiscountCode) -> int:
    """Every order of the event that carries the code, whatever its status, even deleted."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.event_id == code.event_id, func.upper(Order.discount_code) == code.code)
        )
        or 0
    )


def _get_code(session: Session, code_id: int, actor: Actor) -> DiscountCode:
    return lock_by_id(
        session, DiscountCode, code_id, _("Discount code {id} does not exist.").format(id=code_id), actor=actor
    )


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(CODE_FIELDS)
    if unknown:
        raise TypeError(f"unknown discount code fields: {sorted(unknown)}")
    clean = dict(values)
    if "code" in clean:
        clean["code"] = normalize_code(clean["code"])
        if not CODE_PATTERN.match(clean["code"]):
            raise InvalidInput(_("A code is 1 to 64 letters, digits, '-' or '_' (no spaces or accents)."))
    if clean.get("percent_off") is not None:
        percent = as_decimal(clean["percent_off"], field=_("Percent off"), places=2)
        if not Decimal(0) < percent <= Decimal(100):
            raise InvalidInput(_("A percentage must be more than 0 % and at most 100 %."))
        clean["percent_off"] = percent
    if clean.get("amount_off") is not None:
        amount = as_decimal(clean["amount_off"], field=_("Amount off"), places=2)
        if amount <= 0:
            raise InvalidInput(_("A fixed amount off must be more than zero."))
        if amount >= Decimal("10000000000"):
            raise InvalidInput(_("The amount off is too large."))
        clean["amount_off"] = amount
    if clean.get("max_uses") is not None:
        try:
            clean["max_uses"] = clean_int(clean["max_uses"], label=_("The usage limit"), minimum=1, maximum=MAX_ID)
        except InvalidInput:
            message = _("The usage limit must be a whole number of at least 1 (empty for unlimited).")
            raise InvalidInput(message) from None
    for field in ("valid_from", "valid_until"):
        if field in clean:
            clean[field] = to_utc(clean[field])
    if "active" in clean:
        clean["active"] = bool(clean["active"])
    return clean


def _check_kind(percent_off: Decimal | None, amount_off: Decimal | None) -> None:
    if (percent_off is None) == (amount_off is None):
        raise InvalidInput(_("Give either a percentage or a fixed amount off, not both."))


def _check_unique(session: Session, event_id: int, code: str, *, except_id: int | None = None) -> None:
    query = select(DiscountCode.id).where(DiscountCode.event_id == event_id, DiscountCode.code == code)
    if except_id is not None:
        query = query.where(DiscountCode.id != except_id)
    if session.scalar(query) is not None:
        raise InvalidInput(
            _("The code {code} already exists for this event (codes ignore upper/lower case).").format(code=code)
        )


def _check_tariffs(session: Session, event_id: int, tariff_ids: Any) -> list[int]:
    ids = clean_ids(tariff_ids or (), what=_("a tariff id"))
    if ids:
        found = set(session.scalars(select(Tariff.id).where(Tariff.id.in_(ids), Tariff.event_id == event_id)))
        if found != set(ids):
            raise InvalidInput(_("Some selected tariffs do not belong to this event."))
    return ids


def create_code(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    code: str,
    percent_off: Any = None,
    amount_off: Any = None,
    tariff_ids: Iterable[int] = (),
    max_uses: int | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    active: bool = True,
) -> DiscountCode:
    """Add a discount code to an event; `tariff_ids` empty means every tariff."""
    require(actor, CAPABILITY)
    values = _clean(
        dict(
            code=code,
            percent_off=percent_off,
            amount_off=amount_off,
            max_uses=max_uses,
            valid_from=valid_from,
            valid_until=valid_until,
            active=active,
        )
    )
    _check_kind(values["percent_off"], values["amount_off"])
    check_window(values["valid_from"], values["valid_until"], what=_("Validity dates"))
    event = get_event(session, event_id, actor=actor, lock=True)
    _check_unique(session, event.id, values["code"])
    ids = _check_tariffs(session, event.id, tariff_ids)
    found = DiscountCode(event_id=event.id, created_at=datetime.now(UTC), **values)
    session.add(found)
    session.flush()
    session.add_all(DiscountCodeTariff(discount_code_id=found.id, tariff_id=t) for t in ids)
    details = snapshot(found, CODE_FIELDS)
    details["tariff_ids"] = {"old": None, "new": ids}
    log(
        session,
        actor=actor,
        entity="discount_code",
        entity_id=found.id,
        event_id=event.id,
        action="created",
        details=details,
    )
    session.flush()
    return found


def update_code(
    session: Session,
    *,
    actor: Actor,
    code_id: int,
    reason: str | None = None,
    tariff_ids: Iterable[int] | None = None,
    **fields: Any,
) -> dict[str, dict[str, Any]]:
    """Change some fields (keywords among CODE_FIELDS, plus `tariff_ids`); returns what changed.
    A code already used by orders keeps its text (orders refer to it by text)."""
    require(actor, CAPABILITY)
    values = _clean(fields)
    found = _get_code(session, code_id, actor)
    percent = values.get("percent_off", found.percent_off)
    amount = values.get("amount_off", found.amount_off)
    if "percent_off" in values and values["percent_off"] is not None and "amount_off" not in values:
        amount = values["amount_off"] = None
    if "amount_off" in values and values["amount_off"] is not None and "percent_off" not in values:
        percent = values["percent_off"] = None
    _check_kind(percent, amount)
    check_window(
        values.get("valid_from", found.valid_from),
        values.get("valid_until", found.valid_until),
        what=_("Validity dates"),
    )
    changes = diff(found, values)
    if "code" in changes:
        _check_unique(session, found.event_id, values["code"], except_id=found.id)
        if _orders_with(session, found):
            raise InvalidInput(
                _(
                    "The code {code} is used by orders: it cannot be renamed. Deactivate it and create a new one."
                ).format(code=found.code)
            )
    if "max_uses" in changes and values["max_uses"] is not None:
        used = code_uses(session, found)
        if values["max_uses"] < used:
            raise InvalidInput(
                ngettext(
                    "The usage limit cannot be below the {n} use already made.",
                    "The usage limit cannot be below the {n} uses already made.",
                    used,
                ).format(n=used)
            )
    if tariff_ids is not None:
        ids = _check_tariffs(session, found.event_id, tariff_ids)
        old_ids = sorted(applicable_tariff_ids(session, found.id))
        if ids != old_ids:
            session.execute(delete(DiscountCodeTariff).where(DiscountCodeTariff.discount_code_id == found.id))
            session.add_all(DiscountCodeTariff(discount_code_id=found.id, tariff_id=t) for t in ids)
            changes["tariff_ids"] = {"old": old_ids, "new": ids}
    if not changes:
        return {}
    for field in changes:
        if field in values:
            setattr(found, field, values[field])
    log(
        session,
        actor=actor,
        entity="discount_code",
        entity_id=found.id,
        event_id=found.event_id,
        action="updated",
        details=changes,
        reason=reason,
    )
    session.flush()
    return changes


def set_code_active(
    session: Session, *, actor: Actor, code_id: int, active: bool, reason: str | None = None
) -> DiscountCode:
    """Activate or deactivate a code; orders that used it keep their discount."""
    require(actor, CAPABILITY)
    found = _get_code(session, code_id, actor)
    if found.active == active:
        raise InvalidInput(
            (_("The code {code} is already active.") if active else _("The code {code} is already inactive.")).format(
                code=found.code
            )
        )
    log(
        session,
        actor=actor,
        entity="discount_code",
        entity_id=found.id,
        event_id=found.event_id,
        action="activated" if active else "deactivated",
        details={"active": {"old": found.active, "new": active}},
        reason=reason,
    )
    found.active = active
    session.flush()
    return found


def delete_code(session: Session, *, actor: Actor, code_id: int, reason: str | None = None) -> None:
    """Delete a code no order ever used (any order, even cancelled or deleted)."""
    require(actor, CAPABILITY)
    found = _get_code(session, code_id, actor)
    used = _orders_with(session, found)
    if used:
        raise InvalidInput(
            ngettext(
                "The code {code} cannot be deleted: {n} order used it. Deactivate it instead.",
                "The code {code} cannot be deleted: {n} orders used it. Deactivate it instead.",
                used,
            ).format(code=found.code, n=used)
        )
    details = {field: {"old": value["new"], "new": None} for field, value in snapshot(found, CODE_FIELDS).items()}
    details["tariff_ids"] = {"old": sorted(applicable_tariff_ids(session, found.id)), "new": None}
    session.execute(delete(DiscountCodeTariff).where(DiscountCodeTariff.discount_code_id == found.id))
    log(
        session,
        actor=actor,
        entity="discount_code",
        entity_id=found.id,
        event_id=found.event_id,
        action="deleted",
        details=details,
        reason=reason,
    )
    session.delete(found)
    session.flush()
