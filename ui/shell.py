"""The frame around every page: the interface language, the sign-in form, the sidebar with the
signed-in user and sign-out. Sign-in itself is `orders_core.auth` (one interface, replaceable by
an OIDC provider); this module only draws it and keeps its result in the session."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from orders_core import auth
from orders_core.i18n import LANGUAGES, _, default_locale, set_locale
from orders_core.permissions import ROLE_LABELS
from ui.session import USER_KEY, current_user
from ui.timezone import timezone_switch
from ui.transactions import read, run_service

LOCALE_KEY = "ui.locale"  # the chosen language, for the whole browser session
_LOCALE_WIDGET = "shell.language"
# Kept through sign-out: the language is the browser's choice, not the user's data.
_KEPT_ON_SIGN_OUT = (LOCALE_KEY,)


def apply_locale() -> str:
    """Set this rerun's language from the session (default `ORDERS_LOCALE`) and return it."""
    language = st.session_state.get(LOCALE_KEY)
    if language not in LANGUAGES:
        language = default_locale()
        st.session_state[LOCALE_KEY] = language
    set_locale(language)
    return language


def _language_chosen() -> None:
    st.session_state[LOCALE_KEY] = st.session_state[_LOCALE_WIDGET]


def language_switch(container=st.sidebar) -> None:
    """English / Français, sticky for the session."""
    # The widget follows the session's language even when something else changed it.
    st.session_state[_LOCALE_WIDGET] = st.session_state[LOCALE_KEY]
    # Two buttons rather than a select box: nothing to type, one click.
    container.segmented_control(
        _("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=_LOCALE_WIDGET,
        on_change=_language_chosen,
        required=True,
    )


def signed_in_user() -> dict | None:
    """The session's user, re-read from the database on every rerun: a deactivated account is
    signed out at its next action, a changed role takes effect at once."""
    user = current_user()
    if user is None:
        return None
    fresh = read(lambda session: auth.refresh(session, user))  # a read: never SQLite's write lock
    if fresh is None:
        sign_out()
        return None
    if fresh != user:
        st.session_state[USER_KEY] = fresh
    return fresh


def sign_out() -> None:
    """Forget everything of this session except the language."""
    kept = {key: st.session_state[key] for key in _KEPT_ON_SIGN_OUT if key in st.session_state}
    st.session_state.clear()
    st.session_state.update(kept)


def sign_in_page() -> None:
    """The only page of a signed-out session."""
    language_switch()
    st.title(_("Sign in"))
    st.caption(_("Orders back-office of the event ticketing platform."))
    with st.form("sign_in.form"):
        email = st.text_input(_("Email"), key="sign_in.email", autocomplete="username")
        password = st.text_input(
            _("Password"), type="password", key="sign_in.password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if not submitted:
        return
    result = run_service(  # a write: it commits the failure count too
        lambda session: auth.authenticate(session, email=email, password=password, now=datetime.now(UTC)),
        rerun=False,
        changes_reads=False,
    )
    if result is None:
        return
    if not result.ok:
        st.error(result.message)
        return
    st.session_state[USER_KEY] = result.user.as_session()
    st.rerun()


def sidebar(user: dict) -> None:
    """Who is signed in, the language switch and sign-out, under the navigation."""
    with st.sidebar:
        st.divider()
        st.markdown(f"**{user['name']}**")
        st.caption(f"{_(ROLE_LABELS.get(user['role'], user['role']))} · {user['email']}")
        language_switch(st)
        timezone_switch(st)
        if st.button(_("Sign out"), key="shell.sign_out", icon=":material/logout:"):
            sign_out()
            st.rerun()
