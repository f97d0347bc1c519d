"""The frame around every page: the interface language, the sign-in form, the sidebar with the
signed-in user and sign-out. Sign-in itself is `orders_core.auth` (one interface, replaceable by
an OIDC provider) and the sessions are `orders_core.sessions`; this module draws the form, hands
the browser to the cookie routes and checks the session on every rerun."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from orders_core import auth, sessions, two_factor
from orders_core.i18n import LANGUAGES, _, default_locale, set_locale
from orders_core.permissions import ROLE_LABELS
from queries.dashboards.filters import event_choices
from ui import sign_in_steps
from ui.browser import send_browser_to
from ui.data import cached_query, engine
from ui.session import TOKEN_KEY, USER_KEY
from ui.text import md
from ui.timezone import timezone_switch
from ui.transactions import read, run_service
from web.session_routes import SESSION_END, SESSION_START, base_path

LOCALE_KEY = "ui.locale"  # the chosen language, for the whole browser session
_LOCALE_WIDGET = "shell.language"
# Kept through sign-out: the language is the browser's choice, not the user's data.
_KEPT_ON_SIGN_OUT = (LOCALE_KEY,)
_REJECTED_KEY = "auth.rejected_token"  # a cookie token this browser session found ended
SIGN_IN_PATH = "sign-in"  # the url_path of the sign-in page at the site's root


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


def _session_token() -> str | None:
    """The token of this browser session: kept in the session once validated, else the cookie
    the browser connected with (unless that one was already turned down here)."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        return token
    cookie = st.context.cookies.get(sessions.COOKIE_NAME)
    if isinstance(cookie, str) and cookie and cookie != st.session_state.get(_REJECTED_KEY):
        st.session_state[TOKEN_KEY] = cookie
        return cookie
    return None


def _forget_session(token: str | None) -> None:
    """Forget everything of this browser session except the language; remember the token turned
    down so that the (HttpOnly, hence unchangeable here) cookie is not tried on every rerun."""
    kept = {key: st.session_state[key] for key in _KEPT_ON_SIGN_OUT if key in st.session_state}
    st.session_state.clear()
    st.session_state.update(kept)
    if token:
        st.session_state[_REJECTED_KEY] = token


def signed_in_user() -> dict | None:
    """The signed-in user, checked against the database on every rerun (one indexed read): a
    session ended elsewhere (sign-out in another tab, password reset, deactivation, idle or
    absolute timeout) signs this tab out at its next action; a changed role applies at once."""
    token = _session_token()
    if token is None:
        return None
    user = sessions.resume(engine(), token)
    if user is None:
        _forget_session(token)
        return None
    fresh = user.as_session()
    if st.session_state.get(USER_KEY) != fresh:
        st.session_state[USER_KEY] = fresh
    return fresh


def sign_out() -> None:
    """End every session of this user server-side, then let the browser clear its cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        run_service(lambda session: sessions.sign_out(session, token=token), rerun=False, changes_reads=False)
    _forget_session(token)
    send_browser_to(base_path() + SESSION_END)


def client_address() -> str | None:
    """The browser's address as the server saw it (None on the server's own machine)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _asked_address(asked_page: str) -> str:
    """The page (with its query) the visitor asked for: where the browser lands once signed in."""
    path = "" if asked_page in ("", SIGN_IN_PATH) else asked_page
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    return f"{base_path()}/{path}" + (f"?{query}" if query else "")


def _authenticate(session, email: str, password: str) -> tuple[auth.AuthResult, str | None]:
    """Check the password; on success, the one-time ticket that lets the browser get its cookie."""
    result = auth.authenticate(session, email=email, password=password, source=client_address())
    return result, (sessions.issue_ticket(session, user_id=result.user.id) if result.ok else None)


def _send_to_session_start(ticket: str, asked_page: str) -> None:
    # The cookie is HttpOnly: only a route can set it. The browser takes the one-time ticket
    # there and comes back to the page it asked for, signed in (and so do its other tabs).
    st.info(_("Signing you in…"), icon=":material/login:")
    send_browser_to(
        f"{base_path()}{SESSION_START}?" + urlencode({"ticket": ticket, "next": _asked_address(asked_page)})
    )


def sign_in_page(asked_page: str = "") -> None:
    """The only page of a signed-out session; `asked_page` is the url_path it stands in for.
    After the right password, an account with two-factor sign-in (or obliged to enrol) goes on to
    the second step (ui/sign_in_steps.py) before its session starts."""
    language_switch()
    waiting = sign_in_steps.pending()
    if waiting is not None:
        sign_in_steps.second_step(
            waiting, source=client_address(), signed_in=lambda ticket: _send_to_session_start(ticket, asked_page)
        )
        return
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
    outcome = run_service(  # a write: it commits the failure count too
        lambda session: _authenticate(session, email, password),
        rerun=False,
        changes_reads=False,
    )
    if outcome is None:
        return
    result, ticket = outcome
    if result.pending is not None:
        del st.session_state["sign_in.password"]
        sign_in_steps.remember(result.pending)
        st.rerun()
    if ticket is None:
        st.error(result.message)
        return
    del st.session_state["sign_in.password"]  # this browser session lingers a while: not with it
    _send_to_session_start(ticket, asked_page)


def must_enrol(user: dict) -> bool:
    """Whether this signed-in user must set up two-factor sign-in before any other page (an obliged
    role, e.g. since an administrator turned the obligation on): one read, for those roles only."""
    if user.get("role") not in two_factor.MANDATORY_ROLES:
        return False
    return bool(read(lambda session: two_factor.must_enrol_id(session, int(user["id"]))))


def enrolment_first_page(title: str, security) -> None:
    """Stands in for every page while an obliged user has not set up two-factor sign-in."""
    st.title(_(title))
    st.warning(
        _("Two-factor sign-in is mandatory for your role: set up an authenticator app to continue."),
        icon=":material/shield_lock:",
    )
    st.page_link(security, label=_("Set up two-factor sign-in"), icon=":material/shield_lock:")


def unavailable_page(title: str, home) -> None:
    """Stands in, for a signed-in user, for a page of the app the role may not see (a colleague's
    link, a bookmark from another role): a clear message at the asked address instead of
    Streamlit's "Page not found". `title` is untranslated; `home` is the overview's `st.Page`."""
    user = st.session_state.get(USER_KEY) or {}
    role = user.get("role", "")
    st.title(_(title))
    st.warning(
        md(_("This page is not available to your role ({role}).").format(role=_(ROLE_LABELS.get(role, role)))),
        icon=":material/block:",
    )
    if home is not None:
        st.page_link(home, label=_("Go to the overview"), icon=":material/dashboard:")


def sidebar(user: dict) -> None:
    """Who is signed in, the language switch and sign-out, under the navigation."""
    with st.sidebar:
        st.divider()
        st.markdown(f"**{md(user['name'])}**")
        st.caption(f"{_(ROLE_LABELS.get(user['role'], user['role']))} · {md(user['email'])}")
        if user.get("event_ids") is not None:  # issue 17: say whose events this user works on
            names = list(cached_query(event_choices)["name"])
            st.caption(_("Your events: {names}").format(names=md(", ".join(names)) if names else _("none")))
        language_switch(st)
        timezone_switch(st)
        if st.button(_("Sign out"), key="shell.sign_out", icon=":material/logout:"):
            sign_out()
            st.stop()  # not st.rerun(): that would drop the message sending the browser away
