"""Tariffs of an event (issue 7). A price change never touches existing order lines: each line
keeps its own unit price and tax rate. A tariff that has order lines is deactivated, never deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import _, ngettext
from orders_core.inputs import MAX_ID, clean_int
from orders_core.models import DiscountCodeTariff, Order, OrderLine, Tariff
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
from orders_core.status import AWAITING_STATUSES, SOLD_STATUSES, TariffKind

TARIFF_FIELDS = (
    "kind",
    "name",
    "name_fr",
    "unit_price_ht",
    "tax_rate",
    "capacity",
    "sales_start",
    "sales_end",
    "active",
)
# Statuses whose units count against a tariff's capacity: sold, or held while payment is awaited.


def units_held(session: Session, tariff_id: int) -> tuple[int, int]:
    """(sold, awaiting payment) units of a tariff, in orders that are not deleted."""
    rows = session.execute(
        select(Order.status, func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.tariff_id == tariff_id,
            Order.deleted_at.is_(None),
            Order.status.in_(SOLD_STATUSES + AWAITING_STATUSES),
        )
        .group_by(Order.status)
    ).all()
    sold = sum(int(n) for status, n in rows if status in SOLD_STATUSES)
    return sold, sum(int(n) for status, n in rows if status in AWAITING_STATUSES)


def _get_tariff(session: Session, tariff_id: int, actor: Actor) -> Tariff:
    return lock_by_id(session, Tariff, tariff_id, _("Tariff {id} does not exist.").format(id=tariff_id), actor=actor)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(TARIFF_FIELDS)
    if unknown:
        raise TypeError(f"unknown tariff fields: {sorted(unknown)}")
    clean = dict(values)
    if "kind" in clean and clean["kind"] not in {k.value for k in TariffKind}:
        raise InvalidInput(_("The kind must be badge, ticket or product."))
    for field in ("name", "name_fr"):
        if field in clean:
            clean[field] = (clean[field] or "").strip()
            if len(clean[field]) > 200:
                raise InvalidInput(_("The tariff name is too long (200 characters at most)."))
    if "name" in clean and not clean["name"]:
        raise InvalidInput(_("The tariff needs an English name."))
    if "unit_price_ht" in clean:
        price = as_decimal(clean["unit_price_ht"], field=_("Price excl. tax"), places=2)
        if price < 0:
            raise InvalidInput(_("The price excluding tax cannot be negative."))
        if price >= Decimal("10000000000"):
            raise InvalidInput(_("The price excluding tax is too large."))
        clean["unit_price_ht"] = price
    if "tax_rate" in clean:
        rate = as_decimal(clean["tax_rate"], field=_("Tax rate"), places=3)
        if rate < 0 or rate > 100:
            raise InvalidInput(_("The tax rate must be between 0 % and 100 % (given: {rate} %).").format(rate=rate))
        clean["tax_rate"] = rate
    if "capacity" in clean and clean["capacity"] is not None:
        try:
            clean["capacity"] = clean_int(clean["capacity"], label=_("The capacity"), minimum=0, maximum=MAX_ID)
        except InvalidInput:
            raise InvalidInput(_("The capacity must be a whole number, zero or more (empty for unlimited).")) from None
    for field in ("sales_start", "sales_end"):
        if field in clean:
            clean[field] = to_utc(clean[field])
    if "active" in clean:
        clean["active"] = bool(clean["active"])
    return clean


def _check_capacity(session: Session, tariff: Tariff | None, capacity: int | None) -> None:
    if capacity is None or tariff is None:
        return
    sold, awaiting = units_held(session, tariff.id)
    if capacity < sold + awaiting:
        raise InvalidInput(
            _(
                "The capacity of {tariff} cannot be {capacity}: {sold} units are already sold and {awaiting} "
                "are awaiting payment."
            ).format(tariff=tariff.name, capacity=capacity, sold=sold, awaiting=awaiting)
        )


def create_tariff(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    kind: str,
    name: str,
    unit_price_ht: Any,
    tax_rate: Any,
    name_fr: str = "",
    capacity: int | None = None,
    sales_start: datetime | None = None,
    sales_end: datetime | None = None,
    active: bool = True,
) -> Tariff:
    """Add a tariff to an event, in the event's currency."""
    require(actor, CAPABILITY)
    values = _clean(
        dict(
            kind=kind,
            name=name,
            name_fr=name_fr,
            unit_price_ht=unit_price_ht,
            tax_rate=tax_rate,
            capacity=capacity,
            sales_start=sales_start,
            sales_end=sales_end,
            active=active,
        )
    )
    check_window(values["sales_start"], values["sales_end"], what=_("Sales window"))
    event = get_event(session, event_id, actor=actor, lock=True)
    tariff = Tariff(event_id=event.id, currency=event.currency, created_at=datetime.now(UTC), **values)
    session.add(tariff)
    session.flush()
    log(
        session,
        actor=actor,
        entity="tariff",
        entity_id=tariff.id,
        event_id=event.id,
        action="created",
        details=snapshot(tariff, TARIFF_FIELDS + ("currency",)),
    )
    return tariff


def update_tariff(
    session: Session, *, actor: Actor, tariff_id: int, reason: str | None = None, **fields: Any
) -> dict[str, dict[str, Any]]:
    """Change some fields (keywords among TARIFF_FIELDS); returns what changed. Order lines keep
    their own prices: a new price applies to new orders only."""
    require(actor, CAPABILITY)
    values = _clean(fields)
    tariff = _get_tariff(session, tariff_id, actor)
    check_window(
        values.get("sales_start", tariff.sales_start), values.get("sales_end", tariff.sales_end), what=_("Sales window")
    )
    changes = diff(tariff, values)
    if "capacity" in changes:
        _check_capacity(session, tariff, values["capacity"])
    if not changes:
        return {}
    for field in changes:
        setattr(tariff, field, values[field])
    log(
        session,
        actor=actor,
        entity="tariff",
        entity_id=tariff.id,
        event_id=tariff.event_id,
        action="updated",
        details=changes,
        reason=reason,
    )
    session.flush()
    return changes


def set_tariff_active(
    session: Session, *, actor: Actor, tariff_id: int, active: bool, reason: str | None = None
) -> Tariff:
    """Activate or deactivate (stop selling) a tariff; existing orders keep it."""
    require(actor, CAPABILITY)
    tariff = _get_tariff(session, tariff_id, actor)
    if tariff.active == active:
        raise InvalidInput(
            (_("{tariff} is already active.") if active else _("{tariff} is already inactive.")).format(
                tariff=tariff.name
            )
        )
    log(
        session,
        actor=actor,
        entity="tariff",
        entity_id=tariff.id,
        event_id=tariff.event_id,
        action="activated" if active else "deactivated",
        details={"active": {"old": tariff.active, "new": active}},
        reason=reason,
    )
    tariff.active = active
    session.flush()
    return tariff


def delete_tariff(session: Session, *, actor: Actor, tariff_id: int, reason: str | None = None) -> None:
    """Delete a tariff that was never ordered (any order, even deleted or cancelled)."""
    require(actor, CAPABILITY)
    tariff = _get_tariff(session, tariff_id, actor)
    lines = session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.tariff_id == tariff.id))
    if lines:
        raise InvalidInput(
            ngettext(
                "{tariff} cannot be deleted: {n} order line uses it. Deactivate it instead.",
                "{tariff} cannot be deleted: {n} order lines use it. Deactivate it instead.",
                lines,
            ).format(tariff=tariff.name, n=lines)
        )
    details = {
        field: {"old": value["new"], "new": None}
        for field, value in snapshot(tariff, TARIFF_FIELDS + ("currency",)).items()
    }
    session.execute(delete(DiscountCodeTariff).where(DiscountCodeTariff.tariff_id == tariff.id))
    log(
        session,
        actor=actor,
        entity="tariff",
        entity_id=tariff.id,
        event_id=tariff.event_id,
        action="deleted",
        details=details,
        reason=reason,
    )
    session.delete(tariff)
    session.flush()
