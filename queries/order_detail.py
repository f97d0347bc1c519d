"""Everything the order detail page shows, and the attendee record. A handful of small indexed
queries on one connection; money stays Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Integer, bindparam, func, literal, select

from orders_core.db import rows_together
from orders_core.models import (
    Attendee,
    Event,
    FieldValue,
    FormField,
    Order,
    OrderHistory,
    OrderItem,
    OrderLine,
    OutboxEmail,
    Payment,
    User,
)
from orders_core.order_rules import OrderFacts
from orders_core.permissions import Actor
from orders_core.scope import MASK, event_condition, personal, table_columns
from queries.emails import shown_subject
from queries.sql import AnySelect, refunded_sum

CANCELLED_COLUMNS = ["attendee_id", "first_name", "last_name", "cancelled_at"]
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def order_facts(
    engine: Engine, *, number: int | None = None, order_id: int | None = None, principal: Actor
) -> OrderFacts | None:
    """The facts `orders_core.order_rules` decides from, for the order with that number (or id);
    None for no such order, or one of an event outside the principal's scope."""
    query = select(
        Order.number,
        Order.status,
        Order.payment_mode,
        Order.source,
        Order.currency,
        Order.total_ttc,
        Order.amount_paid,
        Order.deleted_at,
        refunded_sum().label("refunded"),
    )
    query = query.where(Order.number == number) if number is not None else query.where(Order.id == order_id)
    query = query.where(event_condition(Order.event_id, principal))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return OrderFacts(
        number=row.number,
        status=row.status,
        payment_mode=row.payment_mode,
        source=row.source,
        currency=row.currency,
        total_ttc=row.total_ttc,
        amount_paid=row.amount_paid,
        deleted=row.deleted_at is not None,
        refunded=row.refunded or Decimal("0.00"),
    )


@dataclass(frozen=True)
class OrderDetail:
    """The order (a dict of its columns plus event name/timezone) and one
    DataFrame per tab."""

    order: dict[str, Any]
    custom_fields: pd.DataFrame  # form, label_en, label_fr, holder, value (stored), field_type, options
    items: pd.DataFrame  # item_id, line_name, kind, holder names/email, seat, delivery_mode, attendee_id
    lines: pd.DataFrame
    payments: pd.DataFrame
    history: pd.DataFrame  # newest first
    emails: pd.DataFrame
    # Attendees of tickets cancelled from the order (issue 20): kept, marked cancelled.
    cancelled: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CANCELLED_COLUMNS))


def order_detail(engine: Engine, number: int, *, principal: Actor) -> OrderDetail | None:
    """The order with that number (deleted or not) and all of its tabs, or None (also for an
    order of an event outside the principal's scope: it reads as one that does not exist). For a
    principal who may not see people (marketer), the buyer's and holders' names, emails, phone,
    address, company, VAT number, custom form answers and email recipients are masked, and the
    history keeps its headlines without their details (which name holders)."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    *table_columns(Order.__table__, principal),
                    Event.name.label("event_name"),
                    Event.timezone.label("event_timezone"),
                )
                .join(Event, Event.id == Order.event_id)
                .where(Order.number == number, event_condition(Order.event_id, principal))
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        order = dict(row)
        order_id = order["id"]

        queries = _tab_queries(principal)
        rows = rows_together(conn, [query for query, _columns in queries.values()], {"order_id": order_id})
        tabs = {
            name: pd.DataFrame(tab_rows, columns=columns)
            for (name, (_query, columns)), tab_rows in zip(queries.items(), rows, strict=True)
        }
    items = tabs["items"]
    items["attendee_id"] = items["attendee_id"].astype(object).where(items["attendee_id"].notna(), None)
    return OrderDetail(
        order,
        tabs["custom_fields"],
        items,
        tabs["lines"],
        tabs["payments"],
        tabs["history"],
        tabs["emails"],
        tabs["cancelled"],
    )


# The tabs' statements, built once per masking (building them cost more than running them):
# the order's id is a bound parameter, the scope was checked by the order's own read.
_TAB_QUERIES: dict[bool, dict[str, tuple[AnySelect, list[str]]]] = {}


def _tab_queries(principal: Actor) -> dict[str, tuple[AnySelect, list[str]]]:
    """Each tab's statement and columns, for the principal's masking (`personal` depends on
    nothing else)."""
    sees = principal.sees_personal_data
    if sees not in _TAB_QUERIES:
        order_id = bindparam("order_id", type_=Integer)
        _TAB_QUERIES[sees] = {
            "custom_fields": (
                select(
                    FormField.form,
                    FormField.label_en,
                    FormField.label_fr,
                    personal(OrderItem.holder_first_name + " " + OrderItem.holder_last_name, principal, "holder"),
                    personal(FieldValue.value, principal, "value"),
                    FormField.field_type,
                    FormField.options,
                )
                .select_from(FieldValue)
                .join(FormField, FormField.id == FieldValue.field_id)
                .outerjoin(OrderItem, OrderItem.id == FieldValue.order_item_id)
                .where(FieldValue.order_id == order_id)
                .order_by(
                    FieldValue.order_item_id.is_not(None), FieldValue.order_item_id, FormField.position, FormField.id
                ),
                ["form", "label_en", "label_fr", "holder", "value", "field_type", "options"],
            ),
            "items": (
                select(
                    OrderItem.id,
                    OrderLine.name,
                    OrderLine.kind,
                    personal(OrderItem.holder_first_name, principal),
                    personal(OrderItem.holder_last_name, principal),
                    personal(OrderItem.holder_email, principal),
                    OrderItem.seat,
                    OrderItem.delivery_mode,
                    Attendee.id,
                )
                .join(OrderLine, OrderLine.id == OrderItem.order_line_id)
                .outerjoin(Attendee, Attendee.order_item_id == OrderItem.id)
                .where(OrderItem.order_id == order_id)
                .order_by(OrderItem.id),
                [
                    "item_id",
                    "line_name",
                    "kind",
                    "holder_first_name",
                    "holder_last_name",
                    "holder_email",
                    "seat",
                    "delivery_mode",
                    "attendee_id",
                ],
            ),
            "lines": (
                select(
                    OrderLine.id,
                    OrderLine.name,
                    OrderLine.kind,
                    OrderLine.quantity,
                    OrderLine.unit_price_ht,
                    OrderLine.tax_rate,
                    OrderLine.discount_amount,
                    OrderLine.total_ht,
                    OrderLine.total_ttc,
                )
                .where(OrderLine.order_id == order_id)
                .order_by(OrderLine.id),
                [
                    "line_id",
                    "name",
                    "kind",
                    "quantity",
                    "unit_price_ht",
                    "tax_rate",
                    "discount_amount",
                    "total_ht",
                    "total_ttc",
                ],
            ),
            "payments": (
                select(
                    Payment.id,
                    Payment.method,
                    Payment.amount,
                    Payment.currency,
                    Payment.received_at,
                    Payment.reference,
                    Payment.recorded_by,
                )
                .where(Payment.order_id == order_id)
                .order_by(Payment.received_at, Payment.id),
                ["payment_id", "method", "amount", "currency", "received_at", "reference", "recorded_by"],
            ),
            "history": (
                select(
                    OrderHistory.id,
                    OrderHistory.at,
                    OrderHistory.actor,
                    OrderHistory.action,
                    OrderHistory.details if principal.sees_personal_data else literal(MASK).label("details"),
                    OrderHistory.reason,
                    func.coalesce(func.nullif(User.full_name, ""), OrderHistory.actor).label("actor_name"),
                )
                .outerjoin(User, User.email == OrderHistory.actor)
                .where(OrderHistory.order_id == order_id)
                .order_by(OrderHistory.at.desc(), OrderHistory.id.desc()),
                ["history_id", "at", "actor", "action", "details", "reason", "actor_name"],
            ),
            "emails": (
                select(
                    OutboxEmail.id,
                    OutboxEmail.created_at,
                    OutboxEmail.kind,
                    personal(OutboxEmail.recipient, principal),
                    shown_subject(),  # issue 19: "(written when it is sent)" until the sender writes it
                    OutboxEmail.status,
                    OutboxEmail.attempts,
                    OutboxEmail.sent_at,
                    OutboxEmail.last_error,
                )
                .where(OutboxEmail.order_id == order_id)
                .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc()),
                [
                    "email_id",
                    "created_at",
                    "kind",
                    "recipient",
                    "subject",
                    "status",
                    "attempts",
                    "sent_at",
                    "last_error",
                ],
            ),
            "cancelled": (
                select(
                    Attendee.id,
                    personal(Attendee.first_name, principal),
                    personal(Attendee.last_name, principal),
                    Attendee.cancelled_at,
                )
                .where(Attendee.order_id == order_id, Attendee.cancelled_at.is_not(None))
                .order_by(Attendee.cancelled_at, Attendee.id),
                CANCELLED_COLUMNS,
            ),
        }
    return _TAB_QUERIES[sees]


def attendee_record(engine: Engine, attendee_id: int, *, principal: Actor) -> dict[str, Any] | None:
    """The attendee, its event, and the order it came from: number, status and whether that
    order was deleted (`order_deleted`), or order_number None when it has no order. None for no
    such attendee or one of an event outside the principal's scope; names and email masked for a
    principal who may not see people."""
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(
                    Attendee.id,
                    personal(Attendee.first_name, principal),
                    personal(Attendee.last_name, principal),
                    personal(Attendee.email, principal),
                    Attendee.registered_at,
                    Attendee.event_id,
                    Event.name.label("event_name"),
                    Event.timezone.label("event_timezone"),
                    Attendee.order_id,
                    Order.number.label("order_number"),
                    Order.status.label("order_status"),
                    Order.deleted_at.label("order_deleted_at"),
                    OrderItem.seat,
                    OrderLine.name.label("line_name"),
                )
                .join(Event, Event.id == Attendee.event_id)
                .outerjoin(Order, Order.id == Attendee.order_id)
                .outerjoin(OrderItem, OrderItem.id == Attendee.order_item_id)
                .outerjoin(OrderLine, OrderLine.id == OrderItem.order_line_id)
                .where(Attendee.id == attendee_id, event_condition(Attendee.event_id, principal))
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    record = dict(row)
    record["order_deleted"] = record["order_deleted_at"] is not None
    return record
