"""Users (administrators): add accounts, change roles and events, deactivate, reset passwords."""

import pandas as pd
import streamlit as st

from orders_core.i18n import _
from orders_core.passwords import MIN_PASSWORD_LENGTH, generate_password
from orders_core.permissions import ROLE_LABELS, ROLES
from orders_core.services import users as accounts
from ui.guard import require_router
from ui.session import current_actor
from ui.text import md
from ui.timezone import local_time
from ui.transactions import read, run_service, show_notice

require_router()

NEW_PASSWORD = "users.new_password"  # (email, password) shown once, then forgotten
CONFIRM_DEACTIVATE = "users.confirm_deactivate"  # id of the account awaiting confirmation
DONE = "users.done"  # a success message carried over the rerun
PENDING_SCOPE = "users.pending_scope"  # (user id, event ids or None) awaiting confirmation


def role_label(role: str) -> str:
    return _(ROLE_LABELS[role])


def act(service, *, success=None, then=None, **kwargs) -> None:
    """Run one account service as the signed-in admin (ui.transactions.run_service)."""
    run_service(
        lambda session: service(session, actor=current_actor(), **kwargs), success=success, notice=DONE, then=then
    )


def show_password(email: str):
    """Keep a new password for the next run, which shows it once."""
    return lambda password: st.session_state.update({NEW_PASSWORD: (email, password)})


st.title(_("Users"))
st.caption(_("Who may sign in, and with which role. Passwords are stored as argon2id hashes only."))

show_notice(DONE)
if shown := st.session_state.pop(NEW_PASSWORD, None):
    email, password = shown
    st.success(_("New password of {email}, shown only this once: give it to them privately.").format(email=md(email)))
    st.code(password, language=None)

people = read(lambda session: accounts.list_users(session, actor=current_actor())) or []
event_names: dict[int, str] = dict(read(lambda session: accounts.event_choices(session, actor=current_actor())) or [])


def events_text(event_ids) -> str:
    """ "All events", or the names of the events (an event the admin does not see: its id)."""
    if event_ids is None:
        return _("All events")
    if not event_ids:
        return _("No event")
    return ", ".join(event_names.get(e, f"#{e}") for e in event_ids)


def scope_inputs(prefix: str, current) -> tuple[bool, list[int]]:
    """The all-events toggle and the events list; returns (all events, chosen ids)."""
    every = st.toggle(_("All events"), value=current is None, key=f"{prefix}_all")
    chosen = st.multiselect(
        _("Events"),
        list(event_names),
        default=[e for e in (current or ()) if e in event_names],
        format_func=lambda e: event_names[e],
        key=f"{prefix}_events",
        help=_("The user sees and acts on these events only (orders, exports, dashboards, catalogue...)."),
    )
    return every, chosen


def status_of(person) -> str:
    if not person.active:
        return _("Deactivated")
    if person.locked:
        return _("Locked until {time}").format(time=local_time(person.locked_until))
    return _("Active")


table = pd.DataFrame(
    {
        "email": [p.email for p in people],
        "name": [p.full_name for p in people],
        "role": [role_label(p.role) for p in people],
        "events": [events_text(p.event_ids) for p in people],
        "status": [status_of(p) for p in people],
        "last_login": [local_time(p.last_login_at) for p in people],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "email": _("Email"),
        "name": _("Name"),
        "role": _("Role"),
        "events": _("Events"),
        "status": _("Status"),
        "last_login": _("Last sign-in"),
    },
)

add_tab, change_tab = st.tabs([_("Add a user"), _("Change an account")])

with add_tab, st.form("users.add", clear_on_submit=True):
    email = st.text_input(_("Email"), key="users.add_email")
    name = st.text_input(_("Full name"), key="users.add_name")
    role = st.selectbox(_("Role"), ROLES, format_func=role_label, key="users.add_role")
    add_every, add_events = scope_inputs("users.add", None)
    password = st.text_input(
        _("Password"),
        type="password",
        key="users.add_password",
        help=_(
            "At least {n} characters; not a common password, nor the email or name. A few unrelated words make a "
            "strong one. Leave empty to generate one."
        ).format(n=MIN_PASSWORD_LENGTH),
    )
    if st.form_submit_button(_("Add the user"), type="primary"):
        generated = password or generate_password()
        act(
            accounts.add_user,
            email=email,
            role=role,
            password=generated,
            full_name=name,
            event_ids=None if add_every else add_events,
            success=lambda user: _("{email} can now sign in as {role}.").format(
                email=md(user.email), role=role_label(role)
            ),
            then=None if password else lambda user: show_password(user.email)(generated),
        )

with change_tab:
    if not people:
        st.info(_("No user yet."))
        st.stop()
    by_id = {p.id: p for p in people}
    chosen_id = st.selectbox(
        _("Account"),
        list(by_id),
        key="users.account",
        format_func=lambda i: (
            f"{by_id[i].email} — {role_label(by_id[i].role)}" + ("" if by_id[i].active else f" ({_('Deactivated')})")
        ),
    )
    person = by_id[chosen_id]

    role_column, password_column, active_column = st.columns(3)
    with role_column.container(border=True):
        new_role = st.selectbox(
            _("Role"), ROLES, index=ROLES.index(person.role), format_func=role_label, key=f"users.role_{person.id}"
        )
        if st.button(_("Change the role"), key="users.change_role", disabled=new_role == person.role):
            act(
                accounts.change_role,
                user_id=person.id,
                role=new_role,
                success=_("{email} is now {role}.").format(email=md(person.email), role=role_label(new_role)),
            )
    with password_column.container(border=True):
        st.caption(_("A new password is generated and shown once; the account is unlocked and signed out everywhere."))
        if st.button(_("Reset the password"), key="users.reset_password"):
            act(accounts.reset_password, user_id=person.id, then=show_password(person.email))
    with active_column.container(border=True):
        if not person.active:
            st.caption(_("This account cannot sign in."))
            if st.button(_("Reactivate"), key="users.reactivate"):
                act(
                    accounts.reactivate_user,
                    user_id=person.id,
                    success=_("{email} can sign in again.").format(email=md(person.email)),
                )
        elif st.session_state.get(CONFIRM_DEACTIVATE) == person.id:
            st.warning(
                _(
                    "Deactivate {email}? They are signed out at their next action and can no longer sign "
                    "in. The account and its history are kept."
                ).format(email=md(person.email))
            )
            yes, no = st.columns(2)
            if yes.button(_("Deactivate"), key="users.deactivate_confirm", type="primary"):
                st.session_state.pop(CONFIRM_DEACTIVATE, None)
                act(
                    accounts.deactivate_user,
                    user_id=person.id,
                    success=_("{email} is deactivated.").format(email=md(person.email)),
                )
            if no.button(_("Cancel"), key="users.deactivate_cancel"):
                st.session_state.pop(CONFIRM_DEACTIVATE, None)
                st.rerun()
        else:
            st.caption(_("Deactivated accounts keep their history but cannot sign in."))
            if st.button(_("Deactivate…"), key="users.deactivate"):
                st.session_state[CONFIRM_DEACTIVATE] = person.id
                st.rerun()

    with st.container(border=True):
        st.markdown(f"**{_('Events')}**")
        st.caption(_("Now: {events}").format(events=md(events_text(person.event_ids))))
        pending = st.session_state.get(PENDING_SCOPE)
        if pending and pending[0] == person.id:
            wanted = pending[1]
            st.warning(
                _("{email} will see: {new} (now: {old}). Their open sessions follow at their next action.").format(
                    email=md(person.email), new=md(events_text(wanted)), old=md(events_text(person.event_ids))
                )
            )
            yes, no = st.columns(2)
            if yes.button(_("Save the events"), key="users.scope_confirm", type="primary"):
                st.session_state.pop(PENDING_SCOPE, None)
                act(
                    accounts.set_event_scope,
                    user_id=person.id,
                    event_ids=wanted,
                    success=_("{email} now sees: {events}.").format(
                        email=md(person.email), events=md(events_text(wanted))
                    ),
                )
            if no.button(_("Cancel"), key="users.scope_cancel"):
                st.session_state.pop(PENDING_SCOPE, None)
                st.rerun()
        else:
            every, chosen = scope_inputs(f"users.scope_{person.id}", person.event_ids)
            wanted = None if every else sorted(chosen)
            unchanged = wanted == (None if person.event_ids is None else sorted(person.event_ids))
            if st.button(_("Change the events…"), key="users.scope", disabled=unchanged):
                st.session_state[PENDING_SCOPE] = (person.id, wanted)
                st.rerun()
