"""Fail closed on every run: a page file draws nothing unless the router (app.py) runs it in
*this* script run.

With a `pages/` folder next to app.py, Streamlit starts in its old multipage mode: until some
session has called `st.navigation`, a request for `/orders` runs pages/orders.py directly - no
sign-in, no role check - and an address that is not a file name (/order, /email-templates)
meets Streamlit's "Page not found" before the sign-in form. So server.py switches that mode off
when the process starts, before the first browser session exists (`turn_off_pages_folder_mode`).

Defence in depth, for any other way of starting the app (`streamlit run app.py`, AppTest):
sessions already running a page file directly would carry on (issue 13, item 0). So app.py runs
the chosen page inside `routed()`, and every page starts with `require_router()`, which, outside
it, turns the old mode off and reruns the session through app.py (the sign-in form at the same
address). Tested in tests/browser/test_sign_in.py with ten tabs at once on a fresh server and
deep links on a fresh server (tests/browser/test_deep_links_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Set only while app.py runs the page it chose; a script run is one thread, one context.
_ROUTED: ContextVar[bool] = ContextVar("orders_routed_by_app", default=False)


@contextmanager
def routed() -> Iterator[None]:
    """Wrap the router's `navigation.run()`: the page that runs inside is allowed to draw."""
    token = _ROUTED.set(True)
    try:
        yield
    finally:
        _ROUTED.reset(token)


def is_routed() -> bool:
    """Whether this code runs inside the router's run of a page (False in a fragment's own rerun,
    which does not go through app.py: ui/fragments.py)."""
    return _ROUTED.get()


def require_router() -> None:
    """The first line of every page: outside the router, stop this run and rerun through app.py."""
    if _ROUTED.get():
        return
    PagesManager.uses_pages_directory = False  # later runs of every session go through app.py
    st.rerun()


def turn_off_pages_folder_mode() -> None:
    """Called by server.py as the process starts (and on import of `ui`): no session of a server
    started from server.py ever meets the old mode."""
    PagesManager.uses_pages_directory = False
