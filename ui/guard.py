"""Fail closed when Streamlit would run a page file without the router.

With a `pages/` folder next to app.py, Streamlit starts in its old multipage mode: until app.py
has called `st.navigation` once in the server process, a first request for `/orders` runs
pages/orders.py directly - no sign-in, no role check. Every page imports `ui`, so `ui` turns that
mode off on import and reruns the session, which then goes through app.py (the sign-in form, at
the same address). Tested in tests/browser/test_sign_in.py on a fresh server."""

from __future__ import annotations


def route_everything_through_the_router() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # a Streamlit without these internals has no such mode to turn off
        return
    if not getattr(PagesManager, "uses_pages_directory", None):
        return
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx(suppress_warning=True) is not None:
        import streamlit as st

        st.rerun()  # this run may be a page without the router: start again through app.py
