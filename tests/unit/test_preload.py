"""Issue 19: server.py loads, as the process starts, what the first page of the first user would
otherwise import; the list is read from the pages themselves, so a new page is covered."""

from __future__ import annotations

import gc
import sys
import tomllib
from pathlib import Path

from ui.preload import page_imports, preload, preload_and_freeze

ROOT = Path(__file__).resolve().parents[2]


def test_the_preloaded_modules_are_those_the_router_and_the_pages_import():
    names = page_imports()
    assert {"streamlit", "ui.charts", "ui.dashboard_widgets", "queries.grid", "ui.order_actions"} <= set(names)
    assert len(names) == len(set(names))
    assert not [name for name in names if name.startswith(".")]


def test_after_preloading_every_module_of_the_pages_is_loaded():
    preload()
    assert [name for name in page_imports() if name not in sys.modules] == []
    assert "pyarrow" in sys.modules and "plotly.graph_objects" in sys.modules


def test_what_the_process_loaded_at_start_is_left_out_of_full_garbage_collections():
    try:
        preload_and_freeze()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # this test process goes on as before


def test_streamlit_does_not_collect_garbage_after_every_script_run():
    # A full collection after each run, a fragment's too, cost 120-200 ms of the shared GIL (issue 19).
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
