"""Issue 13, item 0: every page file stops unless the router runs it in this very run. The
guard is the first statement after the imports, so nothing is drawn or read before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("*.py"))


def first_statement_after_imports(path: Path) -> ast.stmt:
    body = ast.parse(path.read_text()).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return next(node for node in body if not isinstance(node, ast.Import | ast.ImportFrom))


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_page_starts_with_the_router_guard(page):
    statement = first_statement_after_imports(page)
    assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
    assert getattr(statement.value.func, "id", None) == "require_router", f"{page.name} draws before the guard"


def test_the_router_runs_the_chosen_page_inside_routed():
    source = (ROOT / "app.py").read_text()
    assert "with routed()" in source
    assert source.index("with routed()") < source.index("navigation.run()")
