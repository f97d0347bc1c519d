"""Read side of the order wizard and of the "add a ticket" / "record payment" actions: plain
values (dicts, lists, dataclasses) the pages draw from. Nothing here writes.

Scope (issue 17): the wizard offers only the principal's events, their tariffs, fields and
templates; an order or an event outside the scope reads like one that does not exist (None, no
row, or the "does not exist" refusal of a quote)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, case, func, select
from sqlalchemy.orm import Session

from orders_core.custom_fields import BUYER_FIELDS, FORMS, FieldSpec, fields_of, stored_choices
from orders_core.delivery import most_common_mode
from orders_core.emails.choices import list_templates
from orders_core.i18n import as_utc
from orders_core.models import DashLineFact, Event, FieldValue, Order, OrderItem, OrderLine, Tariff
from orders_core.permissions import Actor
from orders_core.quote import Quote, quote_order
from orders_core.scope import event_condition, require_event
from orders_core.status import ADMITTING_KINDS, HOLDING_STATUSES
from queries.catalogue import events_list, sellable_tariffs, tariffs_of_event


def wizard_events(engine: Engine, *, principal: Actor) -> list[dict[str, Any]]:
    """The principal's events an order can be created for (not archived): id, name, currency,
    seated, language, timezone, start and payment terms (days after the order, before the event,
    expiry)."""
    frame = events_list(engine, principal=principal)
    return [
        {
            "id": int(r["id"]),
            "name": r["name"],
            "currency": r["currency"],
            "seated": bool(r["seated"]),
            "language": r["language"],
            "timezone": r["timezone"],
            "starts_at": r["starts_at"],
            "terms": (r["payment_terms_days"], r["payment_due_days_before_event"], r["expire_after_days"]),
        }
        for r in frame.to_dict("records")
    ]


def wizard_tariffs(engine: Engine, event_id: int, keep_ids: Sequence[int] = (), *, principal: Actor) -> pd.DataFrame:
    """The tariffs step 1 offers: sellable now, plus those the modified order already holds."""
    sellable = sellable_tariffs(engine, event_id, principal=principal)
    if keep_ids:
        every = tariffs_of_event(engine, event_id, principal=principal)
        held = every[every["id"].isin(list(keep_ids)) & ~every["id"].isin(sellable["id"])]
        sellable = pd.concat([sellable, held]).sort_values("id").reset_index(drop=True) if not held.empty else sellable
    return sellable


def event_fields(
    engine: Engine, event_id: int, forms: Sequence[str] = FORMS, *, principal: Actor, include_inactive: bool = False
) -> list[FieldSpec]:
    """The event's form fields (none for an event outside the principal's scope)."""
    if not principal.sees_event(event_id):
        return []  # checked on the id before any read: another event's fields do not exist
    with Session(engine) as session:
        return fields_of(session, event_id, forms, include_inactive=include_inactive)


def payment_templates(engine: Engine, event_id: int, *, principal: Actor) -> list[dict[str, Any]]:
    """The payment-details templates usable for the event (its own first): id, name, language.
    Nothing for an event outside the principal's scope."""
    if not principal.sees_event(event_id):
        return []
    with Session(engine) as session:
        return [
            {"id": t.id, "name": t.name, "language": t.language, "global": t.is_global}
            for t in list_templates(session, event_id, "payment_details")
        ]


def live_quote(
    engine: Engine,
    *,
    principal: Actor,
    event_id: int,
    quantities: Mapping[str, Any],
    codes: Sequence[str] = (),
    exclude_order_id: int | None = None,
    kept: Mapping[int, int] | None = None,
    kept_code: str | None = None,
    require_units: bool = True,
    strict: bool = False,
) -> Quote:
    """The wizard's live totals (no lock; the save checks again under locks). `strict` refuses
    a selection mixing currencies, as saving would. An event outside the principal's scope is
    refused as one that does not exist."""
    require_event(principal, event_id)
    with Session(engine) as session:
        return quote_order(
            session,
            event_id=event_id,
            quantities=quantities,
            codes=codes,
            exclude_order_id=exclude_order_id,
            allow_mixed_currencies=not strict,
            kept=kept,
            kept_code=kept_code,
            require_units=require_units,
        )


def _custom(values: Sequence[tuple[Any, ...]], field_types: Mapping[int, str]) -> dict[str, object]:
    result: dict[str, object] = {}
    for field_id, value in values:
        kind = field_types.get(field_id)
        result[str(field_id)] = (
            stored_choices(value) if kind == "multiselect" else (value == "yes" if kind == "checkbox" else value)
        )
    return result


def order_for_edit(engine: Engine, number: int, *, principal: Actor) -> dict[str, Any] | None:
    """The order as the wizard's plain state: ids, version, quantities, code, buyer, holders
    (tariff id -> list, in unit order) and custom values. None when there is no such (non-deleted)
    order among the principal's events."""
    with Session(engine) as session:
        order = session.scalars(
            select(Order).where(
                Order.number == number, Order.deleted_at.is_(None), event_condition(Order.event_id, principal)
            )
        ).one_or_none()
        if order is None:
            return None
        quantities: dict[str, int] = {}
        for tariff_id, quantity in session.execute(
            select(OrderLine.tariff_id, OrderLine.quantity).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        ):
            quantities[str(tariff_id)] = quantities.get(str(tariff_id), 0) + int(quantity)
        fields = {f.id: f.field_type for f in fields_of(session, order.event_id, include_inactive=True)}
        values = session.execute(
            select(FieldValue.order_item_id, FieldValue.field_id, FieldValue.value).where(
                FieldValue.order_id == order.id
            )
        ).all()
        rows = session.execute(
            select(OrderItem, OrderLine.tariff_id)
            .join(OrderLine, OrderLine.id == OrderItem.order_line_id)
            .where(OrderItem.order_id == order.id)
            .order_by(OrderLine.id, OrderItem.id)
        ).all()
        holders: dict[str, list[dict[str, Any]]] = {}
        for i, tariff_id in rows:  # per tariff, so that changing quantities keeps the other holders
            holders.setdefault(str(tariff_id), []).append(
                {
                    "item_id": i.id,  # the holder's identity: modify_order compares holders by item
                    "first_name": i.holder_first_name,
                    "last_name": i.holder_last_name,
                    "email": i.holder_email,
                    "seat": i.seat or "",
                    "delivery_mode": i.delivery_mode,
                    "fields": _custom([(f, v) for item_id, f, v in values if item_id == i.id], fields),
                }
            )
        buyer = {key: getattr(order, column) or "" for key, (column, _size) in BUYER_FIELDS.items()}
        buyer["language"] = order.language
        return {
            "order_id": order.id,
            "number": order.number,
            "event_id": order.event_id,
            "version": order.version,
            "status": order.status,
            "payment_mode": order.payment_mode,
            "source": order.source,
            "quantities": quantities,
            "codes": [order.discount_code] if order.discount_code else [],
            "buyer": buyer,
            "holders": holders,
            "custom": _custom([(f, v) for item_id, f, v in values if item_id is None], fields),
        }


def add_ticket_context(engine: Engine, number: int, *, principal: Actor) -> dict[str, Any] | None:
    """What the "Add a ticket" and "Record payment" forms need beyond the order's facts
    (`queries.order_detail.order_facts`): ids, version, seats already in the order, its usual
    delivery mode and the badge/ticket tariffs of its event. None when there is no such order
    among the principal's events. Issue 19: three statements (the order with its event, its
    tickets, the tariffs with their units held), read on every render of a box-office order."""
    with engine.connect() as conn:
        order = conn.execute(
            select(
                Order.id,
                Order.number,
                Order.version,
                Order.currency,
                Order.event_id,
                Order.paid_at,
                Event.seated,
                Event.timezone,
            )
            .join(Event, Event.id == Order.event_id)
            .where(Order.number == number, event_condition(Order.event_id, principal))
        ).first()
        if order is None:
            return None
        tickets = conn.execute(
            select(OrderItem.seat, OrderItem.delivery_mode).where(OrderItem.order_id == order.id).order_by(OrderItem.id)
        ).all()
        return {
            "order_id": order.id,
            "number": order.number,
            "version": order.version,
            "currency": order.currency,
            "event_id": order.event_id,
            "seated": bool(order.seated),
            "timezone": order.timezone,
            "seats": [seat for seat, _mode in tickets if seat],
            "delivery_mode": most_common_mode(mode for _seat, mode in tickets),
            "paid_at": as_utc(order.paid_at) if isinstance(order.paid_at, datetime) else None,
            "tariffs": _admitting_on_sale(conn, order.event_id, order.currency),
        }


def _admitting_on_sale(conn: Connection, event_id: int, currency: str) -> list[dict[str, Any]]:
    """The badges and tickets in `currency` that `queries.catalogue.sellable_tariffs` offers now
    (active, in their sales window, unlimited or with units left), by id. Issue 19: the units
    held by orders come from the line summary (`dash_line_facts`, kept exact by triggers, read
    through its index `ix_dash_line_facts_tariff`), for the tariffs with a capacity only - the
    event's lines, hundreds of thousands at a million orders, are never aggregated while an order
    page renders."""
    now = datetime.now(UTC)
    held = (
        select(func.coalesce(func.sum(DashLineFact.quantity), 0))
        .where(
            DashLineFact.event_id == Tariff.event_id,
            DashLineFact.tariff_id == Tariff.id,
            DashLineFact.deleted.is_(False),
            DashLineFact.status.in_([status.value for status in HOLDING_STATUSES]),
        )
        .scalar_subquery()
    )
    candidates = [
        t
        for t in conn.execute(
            select(
                Tariff.id,
                Tariff.name,
                Tariff.kind,
                Tariff.unit_price_ht,
                Tariff.tax_rate,
                Tariff.capacity,
                Tariff.sales_start,
                Tariff.sales_end,
                case((Tariff.capacity.is_not(None), held)).label("held"),
            )
            .where(
                Tariff.event_id == event_id,
                Tariff.active.is_(True),
                Tariff.currency == currency,
                Tariff.kind.in_([kind.value for kind in ADMITTING_KINDS]),
            )
            .order_by(Tariff.id)
        )
        if (t.sales_start is None or as_utc(t.sales_start) <= now)
        and (t.sales_end is None or now < as_utc(t.sales_end))
    ]
    offered = []
    for t in candidates:
        remaining = None if t.capacity is None else int(t.capacity) - int(t.held or 0)
        if remaining is not None and remaining <= 0:
            continue
        offered.append(
            {
                "id": int(t.id),
                "name": t.name,
                "kind": t.kind,
                "unit_price_ht": Decimal(str(t.unit_price_ht)).quantize(Decimal("0.01")),
                "tax_rate": Decimal(str(t.tax_rate)).quantize(Decimal("0.001")),
                "remaining": remaining,
            }
        )
    return offered
