"""Custom form values (rule 6) as extra columns for exports and tables.

A column is one (form, key) pair, so the same field defined on several events ("buyer.job_title")
is one column. Order-level forms only (buyer, order, product); badge values belong to holders.
Exports stream in chunks: take the columns once with `custom_columns`, then the values of each
chunk's orders with `custom_values_of`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, select

from orders_core.custom_fields import ORDER_FORMS, display_value
from orders_core.i18n import get_locale
from orders_core.models import FieldValue, FormField
from orders_core.permissions import Actor
from orders_core.scope import event_condition, mask_value, order_condition


def custom_columns(
    bind: Engine | Connection, event_ids: Sequence[int] | None = None, *, principal: Actor
) -> list[tuple[str, str]]:
    """[(column key "form.key", label in the current language)] of the events' order-level fields,
    in form and position order (all the principal's events when `event_ids` is None)."""
    query = (
        select(FormField.form, FormField.key, FormField.label_en, FormField.label_fr)
        .where(FormField.form.in_(ORDER_FORMS), event_condition(FormField.event_id, principal))
        .order_by(FormField.form, FormField.position, FormField.id)
    )
    if event_ids is not None:
        query = query.where(FormField.event_id.in_(list(event_ids)))
    french = get_locale() == "fr"
    columns: dict[str, str] = {}
    with _connection(bind) as conn:
        for form, key, label_en, label_fr in conn.execute(query):
            columns.setdefault(f"{form}.{key}", (label_fr if french and label_fr else label_en))
    return list(columns.items())


def custom_values_of(
    bind: Engine | Connection, order_ids: Sequence[int], *, principal: Actor
) -> dict[int, dict[str, str]]:
    """order id -> {column key: value as displayed} for these orders' order-level values (of the
    principal's events; masked for a principal who may not see people: a form's answers are the
    buyer's own words about themselves)."""
    result: dict[int, dict[str, str]] = {}
    if not order_ids:
        return result
    query = (
        select(FieldValue.order_id, FormField.form, FormField.key, FormField.field_type, FieldValue.value)
        .join(FormField, FormField.id == FieldValue.field_id)
        .where(
            FieldValue.order_id.in_(list(order_ids)),
            FieldValue.order_item_id.is_(None),
            FormField.form.in_(ORDER_FORMS),
            order_condition(FieldValue.order_id, principal),
        )
    )
    with _connection(bind) as conn:
        for order_id, form, key, field_type, value in conn.execute(query):
            result.setdefault(order_id, {})[f"{form}.{key}"] = mask_value(display_value(field_type, value), principal)
    return result


class _connection:
    """Use a given connection as is, or open one from an engine for the block."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        self.conn: Connection | None = None

    def __enter__(self) -> Connection:
        if isinstance(self.bind, Connection):
            return self.bind
        conn = self.conn = self.bind.connect()
        return conn

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.close()
