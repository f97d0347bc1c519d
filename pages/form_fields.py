"""Form fields (admin): the extra fields of each event's buyer, order, badge and product forms
(rule 6). Without any, the default fields apply."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orders_core.custom_fields import CHOICE_TYPES, FIELD_TYPE_LABELS, FIELD_TYPES, FORM_LABELS, FORMS
from orders_core.i18n import _
from orders_core.services.forms import (
    add_field,
    edit_field,
    move_field,
    set_field_active,
)
from queries.wizard import event_fields, wizard_events
from ui.data import cached_query
from ui.guard import require_router
from ui.session import current_actor
from ui.text import md
from ui.transactions import run_service, show_notice

require_router()

OPTIONS_HELP = _(
    "Write an option as “value | English label | French label”, e.g. “gluten_free | Gluten-free | Sans gluten”: "
    "the value is stored, the label is shown. A bare value is its own label."
)

DONE = "form_fields.done"  # the success message shown after the rerun
CLEAR_NEW = "form_fields.clear_new"

st.title(_("Form fields"))
st.caption(
    _(
        "Extra fields of the forms used when an order is created or modified in the back-office. "
        "Without any, the default fields apply."
    )
)

events = cached_query(wizard_events)
if not events:
    st.info(_("No event yet: create an event in the catalogue first."))
    st.stop()
names = {e["id"]: e["name"] for e in events}
event_id = st.selectbox(_("Event"), list(names), format_func=names.get, key="form_fields.event")
form = (
    st.segmented_control(
        _("Form"), FORMS, format_func=lambda f: _(FORM_LABELS[f]), key="form_fields.form", default="buyer"
    )
    or "buyer"
)


def run(action, message: str, clear_new: bool = False) -> None:
    """Run the service; after adding a field, the next run empties the "add a field" form."""
    run_service(
        action, success=message, notice=DONE, then=lambda _field: st.session_state.update({CLEAR_NEW: clear_new})
    )


show_notice(DONE)

fields = cached_query(event_fields, event_id, (form,), include_inactive=True)
if not fields:
    st.info(_("This form has no extra field: the default fields apply."))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    _("Position"): i + 1,
                    _("Label (English)"): f.label_en,
                    _("Label (French)"): f.label_fr,
                    _("Type"): _(FIELD_TYPE_LABELS[f.field_type]),
                    _("Required"): f.required,
                    _("Options"): ", ".join(f.option_lines),
                    _("Active"): f.active,
                    _("Key"): f.key,
                }
                for i, f in enumerate(fields)
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    by_id = {f.id: f for f in fields}
    chosen = st.selectbox(
        _("Field to change"), list(by_id), format_func=lambda i: by_id[i].label_en, key="form_fields.chosen"
    )
    field = by_id[chosen]
    up, down, toggle = st.columns(3)
    if up.button(_("Move up"), key="form_fields.up", width="stretch"):
        run(lambda s: move_field(s, actor=current_actor(), field_id=field.id, offset=-1), _("Field moved."))
    if down.button(_("Move down"), key="form_fields.down", width="stretch"):
        run(lambda s: move_field(s, actor=current_actor(), field_id=field.id, offset=1), _("Field moved."))
    toggle_label = _("Deactivate") if field.active else _("Reactivate")
    if toggle.button(toggle_label, key="form_fields.toggle", width="stretch"):
        run(
            lambda s: set_field_active(s, actor=current_actor(), field_id=field.id, active=not field.active),
            _("Field deactivated: stored values are kept.") if field.active else _("Field reactivated."),
        )
    with st.form(f"form_fields.edit.{field.id}"):
        st.markdown(_("**Edit** {label}").format(label=md(field.label_en)))
        label_en = st.text_input(_("Label (English)"), value=field.label_en)
        label_fr = st.text_input(_("Label (French)"), value=field.label_fr)
        field_type = st.selectbox(
            _("Type"),
            FIELD_TYPES,
            index=FIELD_TYPES.index(field.field_type),
            format_func=lambda t: _(FIELD_TYPE_LABELS[t]),
        )
        options = st.text_area(
            _("Options, one per line (choice fields)"), value="\n".join(field.option_lines), help=OPTIONS_HELP
        )
        required = st.checkbox(_("Required"), value=field.required)
        if st.form_submit_button(_("Save the field")):
            run(
                lambda s: edit_field(
                    s,
                    actor=current_actor(),
                    field_id=field.id,
                    label_en=label_en,
                    label_fr=label_fr,
                    required=required,
                    options=options.splitlines(),
                    field_type=field_type,
                ),
                _("Field saved."),
            )

if st.session_state.pop(CLEAR_NEW, False):
    for name, empty in (("new_label_en", ""), ("new_label_fr", ""), ("new_options", ""), ("new_required", False)):
        st.session_state[f"form_fields.{name}"] = empty
with st.form("form_fields.add"):
    st.markdown(_("**Add a field** to the {form} form").format(form=_(FORM_LABELS[form]).lower()))
    label_en = st.text_input(_("Label (English)"), key="form_fields.new_label_en")
    label_fr = st.text_input(_("Label (French)"), key="form_fields.new_label_fr")
    field_type = st.selectbox(
        _("Type"), FIELD_TYPES, format_func=lambda t: _(FIELD_TYPE_LABELS[t]), key="form_fields.new_type"
    )
    options = st.text_area(
        _("Options, one per line (choice fields)"),
        key="form_fields.new_options",
        help=_("Used by: {types}").format(types=", ".join(_(FIELD_TYPE_LABELS[t]) for t in CHOICE_TYPES))
        + "\n\n"
        + OPTIONS_HELP,
    )
    required = st.checkbox(_("Required"), key="form_fields.new_required")
    if st.form_submit_button(_("Add the field"), type="primary"):
        run(
            lambda s: add_field(
                s,
                actor=current_actor(),
                event_id=event_id,
                form=form,
                field_type=field_type,
                label_en=label_en,
                label_fr=label_fr,
                required=required,
                options=options.splitlines(),
            ),
            _("Field added."),
            clear_new=True,
        )
