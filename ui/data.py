"""The engine (one per process) and cached reads. Pages call `cached_query(fn, *args)` so that
a read-side function of `queries/` runs once per filter, and `clear_after_write()` after every
service call that changes data.

Issue 17: every `queries/` function takes the principal (`principal=`, keyword-only);
`cached_query` passes the signed-in user's, so the cache is keyed by who asks (role and event
scope) and one user's cached rows never serve another's.

Issue 19: cached reads go where `orders_core.replica.reads_url()` says (a streaming replica when
`ORDERS_READ_DATABASE_URL` names one and it has this process's writes; the primary otherwise);
the URL is part of the cache key.

Issue 19: `recording()` lists every read a script run asks for (each `cached_query` call, cache
hit or not, and each `ui.transactions.read`), so that the page benchmark (bench/page_renders.py)
times what a real render reads, not a chosen subset. Off unless a recording is open."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from orders_core import db, replica


@dataclass(frozen=True)
class Read:
    """One read of a script run: a `queries/` function with its arguments (the principal among
    them), or (`session=True`) a `call(session)` of `ui.transactions.read`."""

    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    session: bool = False

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"

    def replay(self, engine: Engine) -> Any:
        """Run it again, uncached, on `engine`."""
        if self.session:
            with db.read_only(engine) as session:
                return self.fn(session)
        return self.fn(engine, *self.args, **self.kwargs)


_recorded: list[Read] | None = None  # the open recording, if any


@contextmanager
def recording() -> Iterator[list[Read]]:
    """Collect the reads asked for while open (any thread of this process: AppTest runs the
    script in its own)."""
    global _recorded
    previous, _recorded = _recorded, []
    try:
        yield _recorded
    finally:
        _recorded = previous


def note_session_read(call: Callable[..., Any]) -> None:
    """Called by `ui.transactions.read`: a read outside the cache, recorded too."""
    if _recorded is not None:
        _recorded.append(Read(call, session=True))


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return db.get_engine(url)


def engine() -> Engine:
    return _engine(db.database_url())


@st.cache_data(ttl=300, show_spinner=False)
def _run_cached(name: str, _fn: Callable[..., Any], url: str, args: tuple, kwargs: tuple) -> Any:
    # `name` identifies the function in the cache key; `_fn` itself is not hashed.
    return _fn(_engine(url), *args, **dict(kwargs))


@functools.cache
def _takes_principal(fn: Callable[..., Any]) -> bool:
    return "principal" in inspect.signature(fn).parameters


def cached_query(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Run a `queries/` function (engine first) for the signed-in principal, with caching keyed
    by its arguments and the principal."""
    if _takes_principal(fn) and "principal" not in kwargs:
        from ui.session import current_actor  # ui.session reads through this module

        kwargs["principal"] = current_actor()
    if _recorded is not None:
        _recorded.append(Read(fn, args, dict(kwargs)))
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _run_cached(name, fn, replica.reads_url(), args, tuple(sorted(kwargs.items())))


def clear_after_write() -> None:
    """After a write of this session: no cached read is older than it, and reads stay on the
    primary until the replica (if any) has replayed it (orders_core/replica.py)."""
    st.cache_data.clear()
    replica.note_write(engine())
