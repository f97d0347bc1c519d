"""The UI edge: the only two ways a page or a `ui/` helper reaches a database session.

- `run_service(call)`: one user action = one service call in one unit of work (the write lock on
  SQLite, row locks on PostgreSQL); a refusal (`OrderError`) is shown in the user's language,
  never a traceback; after a success the cached reads are cleared, the optional success message
  is kept for the next run (`show_notice`) and the page reruns.
- `read(call)`: a read-only session for the few reads that go through a service function
  (accounts, saved views, previews, dry runs): never SQLite's write lock, so a read never waits
  behind a write; PostgreSQL refuses a write in it.

Everything else a page reads comes from `queries/` through `ui.data.cached_query`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from orders_core.db import read_only, unit_of_work
from orders_core.errors import OrderError
from ui.data import clear_after_write, engine, note_session_read
from ui.text import md

T = TypeVar("T")
NOTICE = "ui.notice"  # the default key of a success message shown after the rerun


def _show_error(error: OrderError) -> None:
    st.error(md(error.message))  # a refusal may quote what someone typed


def run_service(
    call: Callable[[Session], T],
    *,
    success: str | Callable[[T], str] | None = None,
    notice: str = NOTICE,
    toast: bool = False,
    then: Callable[[T], None] | None = None,
    rerun: bool = True,
    on_error: Callable[[OrderError], None] = _show_error,
    changes_reads: bool = True,
) -> T | None:
    """Run `call(session)` in one unit of work and return its result (None when refused).

    On success: the caches are cleared; `success` (a message, or a function of the result) is
    kept under `notice` for `show_notice` after the rerun, or shown at once as a toast; `then`
    gets the result (to remember it, or to switch page); then the page reruns unless `rerun` is
    False. On a refusal, `on_error` shows it (st.error by default) and nothing else happens.
    `changes_reads=False` keeps the caches, for a write no cached read shows (a sign-in attempt)."""
    try:
        with unit_of_work(engine()) as session:
            result = call(session)
    except OrderError as error:
        on_error(error)
        return None
    if changes_reads:
        clear_after_write()
    if success is not None:
        message = success(result) if callable(success) else success
        if toast:
            st.toast(message)
        else:
            st.session_state[notice] = message
    if then is not None:
        then(result)
    if rerun:
        st.rerun()
    return result


def show_notice(notice: str = NOTICE) -> None:
    """Show, once, the success message a `run_service` call kept for this run."""
    if message := st.session_state.pop(notice, None):
        st.success(message)


def read(call: Callable[[Session], T], *, on_error: Callable[[OrderError], None] = _show_error) -> T | None:
    """Run `call(session)` in a read-only session; a refusal is shown and gives None."""
    note_session_read(call)
    try:
        with read_only(engine()) as session:
            return call(session)
    except OrderError as error:
        on_error(error)
        return None
