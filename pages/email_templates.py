"""Email templates (administrators): per event or global, per language and kind. A template is
checked against a sample order on save (refused with the reason when it does not render), and
previewed on a real order."""

import streamlit as st

from orders_core.emails.defaults import KINDS
from orders_core.emails.outbox import LANGUAGES, VARIABLES
from orders_core.i18n import LANGUAGES as LANGUAGE_NAMES
from orders_core.i18n import _
from orders_core.services.email_templates import (
    create_template,
    default_text,
    delete_template,
    preview_template,
    update_template,
)
from queries.emails import events, latest_order_id, order_id_by_number, template, templates
from ui.data import cached_query
from ui.guard import require_router
from ui.html_preview import isolated_html
from ui.order_emails import email_kind_label
from ui.session import current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import read, run_service, show_notice

require_router()

NEW = 0  # the "new template" choice
CHOICE, LOADED, NEXT = "email_templates.choice", "email_templates.loaded", "email_templates.next"
DONE, CONFIRM_DELETE = "email_templates.done", "email_templates.confirm_delete"
LIST_VARIABLES = ("lines", "items")
FIELDS = {f: f"email_templates.{f}" for f in ("event", "language", "kind", "name", "subject", "body", "is_html")}

st.title(_("Email templates"))
st.caption(
    _(
        "Templates are Jinja2, rendered in a sandbox: buyer data is always printed as typed, and escaped "
        "in HTML. Without a template of its own, an event uses the global one, then the built-in text."
    )
)
show_notice(DONE)

event_list = cached_query(events)
event_names = dict(zip(event_list["id"].astype(int), event_list["name"]))


GLOBAL = 0  # the scope choice "all events" (a selectbox shows None as "no choice")


def scope_label(event_id: int | None) -> str:
    return _("All events (global)") if not event_id else event_names.get(event_id, f"#{event_id}")


existing = cached_query(templates)
with st.expander(_("All templates ({count})").format(count=len(existing)), expanded=False):
    if existing.empty:
        st.caption(_("No template yet: every email uses the built-in text."))
    else:
        st.dataframe(
            existing.assign(
                event_name=[
                    scope_label(None if e is None or str(e) == "<NA>" else int(e)) for e in existing["event_id"]
                ],
                kind=[email_kind_label(k) for k in existing["kind"]],
                language=[LANGUAGE_NAMES.get(lang, lang) for lang in existing["language"]],
                updated_at=[local_time(v) for v in existing["updated_at"]],
            )[["event_name", "kind", "language", "name", "subject", "is_html", "updated_at"]],
            hide_index=True,
            width="stretch",
            column_config={
                "event_name": _("Used for"),
                "kind": _("Email"),
                "language": _("Language"),
                "name": _("Name"),
                "subject": _("Subject"),
                "is_html": _("HTML"),
                "updated_at": _("Updated at"),
            },
        )

choices = [NEW] + [int(i) for i in existing["id"]]
labels = {
    int(row.id): f"{row.name} · {email_kind_label(row.kind)} · {row.language.upper()} · "
    f"{scope_label(None if str(row.event_id) == '<NA>' else int(row.event_id))}"
    for row in existing.itertuples()
}
if (pending := st.session_state.pop(NEXT, None)) is not None:
    st.session_state[CHOICE] = pending
if st.session_state.get(CHOICE) not in choices:
    st.session_state[CHOICE] = NEW
choice = st.selectbox(
    _("Template"), choices, key=CHOICE, format_func=lambda i: _("+ New template") if i == NEW else labels[i]
)


def load_fields(template_id: int) -> None:
    """Fill the editor from the chosen template (or the built-in text for a new one)."""
    saved = cached_query(template, template_id) if template_id != NEW else None
    if saved is None:
        subject, body = default_text("payment_details", "en")
        saved = {
            "event_id": None,
            "language": "en",
            "kind": "payment_details",
            "name": "",
            "subject": subject,
            "body": body,
            "is_html": False,
        }
    st.session_state[FIELDS["event"]] = saved["event_id"] or GLOBAL
    for field in ("language", "kind", "name", "subject", "body", "is_html"):
        st.session_state[FIELDS[field]] = saved[field]
    st.session_state.pop(CONFIRM_DELETE, None)


if st.session_state.get(LOADED) != choice:
    load_fields(choice)
    st.session_state[LOADED] = choice


def use_built_in_text() -> None:
    subject, body = default_text(st.session_state[FIELDS["kind"]], st.session_state[FIELDS["language"]])
    st.session_state[FIELDS["subject"]], st.session_state[FIELDS["body"]] = subject, body
    st.session_state[FIELDS["is_html"]] = False


editor, side = st.columns([3, 2])
with editor:
    first, second, third = st.columns(3)
    first.selectbox(_("Used for"), [GLOBAL] + list(event_names), format_func=scope_label, key=FIELDS["event"])
    second.selectbox(_("Language"), list(LANGUAGES), format_func=LANGUAGE_NAMES.get, key=FIELDS["language"])
    third.selectbox(_("Email"), list(KINDS), format_func=email_kind_label, key=FIELDS["kind"])
    st.text_input(
        _("Name"),
        key=FIELDS["name"],
        max_chars=200,
        help=_("Shown when choosing a template, e.g. in the new-order wizard."),
    )
    st.text_input(_("Subject"), key=FIELDS["subject"], max_chars=300)
    st.text_area(_("Body"), key=FIELDS["body"], height=320)
    st.checkbox(_("HTML body (autoescaped; a plain-text version is sent along)"), key=FIELDS["is_html"])
    st.button(
        _("Start from the built-in text"),
        key="email_templates.built_in",
        on_click=use_built_in_text,
        help=_("Replace the subject and body with the built-in text of this email and language."),
    )
with side, st.container(border=True):
    st.markdown(_("**Variables**"))
    st.caption(_("Write `{{ order.number }}`; loop with `{% for line in lines %}...{% endfor %}`."))
    for name, keys in VARIABLES.items():
        is_list = name in LIST_VARIABLES  # `lines` and `items`: loop over them, one `line` / `item` each
        prefix = name[:-1] if is_list else name
        st.markdown(
            f"`{name}`" + (_(" (a list)") if is_list else "") + ": " + ", ".join(f"`{prefix}.{key}`" for key in keys)
        )


def values() -> dict:
    return {field: st.session_state[key] for field, key in FIELDS.items() if field != "event"} | {
        "event_id": st.session_state[FIELDS["event"]] or None
    }


def save() -> None:
    def write(session) -> int:
        if choice == NEW:
            return create_template(session, actor=current_actor(), **values()).id
        return update_template(session, actor=current_actor(), template_id=choice, **values()).id

    # The editor already shows what was saved: the next run selects it without reloading it.
    run_service(
        write,
        success=_("Template saved."),
        notice=DONE,
        then=lambda saved_id: st.session_state.update({NEXT: saved_id, LOADED: saved_id}),
    )


st.divider()
preview_col, actions_col = st.columns([2, 3])
number_text = preview_col.text_input(
    _("Preview on order number"), key="email_templates.preview_order", placeholder=_("newest order of the event")
)
buttons = actions_col.columns(3)
save_clicked = buttons[0].button(_("Save"), key="email_templates.save", type="primary", icon=":material/save:")
preview_clicked = buttons[1].button(_("Preview"), key="email_templates.preview", icon=":material/visibility:")
if choice != NEW and buttons[2].button(_("Delete"), key="email_templates.delete", icon=":material/delete:"):
    st.session_state[CONFIRM_DELETE] = choice

if save_clicked:
    save()

if st.session_state.get(CONFIRM_DELETE) == choice and choice != NEW:
    with st.container(border=True):
        st.warning(
            _(
                "Delete the template “{name}”? Emails already queued or sent keep their text; new ones "
                "use the next template in line."
            ).format(name=md(labels.get(choice, "")))
        )
        yes, no = st.columns(2)
        if yes.button(_("Delete the template"), key="email_templates.confirm", type="primary"):
            st.session_state.pop(CONFIRM_DELETE, None)
            run_service(
                lambda session: delete_template(session, actor=current_actor(), template_id=choice),
                success=_("Template deleted."),
                notice=DONE,
                then=lambda _deleted: st.session_state.update({NEXT: NEW}),
            )
        if no.button(_("Keep it"), key="email_templates.cancel_delete"):
            st.session_state.pop(CONFIRM_DELETE, None)
            st.rerun()

if preview_clicked:
    order_id = None
    if number_text.strip():
        if number_text.strip().isdigit():
            order_id = cached_query(order_id_by_number, int(number_text.strip()))
        if order_id is None:
            st.error(_("No order has the number {number}.").format(number=number_text.strip()))
            st.stop()
    else:
        order_id = cached_query(latest_order_id, st.session_state[FIELDS["event"]] or None)
    current = values()
    rendered = read(
        lambda session: preview_template(
            session,
            actor=current_actor(),
            order_id=order_id,
            subject=current["subject"],
            body=current["body"],
            is_html=current["is_html"],
            language=current["language"],
        )
    )
    if rendered is not None:
        with st.container(border=True):
            st.caption(
                _("Preview on a sample order (there is no order yet).")
                if order_id is None
                else _("Preview on a real order; nothing is sent.")
            )
            st.text(_("Subject: {subject}").format(subject=rendered.subject))
            st.code(rendered.body_text, language=None, wrap_lines=True)
            if rendered.body_html:
                with st.expander(_("HTML"), expanded=True):
                    isolated_html(rendered.body_html)
