"""Account security (every role, issue 17): two-factor sign-in of one's own account - set up an
authenticator app, see since when it is on and how many recovery codes are left, get new recovery
codes, turn it off (each proven with a current code). Administrators also choose whether it is
mandatory for admins and finance, and turn it off for someone who lost their phone."""

from __future__ import annotations

import streamlit as st

from orders_core import two_factor
from orders_core.i18n import _, ngettext
from orders_core.permissions import ADMIN, FINANCE, ROLE_LABELS
from ui.guard import require_router
from ui.session import can, current_actor
from ui.shell import client_address
from ui.text import md
from ui.timezone import local_time
from ui.transactions import read, run_service, show_notice
from ui.two_factor import enrolment_panel, recovery_codes_panel

require_router()

PREFIX = "security"
NEW_CODES = "security.new_codes"  # recovery codes just made, shown once

st.title(_("Account security"))
show_notice()
actor = current_actor()
source = client_address() or ""

st.subheader(_("Two-factor sign-in"))
st.caption(
    _(
        "After your password, a 6-digit code from an authenticator app on your phone: a stolen password alone "
        "no longer opens your account."
    )
)

codes = st.session_state.get(NEW_CODES)
if codes:
    recovery_codes_panel(codes)
    if st.button(_("I have saved my recovery codes"), key="security.codes_saved", type="primary"):
        st.session_state.pop(NEW_CODES, None)
        st.rerun()
    st.stop()

status = read(lambda session: two_factor.status(session, actor=actor))
if status is None:
    st.stop()


def _keep_codes(new_codes: list[str]) -> None:
    st.session_state[NEW_CODES] = new_codes


if not status.enrolled:
    if status.required:
        st.warning(
            _("Two-factor sign-in is mandatory for your role: set up an authenticator app to continue."),
            icon=":material/shield_lock:",
        )
    else:
        st.info(_("Two-factor sign-in is off for your account."), icon=":material/shield:")
    enrolment_panel(actor, prefix=PREFIX, source=source, on_confirmed=_keep_codes)
    if status.required:
        st.stop()  # nothing else of the app, this page included, before the enrolment
else:
    st.success(
        _("Two-factor sign-in is on since {when}.").format(when=local_time(status.enabled_at)),
        icon=":material/verified_user:",
    )
    left = status.recovery_codes_left
    message = ngettext("{n} recovery code left.", "{n} recovery codes left.", left).format(n=left)
    (st.warning if left <= 2 else st.caption)(message)

    with st.expander(_("New recovery codes"), icon=":material/key:"):
        with st.form("security.regenerate_form"):
            st.caption(_("The codes you have now stop working."))
            code = st.text_input(_("Current code"), key="security.regenerate_code", autocomplete="one-time-code")
            if st.form_submit_button(_("Make new recovery codes")):
                run_service(
                    lambda session: two_factor.regenerate_recovery_codes(
                        session, actor=actor, code=code, source=source
                    ),
                    then=_keep_codes,
                    changes_reads=False,
                )
    with st.expander(_("Turn two-factor sign-in off"), icon=":material/no_encryption:"):
        with st.form("security.disable_form"):
            if status.required:
                st.caption(_("Your role must use it: you will set up an authenticator app again at once."))
            code = st.text_input(_("Current code"), key="security.disable_code", autocomplete="one-time-code")
            if st.form_submit_button(_("Turn off")):
                run_service(
                    lambda session: two_factor.disable(session, actor=actor, code=code, source=source),
                    success=_("Two-factor sign-in is off."),
                    changes_reads=False,
                )

if can("security.manage"):
    st.divider()
    st.subheader(_("For every account"))
    required = read(two_factor.is_required)
    roles = ", ".join(_(ROLE_LABELS[role]) for role in (ADMIN, FINANCE))
    with st.form("security.required_form"):
        wanted = st.toggle(
            _("Two-factor sign-in is mandatory for: {roles}").format(roles=roles),
            value=bool(required),
            key="security.required",
        )
        st.caption(_("Those not set up yet set it up at their next action or sign-in, before any other page."))
        if st.form_submit_button(_("Save")):
            run_service(
                lambda session: two_factor.set_required(session, actor=actor, required=wanted, source=source),
                success=_("Saved."),
                changes_reads=False,
            )
    enrolled = [
        email
        for email in read(lambda session: two_factor.enrolled_accounts(session, actor=actor)) or []
        if email != actor.email
    ]
    with st.form("security.reset_form"):
        st.markdown(md(_("Turn off the two-factor sign-in of someone who lost their phone and recovery codes:")))
        chosen = st.selectbox(_("Account"), enrolled, index=None, key="security.reset_email")
        if st.form_submit_button(_("Turn off for this account"), disabled=not enrolled) and chosen:
            run_service(
                lambda session: two_factor.reset(session, actor=actor, email=chosen, source=source),
                success=_("Two-factor sign-in is off for {email}.").format(email=chosen),
                changes_reads=False,
            )
