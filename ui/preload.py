"""Issue 19: the first user of a fresh app process waited ~2 s for first imports (plotly's
figure classes, the pages' modules). server.py calls `preload_and_freeze()` as the process starts,
before any browser session: every module the router and the pages import (read from their source,
so a new page is covered without a list to keep), and the lazily loaded parts that only a first
figure, table or localised number would otherwise load.

Then `preload_and_freeze()` moves everything loaded so far (modules, classes, Babel's and plotly's
data: ~250,000 objects) out of the garbage collector's reach (`gc.freeze`): they live as long as
the process, and a full collection that walked them cost 120-200 ms of the GIL every session
shares (issue 19; Streamlit's own collection after each script run is off, .streamlit/config.toml)."""

from __future__ import annotations

import ast
import gc
import importlib
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Loaded on first use, not on import: Arrow for every table sent to the browser, plotly's JSON
# encoder and each trace type's validators.
_LAZY = ("pyarrow", "plotly.io", "plotly.graph_objects")


def page_imports() -> list[str]:
    """The absolute module names imported by app.py and every page file, in order, once each."""
    names: dict[str, None] = {}
    for path in (ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update((alias.name, None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
    return list(names)


def _first_uses() -> None:
    import plotly.graph_objects as go
    import plotly.io as pio

    from orders_core.i18n import LANGUAGES, babel_locale, format_money, set_locale

    figure = go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["a"], y=[1]), go.Heatmap(z=[[1]])])
    figure.update_layout(separators=".,", margin=dict(l=10, r=10, t=30, b=10))
    pio.to_json(go.Figure(figure.to_dict(), _validate=False), validate=False)
    for language in LANGUAGES:  # Babel reads each locale's data on first use
        set_locale(language)
        babel_locale()
        format_money(1, "EUR")
    set_locale("en")


def preload() -> float:
    """Import what the pages use and load what their first run would; returns the seconds spent."""
    started = time.perf_counter()
    for name in (*page_imports(), *_LAZY):
        importlib.import_module(name)
    _first_uses()
    return time.perf_counter() - started


def preload_and_freeze() -> float:
    """`preload()`, then the garbage collector leaves what is loaded alone from now on (cyclic
    garbage of that moment collected first); server.py's start. Returns the seconds spent."""
    started = time.perf_counter()
    preload()
    gc.collect()
    gc.freeze()
    return time.perf_counter() - started
