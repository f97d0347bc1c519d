"""Widgets of the order wizard that keep their values across steps.

Streamlit forgets a widget's state once it is not drawn (a step not shown); so the wizard keeps
its data in its `WizardState` (ui/wizard_state.py) and every widget of a step is seeded from it
when it reappears, then copied back after it is drawn."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from orders_core.custom_fields import FieldSpec
from orders_core.i18n import _
from ui.text import md


def seed(key: str, value: Any) -> None:
    """Give a widget its stored value when it is (re)drawn."""
    if key not in st.session_state:
        st.session_state[key] = value


def to_widget(field: FieldSpec, value: Any) -> Any:
    if field.field_type == "checkbox":
        return bool(value)
    if field.field_type == "multiselect":
        return [v for v in (value or []) if v in field.options]
    if field.field_type == "select":
        return value if value in field.options else None
    if field.field_type == "date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None
    return "" if value is None else str(value)


def to_plain(field: FieldSpec, value: Any) -> Any:
    """A widget value as a plain, storable value (what the services validate)."""
    if field.field_type == "date":
        return value.isoformat() if isinstance(value, date) else None
    if field.field_type == "multiselect":
        return list(value or [])
    if field.field_type == "checkbox":
        return bool(value)
    return value


def custom_field(field: FieldSpec, key: str, stored: Any, *, disabled: bool = False, label_prefix: str = "") -> Any:
    """Draw one custom field (seeded from `stored`), a required one marked `*`; returns its plain
    value. `label_prefix` (Markdown, e.g. "Holder 2: ") tells apart the fields of several people."""
    seed(key, to_widget(field, stored))
    label = label_prefix + md(field.label) + (" \\*" if field.required else "")
    kind = field.field_type
    if kind == "checkbox":
        value = st.checkbox(label, key=key, disabled=disabled)
    elif kind == "select":
        value = st.selectbox(
            label,
            field.options,
            index=None,
            key=key,
            placeholder=_("Choose an option"),
            disabled=disabled,
            format_func=field.option_label,
        )
    elif kind == "multiselect":
        value = st.multiselect(label, field.options, key=key, disabled=disabled, format_func=field.option_label)
    elif kind == "date":
        value = st.date_input(label, key=key, format="YYYY-MM-DD", disabled=disabled)
    else:
        value = st.text_input(label, key=key, disabled=disabled)
    return to_plain(field, value)


def custom_fields(
    fields: list[FieldSpec], prefix: str, stored: dict, *, disabled: bool = False, label_prefix: str = ""
) -> dict[str, Any]:
    """Draw a list of custom fields; returns field id (str) -> plain value."""
    return {
        str(f.id): custom_field(
            f, f"{prefix}{f.id}", stored.get(str(f.id)), disabled=disabled, label_prefix=label_prefix
        )
        for f in fields
    }
