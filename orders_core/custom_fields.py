"""Custom form fields per event (rule 6): what they are, how they are read and how the values
typed into them are checked (the admin services are in services/forms.py).

Forms: `buyer`, `order` and `product` values belong to the order (order_item_id NULL); `badge`
values belong to one order item (one holder). Values are stored as text: numbers as plain
decimals, dates as ISO `YYYY-MM-DD`, checkboxes as `yes`/`no`, multiple choices joined by
`; ` (which is why an option may not contain `;`). Without any field, the default forms apply.

A choice's option is its stored value, optionally with its labels: `gluten_free | Gluten-free |
Sans gluten` stores `gluten_free` and shows "Gluten-free" in English, "Sans gluten" in French
(issue 18: raw values such as `gluten_free` were shown); a bare option is its own label."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.errors import InvalidInput
from orders_core.i18n import N_, _, get_locale
from orders_core.models import FormField
from orders_core.status import FieldType, FormKind

# The buyer's built-in fields: form key -> (orders column, maximum length).
BUYER_FIELDS = {
    "first_name": ("buyer_first_name", 100),
    "last_name": ("buyer_last_name", 100),
    "email": ("buyer_email", 254),
    "phone": ("buyer_phone", 40),
    "company_name": ("company_name", 200),
    "billing_address": ("billing_address", 300),
    "billing_postcode": ("billing_postcode", 20),
    "billing_city": ("billing_city", 100),
    "billing_country": ("billing_country", 2),
    "vat_number": ("vat_number", 40),
}
FORMS: tuple[FormKind, ...] = tuple(FormKind)
ORDER_FORMS: tuple[FormKind, ...] = (FormKind.BUYER, FormKind.ORDER, FormKind.PRODUCT)
FIELD_TYPES: tuple[FieldType, ...] = tuple(FieldType)
FORM_LABELS = {"buyer": N_("Buyer"), "order": N_("Order"), "badge": N_("Badge (holder)"), "product": N_("Product")}
FIELD_TYPE_LABELS = {
    "text": N_("Text"),
    "email": N_("Email"),
    "number": N_("Number"),
    "date": N_("Date"),
    "select": N_("Single choice"),
    "multiselect": N_("Multiple choice"),
    "checkbox": N_("Checkbox"),
}
CHOICE_TYPES = ("select", "multiselect")
MULTI_SEPARATOR = "; "
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
YES, NO = "yes", "no"
OPTION_SEPARATOR = "|"


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: the value stored, and its label in each language."""

    value: str
    label_en: str
    label_fr: str

    @property
    def label(self) -> str:
        return self.label_fr if get_locale() == "fr" else self.label_en

    @property
    def line(self) -> str:
        """As the administrator writes it: `value | English | French`, or the bare value."""
        if self.label_en == self.value and self.label_fr == self.value:
            return self.value
        return f" {OPTION_SEPARATOR} ".join((self.value, self.label_en, self.label_fr))


def parse_option(line: str) -> Choice:
    """`value | English label | French label` (labels optional: the value, then the English one)."""
    parts = [part.strip() for part in str(line).split(OPTION_SEPARATOR)]
    value = parts[0]
    label_en = parts[1] if len(parts) > 1 and parts[1] else value
    label_fr = parts[2] if len(parts) > 2 and parts[2] else label_en
    return Choice(value, label_en, label_fr)


@dataclass(frozen=True)
class FieldSpec:
    """A form field as plain values (what pages and validation need)."""

    id: int
    event_id: int
    form: str
    key: str
    field_type: str
    label_en: str
    label_fr: str
    required: bool
    options: tuple[str, ...]
    position: int
    active: bool
    choices: tuple[Choice, ...] = ()

    def option_label(self, value: str) -> str:
        """The label of a stored option value in the user's language (the value when unknown)."""
        return next((c.label for c in self.choices if c.value == value), value)

    @property
    def option_lines(self) -> tuple[str, ...]:
        """The options as the administrator writes them (with their labels)."""
        return tuple(c.line for c in self.choices)

    @property
    def label(self) -> str:
        return self.label_fr if get_locale() == "fr" and self.label_fr else self.label_en

    @classmethod
    def of(cls, field: FormField) -> FieldSpec:
        choices = tuple(parse_option(o) for o in field.options or ())
        return cls(
            field.id,
            field.event_id,
            field.form,
            field.key,
            field.field_type,
            field.label_en,
            field.label_fr,
            bool(field.required),
            tuple(c.value for c in choices),
            field.position,
            bool(field.active),
            choices,
        )


def is_valid_email(value: str) -> bool:
    return bool(EMAIL_PATTERN.match(value or "")) and len(value) <= 254


def fields_of(
    session: Session, event_id: int, forms: Iterable[str] = FORMS, *, include_inactive: bool = False
) -> list[FieldSpec]:
    """The event's fields of these forms, in form then position order."""
    query = select(FormField).where(FormField.event_id == event_id, FormField.form.in_(list(forms)))
    if not include_inactive:
        query = query.where(FormField.active.is_(True))
    rows = session.scalars(query.order_by(FormField.form, FormField.position, FormField.id)).all()
    return [FieldSpec.of(row) for row in rows]


# --- validation --------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, (list, tuple, set)) and not value)
    )


def clean_value(field: FieldSpec, value: Any) -> str:
    """The stored text of one value, or InvalidInput naming the field and what is wrong."""
    label = field.label
    if field.field_type == "checkbox":
        checked = value in (True, YES, "true", "1", 1)
        if field.required and not checked:
            raise InvalidInput(_("'{label}' must be ticked.").format(label=label))
        return YES if checked else NO
    if _blank(value):
        if field.required:
            raise InvalidInput(_("'{label}' is required.").format(label=label))
        return ""
    if field.field_type == "multiselect":
        chosen = [value] if isinstance(value, str) else list(value)
        chosen = [str(v).strip() for v in chosen if str(v).strip()]
        unknown = [v for v in chosen if v not in field.options]
        if unknown:
            raise InvalidInput(_("'{value}' is not a choice of '{label}'.").format(value=unknown[0], label=label))
        return MULTI_SEPARATOR.join(o for o in field.options if o in chosen)
    if field.field_type == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise InvalidInput(_("'{label}' must be a date (YYYY-MM-DD).").format(label=label)) from None
    text = str(value).strip()
    if field.field_type == "email" and not is_valid_email(text):
        raise InvalidInput(_("'{label}' must be an email address.").format(label=label))
    if field.field_type == "number":
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise InvalidInput(_("'{label}' must be a number.").format(label=label))
        return format(number.normalize(), "f") if number == number.to_integral() else str(number)
    if field.field_type == "select" and text not in field.options:
        raise InvalidInput(_("'{value}' is not a choice of '{label}'.").format(value=text, label=label))
    if len(text) > 2000:
        raise InvalidInput(_("'{label}' is too long (2000 characters at most).").format(label=label))
    return text


def validate_values(fields: Iterable[FieldSpec], values: Mapping[str, Any]) -> dict[int, str]:
    """Every field's stored text (empty when left blank), checked against its type and rules.
    `values` maps field id (int or str) to what was typed; unknown ids are ignored."""
    given = {int(k): v for k, v in (values or {}).items()}
    return {field.id: clean_value(field, given.get(field.id)) for field in fields if field.active}


def display_value(field_type: str, value: str, options: Iterable[str] = ()) -> str:
    """A stored value as shown on the detail page and in exports; a choice by its label when
    the field's `options` (as stored) give one."""
    if field_type == "checkbox":
        return _("Yes") if value == YES else _("No")
    if field_type in CHOICE_TYPES and value:
        labels = {c.value: c.label for c in (parse_option(o) for o in options or ())}
        return MULTI_SEPARATOR.join(labels.get(v, v) for v in stored_choices(value))
    return value or ""


def stored_choices(value: str) -> list[str]:
    """The options of a stored multiple-choice value."""
    return [v.strip() for v in (value or "").split(";") if v.strip()]
