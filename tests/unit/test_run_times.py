"""The server's time for each script run is logged when slow, or always with ORDERS_SLOW_RUN_MS=0,
in the line the browser benchmark reads (issue 19)."""

from __future__ import annotations

import logging
import time

import pytest

from ui import run_times


@pytest.fixture
def logged(caplog):
    """The lines of the run-time logger (it writes to standard error itself, not to the root)."""
    run_times.log.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.INFO)
    try:
        yield caplog
    finally:
        run_times.log.removeHandler(caplog.handler)


def test_every_run_is_logged_with_what_ran_when_the_threshold_is_zero(monkeypatch, logged):
    monkeypatch.setenv("ORDERS_SLOW_RUN_MS", "0")
    with run_times.timed_run("/orders fragment orders_view", started=time.perf_counter() - 0.25):
        pass
    [record] = logged.records
    assert record.levelno == logging.INFO
    milliseconds = int(record.getMessage().split()[2])
    assert 250 <= milliseconds < 10_000
    assert record.getMessage() == f"page run {milliseconds} ms: /orders fragment orders_view"


def test_a_quick_run_is_not_logged_by_default(monkeypatch, logged):
    monkeypatch.delenv("ORDERS_SLOW_RUN_MS", raising=False)
    with run_times.timed_run("/orders page"):
        pass
    assert logged.records == []


def test_a_run_slower_than_the_threshold_is_a_warning_even_when_it_ended_by_an_exception(monkeypatch, logged):
    monkeypatch.delenv("ORDERS_SLOW_RUN_MS", raising=False)  # default: 2 seconds
    with pytest.raises(RuntimeError), run_times.timed_run("/sales page", started=time.perf_counter() - 3):
        raise RuntimeError("stopped")
    [record] = logged.records
    assert record.levelno == logging.WARNING and record.getMessage().endswith(" ms: /sales page")
    assert int(record.getMessage().split()[2]) >= 3000


def test_the_browser_benchmark_reads_the_runs_of_each_page_and_fragment_from_the_apps_output():
    output = "\n".join(
        [
            "2026-12-04 09:30:12 page run 184 ms: /orders fragment orders_view",
            "  You can now view your Streamlit app in your browser.",
            "2026-12-04 09:30:13 page run 96 ms: /orders fragment orders_view",
            "2026-12-04 09:30:15 page run 1210 ms: /sales page",
            run_times.run_line(42.4, "/ page"),
        ]
    )
    assert run_times.logged_runs(output) == {
        "/orders fragment orders_view": [184.0, 96.0],
        "/sales page": [1210.0],
        "/ page": [42.0],
    }
