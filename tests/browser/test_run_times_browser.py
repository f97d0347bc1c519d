"""In Chromium, against `streamlit run server.py` with ORDERS_SLOW_RUN_MS=0: signing in runs the
whole page, and a quick filter or opening the filters reruns only the grid's fragment, each logged
with its time on the server - the lines an operator reads for slow pages, and the browser benchmark for the server's
share of a wait (issue 19)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT_COPIED, start_app_server, wait_for_app
from ui.run_times import logged_runs

pytestmark = pytest.mark.browser
LOG_WAIT_SECONDS = 60  # the server writes the line before it says the run is over; the copy follows


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("run_times") / "streamlit.log"


@pytest.fixture(scope="module")
def app_server(app_database, server_log) -> Iterator[str]:
    with start_app_server(app_database.url, env={"ORDERS_SLOW_RUN_MS": "0"}, log_path=server_log) as base_url:
        yield base_url


def runs_in_log(log: Path, *, of: str, at_least: int = 1) -> list[float]:
    """The runs of `of` the server logged, once at least `at_least` are in its log (a thread of
    the test's server copies its output there, just after the run: wait for it, never fail on a
    busy machine)."""

    def runs() -> list[float]:
        return logged_runs(log.read_text(errors="replace")).get(of, [])

    with OUTPUT_COPIED:
        OUTPUT_COPIED.wait_for(lambda: len(runs()) >= at_least, timeout=LOG_WAIT_SECONDS)
        return runs()


def test_a_quick_filter_reruns_only_the_grid_and_the_server_logs_each_run_with_its_time(signed_in_page, server_log):
    page = signed_in_page(path="orders")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    page_runs = runs_in_log(server_log, of="/orders page")
    assert page_runs and all(0 < ms < 120_000 for ms in page_runs)
    assert runs_in_log(server_log, of="/orders fragment orders_view") == []  # signing in ran the whole page

    page.get_by_test_id("stMain").get_by_text("Pending", exact=True).click()
    expect(page).to_have_url(re.compile(r"group=pending"))
    wait_for_app(page)
    [fragment_run] = runs_in_log(server_log, of="/orders fragment orders_view")
    assert 0 < fragment_run < 120_000
    assert len(runs_in_log(server_log, of="/orders page")) == len(page_runs)  # no whole-page rerun


def test_opening_the_filters_draws_their_widgets_with_one_run_of_the_grid_only(signed_in_page, server_log):
    grid_runs = len(runs_in_log(server_log, of="/orders fragment orders_view", at_least=0))
    whole_runs = len(runs_in_log(server_log, of="/orders page", at_least=0))
    page = signed_in_page(path="orders")
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    wait_for_app(page)
    whole_runs = len(runs_in_log(server_log, of="/orders page", at_least=whole_runs + 1))  # signing in
    statuses = page.get_by_test_id("stMultiSelect").filter(has_text="Statuses")
    expect(statuses).to_have_count(0)  # closed: its widgets are not sent with every filter change

    page.get_by_text("Filters", exact=True).click()
    expect(statuses).to_be_visible()
    wait_for_app(page)
    assert len(runs_in_log(server_log, of="/orders fragment orders_view", at_least=grid_runs + 1)) == grid_runs + 1
    assert len(runs_in_log(server_log, of="/orders page")) == whole_runs  # no whole-page rerun
