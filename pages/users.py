"""Users (administrators): add accounts, change roles, deactivate, reset passwords."""

import pandas as pd
import streamlit as st

from orders_core.db import unit_of_work
from orders_core.errors import OrderError
from orders_core.i18n import _, format_datetime
from orders_core.passwords import generate_password
from orders_core.permissions import ROLE_LABELS, ROLES
from orders_core.services import users as accounts
from ui.data import engine
from ui.guard import require_router
from ui.session import current_actor

require_router()

NEW_PASSWORD = "users.new_password"  # (email, password) shown once, then forgotten
CONFIRM_DEACTIVATE = "users.confirm_deactivate"  # id of the account awaiting confirmation
DONE = "users.done"  # a success message carried over the rerun


def role_label(role: str) -> str:
    return _(ROLE_LABELS[role])


def act(service, **kwargs):
    """Run one service call in its own transaction; show its refusal instead of a traceback."""
    try:
        with unit_of_work(engine()) as session:
            return True, service(session, actor=current_actor(), **kwargs)
    except OrderError as error:
        st.error(error.message)
        return False, None


st.title(_("Users"))
st.caption(_("Who may sign in, and with which role. Passwords are stored as argon2id hashes only."))

if message := st.session_state.pop(DONE, None):
    st.success(message)
if shown := st.session_state.pop(NEW_PASSWORD, None):
    email, password = shown
    st.success(_("New password of {email}, shown only this once: give it to them privately.").format(email=email))
    st.code(password, language=None)

timezone = st.context.timezone or "UTC"
ok, people = act(accounts.list_users)
people = people or []


def status_of(person) -> str:
    if not person.active:
        return _("Deactivated")
    if person.locked:
        return _("Locked until {time}").format(time=format_datetime(person.locked_until, timezone))
    return _("Active")


table = pd.DataFrame(
    {
        "email": [p.email for p in people],
        "name": [p.full_name for p in people],
        "role": [role_label(p.role) for p in people],
        "status": [status_of(p) for p in people],
        "last_login": [format_datetime(p.last_login_at, timezone) for p in people],
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
        "status": _("Status"),
        "last_login": _("Last sign-in"),
    },
)

add_tab, change_tab = st.tabs([_("Add a user"), _("Change an account")])

with add_tab, st.form("users.add", clear_on_submit=True):
    email = st.text_input(_("Email"), key="users.add_email")
    name = st.text_input(_("Full name"), key="users.add_name")
    role = st.selectbox(_("Role"), ROLES, format_func=role_label, key="users.add_role")
    password = st.text_input(
        _("Password"),
        type="password",
        key="users.add_password",
        help=_("At least {n} characters. Leave empty to generate one.").format(n=accounts.MIN_PASSWORD_LENGTH),
    )
    if st.form_submit_button(_("Add the user"), type="primary"):
        generated = password or generate_password()
        ok, user = act(accounts.add_user, email=email, role=role, password=generated, full_name=name)
        if ok:
            st.session_state[DONE] = _("{email} can now sign in as {role}.").format(
                email=user.email, role=role_label(role)
            )
            if not password:
                st.session_state[NEW_PASSWORD] = (user.email, generated)
            st.rerun()

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
            ok, _user = act(accounts.change_role, user_id=person.id, role=new_role)
            if ok:
                st.session_state[DONE] = _("{email} is now {role}.").format(
                    email=person.email, role=role_label(new_role)
                )
                st.rerun()
    with password_column.container(border=True):
        st.caption(_("A new password is generated and shown once; the account is unlocked."))
        if st.button(_("Reset the password"), key="users.reset_password"):
            ok, new_password = act(accounts.reset_password, user_id=person.id)
            if ok:
                st.session_state[NEW_PASSWORD] = (person.email, new_password)
                st.rerun()
    with active_column.container(border=True):
        if not person.active:
            st.caption(_("This account cannot sign in."))
            if st.button(_("Reactivate"), key="users.reactivate"):
                ok, _user = act(accounts.reactivate_user, user_id=person.id)
                if ok:
                    st.session_state[DONE] = _("{email} can sign in again.").format(email=person.email)
                    st.rerun()
        elif st.session_state.get(CONFIRM_DEACTIVATE) == person.id:
            st.warning(
                _(
                    "Deactivate {email}? They are signed out at their next action and can no longer sign "
                    "in. The account and its history are kept."
                ).format(email=person.email)
            )
            yes, no = st.columns(2)
            if yes.button(_("Deactivate"), key="users.deactivate_confirm", type="primary"):
                st.session_state.pop(CONFIRM_DEACTIVATE, None)
                ok, _user = act(accounts.deactivate_user, user_id=person.id)
                if ok:
                    st.session_state[DONE] = _("{email} is deactivated.").format(email=person.email)
                    st.rerun()
            if no.button(_("Cancel"), key="users.deactivate_cancel"):
                st.session_state.pop(CONFIRM_DEACTIVATE, None)
                st.rerun()
        else:
            st.caption(_("Deactivated accounts keep their history but cannot sign in."))
            if st.button(_("Deactivate…"), key="users.deactivate"):
                st.session_state[CONFIRM_DEACTIVATE] = person.id
                st.rerun()
