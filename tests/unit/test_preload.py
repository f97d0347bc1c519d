"""Issue 19: server.py loads, as the process starts, what the first page of the first user would
otherwise import; the list is read from the pages themselves, so a new page is covered."""

from __future__ import annotations

import sys

from ui.preload import page_imports, preload


def test_the_preloaded_modules_are_those_the_router_and_the_pages_import():
    names = page_imports()
    assert {"streamlit", "ui.charts", "ui.dashboard_widgets", "queries.grid", "ui.order_actions"} <= set(names)
    assert len(names) == len(set(names))
    assert not [name for name in names if name.startswith(".")]


def test_after_preloading_every_module_of_the_pages_is_loaded():
    preload()
    assert [name for name in page_imports() if name not in sys.modules] == []
    assert "pandas.io.formats.style" in sys.modules and "plotly.graph_objects" in sys.modules
