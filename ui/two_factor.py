"""Issue 17: the pieces of two-factor sign-in drawn both at sign-in (an obliged role enrols before
its session starts) and on the Account security page: setting up an authenticator app (QR code
and key to type, then its first code) and the recovery codes, shown once."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from orders_core import totp, two_factor
from orders_core.i18n import _
from orders_core.permissions import Actor
from ui.transactions import run_service


def enrolment_key(prefix: str) -> str:
    """Where a set-up in progress keeps its otpauth URI and key (this browser session only)."""
    return f"{prefix}.enrolment"


def enrolment_panel(actor: Actor, *, prefix: str, source: str, on_confirmed: Callable[[list[str]], None]) -> None:
    """Set up an authenticator app: a button starts it (a fresh secret), then the QR code, the key
    to type and the app's first code turn it on. `on_confirmed` gets the recovery codes."""
    key = enrolment_key(prefix)
    started = st.session_state.get(key)
    if started is None:
        if st.button(
            _("Set up an authenticator app"), key=f"{prefix}.start", type="primary", icon=":material/qr_code:"
        ):
            enrolment = run_service(
                lambda session: two_factor.start_enrolment(session, actor=actor), rerun=False, changes_reads=False
            )
            if enrolment is not None:
                st.session_state[key] = {"uri": enrolment.uri, "key": enrolment.key}
                st.rerun()
        return
    st.markdown(
        _(
            "1. Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, "
            "FreeOTP, 1Password, Bitwarden…).\n"
            "2. Type the 6-digit code the app then shows."
        )
    )
    st.image(totp.qr_png(started["uri"]), width=220)
    st.caption(_("No camera? Type this key in the app instead (time-based, 6 digits, 30 seconds):"))
    st.code(started["key"], language=None)
    with st.form(f"{prefix}.confirm_form"):
        code = st.text_input(
            _("Code shown by the app"), key=f"{prefix}.confirm_code", max_chars=12, autocomplete="one-time-code"
        )
        confirmed = st.form_submit_button(_("Turn on two-factor sign-in"), type="primary")
    if not confirmed:
        return
    codes = run_service(
        lambda session: two_factor.confirm_enrolment(session, actor=actor, code=code, source=source),
        rerun=False,
        changes_reads=False,
    )
    if codes is not None:
        st.session_state.pop(key, None)
        on_confirmed(codes)
        st.rerun()


def recovery_codes_panel(codes: list[str]) -> None:
    """The recovery codes just made: shown this once, to keep somewhere safe."""
    st.success(_("Two-factor sign-in is on."), icon=":material/verified_user:")
    st.warning(
        _(
            "Save these recovery codes now (print them or keep them in a password manager): they are shown only "
            "once. Each one signs you in once if your phone is lost."
        ),
        icon=":material/key:",
    )
    st.code("\n".join(codes), language=None)
