"""Custom form fields per event (rule 6) and the validation of the values typed into them.

Forms: `buyer`, `order` and `product` values belong to the order (order_item_id NULL); `badge`
values belong to one order item (one holder). Values are stored as text: numbers as plain
decimals, dates as ISO `YYYY-MM-DD`, checkboxes as `yes`/`no`, multiple choices joined by
`; ` (which is why an option may not contain `;`). Without any field, the default forms apply."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.custom_fields import (
    CHOICE_TYPES,
    FIELD_TYPES,
    FORMS,
    OPTION_SEPARATOR,
    Choice,
    FieldSpec,
    parse_option,
)
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_int
from orders_core.models import FieldValue, FormField
from orders_core.permissions import Actor, require
from orders_core.quote import get_event
from orders_core.services.guards import lock_by_id
from orders_core.status import FieldType

# --- admin -------------------------------------------------------------------------------------


def _slug(label: str) -> str:
    ascii_label = label.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_label).strip("_")[:60] or "field"


def _clean_definition(
    field_type: str, label_en: str, label_fr: str, options: Iterable[str]
) -> tuple[str, str, list[str]]:
    if field_type not in FIELD_TYPES:
        raise InvalidInput(_("Unknown field type {type}.").format(type=field_type))
    label_en, label_fr = (label_en or "").strip(), (label_fr or "").strip()
    if not label_en or not label_fr:
        raise InvalidInput(_("A field needs a label in English and in French."))
    if len(label_en) > 200 or len(label_fr) > 200:
        raise InvalidInput(_("A label is too long (200 characters at most)."))
    if isinstance(options, str):  # one option per item, never one per character
        options = options.splitlines()
    choices: dict[str, Choice] = {}  # value -> choice, the first one of a value kept
    for line in (str(o).strip() for o in options or ()):
        if line:
            choice = parse_option(line)
            if not choice.value:
                raise InvalidInput(_("An option needs a value before its labels: “{line}”.").format(line=line))
            if line.count(OPTION_SEPARATOR) > 2:
                raise InvalidInput(
                    _("An option is “value | English label | French label”: “{line}” has too many parts.").format(
                        line=line
                    )
                )
            choices.setdefault(choice.value, choice)
    clean_options = [choice.line for choice in choices.values()]
    if field_type in CHOICE_TYPES:
        if len(clean_options) < 2:
            raise InvalidInput(_("A choice field needs at least two options."))
        if any(";" in choice.value for choice in choices.values()):
            raise InvalidInput(_("An option may not contain ';'."))
    else:
        clean_options = []
    return label_en, label_fr, clean_options


def _get_field(session: Session, field_id: int, actor: Actor) -> FormField:
    return lock_by_id(
        session, FormField, field_id, _("Form field {id} does not exist.").format(id=field_id), actor=actor
    )


def add_field(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    form: str,
    field_type: str,
    label_en: str,
    label_fr: str,
    required: bool = False,
    options: Iterable[str] = (),
    key: str | None = None,
) -> FieldSpec:
    """Add a field at the end of an event's form."""
    require(actor, "forms.manage")
    scope.require_event(actor, get_event(session, event_id).id)  # another event does not exist
    if form not in FORMS:
        raise InvalidInput(_("Unknown form {form}.").format(form=form))
    label_en, label_fr, clean_options = _clean_definition(field_type, label_en, label_fr, options)
    taken = set(session.scalars(select(FormField.key).where(FormField.event_id == event_id, FormField.form == form)))
    base = _slug(key or label_en)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    last_position = session.scalar(
        select(func.coalesce(func.max(FormField.position), -1)).where(
            FormField.event_id == event_id, FormField.form == form
        )
    )
    position = (last_position if last_position is not None else -1) + 1
    field = FormField(
        event_id=event_id,
        form=form,
        key=slug,
        field_type=field_type,
        label_en=label_en,
        label_fr=label_fr,
        required=bool(required),
        options=clean_options,
        position=position,
        active=True,
    )
    session.add(field)
    session.flush()
    return FieldSpec.of(field)


def edit_field(
    session: Session,
    *,
    actor: Actor,
    field_id: int,
    label_en: str,
    label_fr: str,
    required: bool,
    options: Iterable[str] = (),
    field_type: str | None = None,
) -> FieldSpec:
    """Change a field's labels, required flag and options; its type only while it holds no value."""
    require(actor, "forms.manage")
    field = _get_field(session, field_id, actor)
    new_type = field_type or field.field_type
    if new_type != field.field_type and session.scalar(
        select(func.count(FieldValue.id)).where(FieldValue.field_id == field.id)
    ):
        raise InvalidInput(
            _("The type of '{label}' cannot change: orders already hold values for it.").format(label=field.label_en)
        )
    field.label_en, field.label_fr, field.options = _clean_definition(new_type, label_en, label_fr, options)
    field.field_type = FieldType(new_type)
    field.required = bool(required)
    session.flush()
    return FieldSpec.of(field)


def move_field(session: Session, *, actor: Actor, field_id: int, offset: int) -> None:
    """Move a field up (offset -1) or down (+1) in its form."""
    require(actor, "forms.manage")
    field = _get_field(session, field_id, actor)
    offset = clean_int(offset, label=_("The move"), minimum=-1000, maximum=1000)
    siblings = list(
        session.scalars(
            select(FormField)
            .where(FormField.event_id == field.event_id, FormField.form == field.form)
            .order_by(FormField.position, FormField.id)
            .with_for_update()
        ).all()
    )
    index = next(i for i, f in enumerate(siblings) if f.id == field.id)
    target = index + offset
    if not 0 <= target < len(siblings):
        raise InvalidInput(_("'{label}' is already at that end of the form.").format(label=field.label_en))
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    session.flush()


def set_field_active(session: Session, *, actor: Actor, field_id: int, active: bool) -> None:
    """Deactivate (hide from the forms, keep stored values) or reactivate a field."""
    require(actor, "forms.manage")
    field = _get_field(session, field_id, actor)
    field.active = bool(active)
    session.flush()
