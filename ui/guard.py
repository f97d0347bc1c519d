"""Fail closed on every run: a page file draws nothing unless the router (app.py) runs it in
*this* script run.

With a `pages/` folder next to app.py, Streamlit starts in its old multipage mode: until some
session has called `st.navigation`, a request for `/orders` runs pages/orders.py directly - no
sign-in, no role check. Switching that mode off once per process is not enough: sessions that
are already running a page file directly carry on (issue 13, item 0). So app.py runs the chosen
page inside `routed()`, and every page starts with `require_router()`, which, outside it, turns
the old mode off and reruns the session through app.py (the sign-in form at the same address).
Tested in tests/browser/test_sign_in.py with ten tabs at once on a fresh server."""

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


def require_router() -> None:
    """The first line of every page: outside the router, stop this run and rerun through app.py."""
    if _ROUTED.get():
        return
    PagesManager.uses_pages_directory = False  # later runs of every session go through app.py
    st.rerun()


def turn_off_pages_folder_mode() -> None:
    """Called on import of `ui`: most sessions then never meet the old mode at all."""
    PagesManager.uses_pages_directory = False
