"""Issue 17: the second step of signing in, between the right password and the session.

The password step (ui/shell.py) leaves a `PendingSignIn` in this browser session (server-side
memory, never sent to the browser) for `PENDING_LIFETIME`; this module then asks for the
authenticator's code (or a recovery code), or, for an obliged role not enrolled yet, sets up the
app first. Only then is the one-time ticket issued that starts the session (orders_core/sessions.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from orders_core import auth, sessions
from orders_core.i18n import _
from orders_core.permissions import Actor
from ui.text import md
from ui.transactions import run_service
from ui.two_factor import enrolment_key, enrolment_panel, recovery_codes_panel

PENDING_KEY = "sign_in.pending"
CODES_KEY = "sign_in.recovery_codes"  # shown once after an enrolment at sign-in
PREFIX = "sign_in"
PENDING_LIFETIME = 10 * 60  # seconds: then the password is asked again


def remember(pending: auth.PendingSignIn) -> None:
    st.session_state[PENDING_KEY] = {**pending.as_session(), "until": time.time() + PENDING_LIFETIME}


def forget() -> None:
    for key in (PENDING_KEY, CODES_KEY, enrolment_key(PREFIX)):
        st.session_state.pop(key, None)


def pending() -> auth.PendingSignIn | None:
    """The sign-in waiting for its second factor in this browser session, while it is fresh."""
    kept = st.session_state.get(PENDING_KEY)
    if not kept:
        return None
    if kept.get("until", 0) < time.time():
        forget()
        return None
    return auth.PendingSignIn(user_id=kept["user_id"], email=kept["email"], role=kept["role"], step=kept["step"])


def _with_ticket(result: auth.AuthResult, session) -> tuple[auth.AuthResult, str | None]:
    return result, (sessions.issue_ticket(session, user_id=result.user.id) if result.ok else None)


def second_step(waiting: auth.PendingSignIn, *, source: str | None, signed_in: Callable[[str], None]) -> None:
    """Draw the step the pending sign-in is at; `signed_in(ticket)` sends the browser on."""
    st.title(_("Sign in"))
    st.caption(md(waiting.email))
    if waiting.step == auth.CODE_STEP:
        _code_step(waiting, source=source, signed_in=signed_in)
    else:
        _enrol_step(waiting, source=source, signed_in=signed_in)
    if st.button(_("Cancel"), key="sign_in.cancel", icon=":material/arrow_back:"):
        forget()
        st.rerun()


def _code_step(waiting: auth.PendingSignIn, *, source: str | None, signed_in: Callable[[str], None]) -> None:
    with st.form("sign_in.code_form"):
        code = st.text_input(
            _("Authentication code"),
            key="sign_in.code",
            max_chars=20,
            autocomplete="one-time-code",
            help=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        )
        submitted = st.form_submit_button(_("Verify"), type="primary")
    if not submitted:
        return
    outcome = run_service(  # a write: the failure count and the audit entry are committed too
        lambda session: _with_ticket(
            auth.verify_second_factor(session, pending=waiting, code=code, source=source), session
        ),
        rerun=False,
        changes_reads=False,
    )
    if outcome is None:
        return
    result, ticket = outcome
    if ticket is None:
        st.error(result.message)
        return
    forget()
    signed_in(ticket)


def _enrol_step(waiting: auth.PendingSignIn, *, source: str | None, signed_in: Callable[[str], None]) -> None:
    codes = st.session_state.get(CODES_KEY)
    if codes:
        recovery_codes_panel(codes)
        if st.button(_("I have saved my recovery codes: continue"), key="sign_in.continue", type="primary"):
            outcome = run_service(
                lambda session: _with_ticket(
                    auth.finish_enrolled_sign_in(session, pending=waiting, source=source), session
                ),
                rerun=False,
                changes_reads=False,
            )
            if outcome is None:
                return
            result, ticket = outcome
            if ticket is None:
                forget()
                st.error(result.message)
                return
            forget()
            signed_in(ticket)
        return
    st.warning(
        _("Two-factor sign-in is mandatory for your role: set up an authenticator app to continue."),
        icon=":material/shield_lock:",
    )
    actor = Actor(waiting.email, waiting.role, user_id=waiting.user_id)

    def keep(new_codes: list[str]) -> None:
        st.session_state[CODES_KEY] = new_codes

    enrolment_panel(actor, prefix=PREFIX, source=source or auth.LOCAL_SOURCE, on_confirmed=keep)
