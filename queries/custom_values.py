"""Custom form values (rule 6) as extra columns for exports and tables.

A column is one (form, key) pair, so the same field defined on several events ("buyer.job_title")
is one column. Order-level forms only (buyer, order, product); badge values belong to holders.
An export reads its columns once (`custom_layout`), selects each order's values with the order
in the same statement (`values_of_order`: one JSON object per order, keyed by field id, so a
million orders cost one streamed query and no id lists), and turns them into cells with
`CustomLayout.cells`. `custom_values_of` reads given orders' values (one order's page, tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Connection, Engine, String, cast, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import ScalarSelect, Select, Subquery

from orders_core.custom_fields import ORDER_FORMS, display_value
from orders_core.i18n import get_locale
from orders_core.models import FieldValue, FormField, Order
from orders_core.permissions import Actor
from orders_core.scope import event_condition, mask_value, order_condition


@dataclass(frozen=True)
class CustomLayout:
    """The custom columns [(key "form.key", label)] and, per field id, its column's position and
    the field's type (how a stored value is displayed)."""

    columns: list[tuple[str, str]]
    fields: dict[int, tuple[int, Any]] = field(default_factory=dict)

    def cells(self, values: dict[Any, str] | None, principal: Actor) -> list[str]:
        """One order's cells in column order ("" where it has no value) from the object
        `values_of_order` selected (field id -> stored value), displayed and masked as
        `custom_values_of` does."""
        cells = [""] * len(self.columns)
        for field_id, value in (values or {}).items():
            column = self.fields.get(int(field_id))
            if column is not None:
                cells[column[0]] = mask_value(display_value(column[1], value), principal)
        return cells


def custom_layout(
    bind: Engine | Connection, event_ids: Sequence[int] | None = None, *, principal: Actor
) -> CustomLayout:
    """The events' order-level fields as columns, in form and position order (all the
    principal's events when `event_ids` is None), labels in the current language."""
    query = (
        select(
            FormField.id, FormField.form, FormField.key, FormField.field_type, FormField.label_en, FormField.label_fr
        )
        .where(FormField.form.in_(ORDER_FORMS), event_condition(FormField.event_id, principal))
        .order_by(FormField.form, FormField.position, FormField.id)
    )
    if event_ids is not None:
        query = query.where(FormField.event_id.in_(list(event_ids)))
    french = get_locale() == "fr"
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    fields: dict[int, tuple[int, Any]] = {}
    with _connection(bind) as conn:
        for field_id, form, key, field_type, label_en, label_fr in conn.execute(query):
            column = f"{form}.{key}"
            if column not in columns:
                columns[column] = label_fr if french and label_fr else label_en
                positions[column] = len(positions)
            fields[field_id] = (positions[column], field_type)
    return CustomLayout(list(columns.items()), fields)


def custom_columns(
    bind: Engine | Connection, event_ids: Sequence[int] | None = None, *, principal: Actor
) -> list[tuple[str, str]]:
    """[(column key "form.key", label in the current language)] of the events' order-level fields,
    in form and position order (all the principal's events when `event_ids` is None)."""
    return custom_layout(bind, event_ids, principal=principal).columns


class _json_object_agg(FunctionElement[Any]):
    """A JSON object of (key, value) pairs aggregated over a group: `json_object_agg` on
    PostgreSQL, `json_group_object` on SQLite."""

    type = JSON()
    inherit_cache = True
    name = "json_object_agg"


@compiles(_json_object_agg)
def _json_object_agg_default(element: _json_object_agg, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object_agg({compiler.process(element.clauses, **kw)})"


@compiles(_json_object_agg, "sqlite")
def _json_object_agg_sqlite(element: _json_object_agg, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_object({compiler.process(element.clauses, **kw)})"


def values_of_order(layout: CustomLayout) -> ScalarSelect[Any]:
    """A scalar subquery correlated to `orders`: the order's order-level values of the layout's
    fields as one JSON object {field id: stored value} (NULL or {} when none). The orders'
    scope is the outer query's; the fields are already the principal's."""
    return (
        select(_json_object_agg(cast(FieldValue.field_id, String), FieldValue.value))
        .where(
            FieldValue.order_id == Order.id,
            FieldValue.order_item_id.is_(None),
            FieldValue.field_id.in_(sorted(layout.fields)),
        )
        .scalar_subquery()
    )


def values_by_order(layout: CustomLayout, order_ids: Select[Any]) -> Subquery:
    """`values_of_order` for many orders at once: (order_id, custom) of the orders of `order_ids`
    having values, one aggregate to join rather than one lookup per order (a whole export)."""
    return (
        select(
            FieldValue.order_id, _json_object_agg(cast(FieldValue.field_id, String), FieldValue.value).label("custom")
        )
        .where(
            FieldValue.order_id.in_(order_ids),
            FieldValue.order_item_id.is_(None),
            FieldValue.field_id.in_(sorted(layout.fields)),
        )
        .group_by(FieldValue.order_id)
        .subquery("custom_values")
    )


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
