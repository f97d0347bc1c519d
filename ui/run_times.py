"""How long the server takes to run a page's script, logged (issue 19).

A run is the server's share of what a user waits for after a click: the page's Python, its
reads, the elements sent. What the browser then does with them is not in it, which is why the
browser benchmark reads these lines: on one machine running five Chromiums beside the app, the
time a user waits and the time the server worked are far apart.

`ORDERS_SLOW_RUN_MS` (default 2000): a run slower than that is logged as a warning, with the page
and whether it was the whole page or one of its fragments (a filter change reruns only the grid);
`0` logs every run (the browser benchmark does). The lines go to the app's standard error:

    2026-12-04 09:30:12 page run 184 ms: /orders fragment orders_view
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import time
from collections.abc import Iterator

import streamlit as st

from orders_core.settings import number_setting

DEFAULT_SLOW_MS = 2000.0
LINE_PREFIX = "page run "
LINE = re.compile(rf"{LINE_PREFIX}(?P<ms>\d+) ms: (?P<what>[^\n]+)")  # what run_line writes
PAGE_KEY = "run_times.page"

log = logging.getLogger("orders.page_runs")
if not log.handlers:  # Streamlit configures its own loggers only: this one writes its lines itself
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def slow_run_ms() -> float:
    """`ORDERS_SLOW_RUN_MS`: the run time, in milliseconds, from which a run is logged."""
    return number_setting("ORDERS_SLOW_RUN_MS", DEFAULT_SLOW_MS, zero_allowed=True)


def run_line(milliseconds: float, what: str) -> str:
    return f"{LINE_PREFIX}{milliseconds:.0f} ms: {what}"


def logged_runs(output: str) -> dict[str, list[float]]:
    """The runs an app process logged in `output`, in milliseconds, by what ran ("/orders
    fragment orders_view", "/sales page"...): how the browser benchmark and its tests read them."""
    runs: dict[str, list[float]] = {}
    for match in LINE.finditer(output):
        runs.setdefault(match["what"].strip(), []).append(float(match["ms"]))
    return runs


def page_run(url_path: str, *, started: float) -> contextlib.AbstractContextManager[None]:
    """The router's run of the page at `url_path`, from `started` (`time.perf_counter()` when
    app.py began: sign-in check and sidebar included); its fragments' own reruns name it too."""
    st.session_state[PAGE_KEY] = url_path
    return timed_run(f"/{url_path} page", started=started)


def fragment_run(name: str) -> contextlib.AbstractContextManager[None]:
    """A fragment's own rerun (a filter change on the grid: `orders_view`), on the page it is on."""
    return timed_run(f"/{st.session_state.get(PAGE_KEY, '')} fragment {name}")


@contextlib.contextmanager
def timed_run(what: str, *, started: float | None = None) -> Iterator[None]:
    """Time the run inside (from `started` when given); log it when it took `slow_run_ms()` or
    longer (an exception too: Streamlit's stop and rerun signals end a run early, and that run
    took its time as well)."""
    started = time.perf_counter() if started is None else started
    try:
        yield
    finally:
        milliseconds = (time.perf_counter() - started) * 1000
        threshold = slow_run_ms()
        if milliseconds >= threshold:
            log.log(logging.WARNING if threshold > 0 else logging.INFO, run_line(milliseconds, what))
