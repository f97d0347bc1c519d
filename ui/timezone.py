"""One time policy: every date is shown in the user's time zone, and names it.

The zone is the user's choice, kept with their account (`users.timezone`); until they choose,
their browser's (`st.context.timezone`), else Europe/Paris. The sidebar changes it. Stored times
are UTC (rule 10); the dashboards' daily figures are UTC days, and say so."""

from __future__ import annotations

import streamlit as st

from orders_core.i18n import DEFAULT_TIMEZONE, _, format_datetime_in_zone, is_timezone, timezone_names
from orders_core.services.preferences import set_timezone
from queries.preferences import user_timezone as stored_timezone
from ui.data import cached_query
from ui.session import current_actor, current_user
from ui.transactions import run_service

TIMEZONE_KEY = "ui.timezone"  # the zone of this browser session
_WIDGET = "shell.timezone"
_CHOSEN = "shell.timezone_chosen"  # set by the widget's callback: keep the choice with the account


def user_timezone() -> str:
    """The zone dates are shown in for this session (see the module's policy)."""
    zone = st.session_state.get(TIMEZONE_KEY)
    if is_timezone(zone):
        return zone
    user = current_user()
    stored = cached_query(stored_timezone, user["id"]) if user else None
    zone = next(z for z in (stored, st.context.timezone, DEFAULT_TIMEZONE) if is_timezone(z))
    st.session_state[TIMEZONE_KEY] = zone
    return zone


def local_time(value) -> str:
    """A stored UTC time in the user's zone, naming it (`21 Nov 2026, 19:50:00 CET`); '' if empty."""
    if value is None or value != value:  # None, NaT or NaN
        return ""
    return format_datetime_in_zone(value.to_pydatetime() if hasattr(value, "to_pydatetime") else value, user_timezone())


def _chosen() -> None:
    st.session_state[TIMEZONE_KEY] = st.session_state[_WIDGET]
    st.session_state[_CHOSEN] = True


def timezone_switch(container=st.sidebar) -> None:
    """The user's time zone, applied at once and kept with their account."""
    zone = user_timezone()
    if st.session_state.pop(_CHOSEN, False):
        run_service(lambda session: set_timezone(session, actor=current_actor(), timezone=zone), rerun=False)
    st.session_state[_WIDGET] = zone  # the widget follows the session even when something else changed it
    container.selectbox(
        _("Time zone"),
        timezone_names(),
        key=_WIDGET,
        on_change=_chosen,
        help=_("Every date is shown in this time zone. Your browser's is used until you choose one."),
    )
