"""A part of a page that reruns on its own (issue 19): `@page_fragment` is `st.fragment` for the
interactive body of a page (the grid's filters and rows, a dashboard's filters and charts), so
that a filter change reruns that body only - not the router, the sidebar and the rest of the page.

A fragment's own rerun does not go through app.py, where the language is set and the session is
checked against the database. Fail closed on every run: before such a rerun draws anything, this
sets the language again and re-reads the session (one indexed read, ui/shell.py); a session ended
elsewhere, or a user whose role or scope changed, gets a full rerun instead, through the router,
which shows the sign-in form or the pages of the new role."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from ui import run_times, shell
from ui.guard import is_routed, routed
from ui.session import USER_KEY

P = ParamSpec("P")


def page_fragment(body: Callable[P, None]) -> Callable[P, None]:
    """`st.fragment(body)`, whose own reruns check the language and the session first."""

    @functools.wraps(body)
    def checked(*args: P.args, **kwargs: P.kwargs) -> None:
        if is_routed():  # drawn by the page's full run: app.py has just checked everything
            body(*args, **kwargs)
            return
        with run_times.fragment_run(body.__name__):
            shell.apply_locale()
            before = st.session_state.get(USER_KEY)
            if before is None or shell.signed_in_user() != before:
                st.rerun()  # the whole app: the router decides what this session may see now
            with routed():
                body(*args, **kwargs)

    return st.fragment(checked)
