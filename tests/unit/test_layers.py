"""The layers keep their direction: the read side (queries/) never reaches into the write side
(orders_core/services/), and a migration never imports live application code (a historical
revision must not change when the application does)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (functions included), as dotted names."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def offenders(folder: str, forbidden: str) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = sorted(m for m in imported_modules(path) if m == forbidden or m.startswith(forbidden + "."))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_walk_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from orders_core.services.forms import add_field\n", encoding="utf-8")
    assert "orders_core.services.forms" in imported_modules(module)
    assert "orders_core.services.forms.add_field" in imported_modules(module)


def test_the_walk_sees_a_package_imported_by_name(tmp_path):
    module = tmp_path / "by_name.py"
    module.write_text("from orders_core import services\nimport orders_core.services.users\n", encoding="utf-8")
    assert {"orders_core.services", "orders_core.services.users"} <= imported_modules(module)


def test_no_module_of_queries_imports_the_services():
    assert offenders("queries", "orders_core.services") == {}


def test_no_migration_imports_application_code():
    assert offenders("migrations/versions", "orders_core") == {}


def module_file(name: str) -> Path | None:
    """The file of a dotted module name of this project, or None (a name inside a module, or a library)."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reached_modules(folder: str) -> set[str]:
    """Every project module that importing the folder's modules runs, following imports through
    orders_core (each package's __init__ too), not only the folder's own import lines."""
    seen: set[str] = set()
    todo = [str(p.relative_to(ROOT).with_suffix("")).replace("/", ".") for p in (ROOT / folder).rglob("*.py")]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ first
            prefix = ".".join(parts[:depth])
            path = module_file(prefix)
            if path is None or prefix in seen:
                continue
            seen.add(prefix)
            todo.extend(m for m in imported_modules(path) if m.split(".")[0] in {"orders_core", "queries"})
    return seen


def test_the_closure_follows_an_import_through_the_domain():
    assert "orders_core.inputs" in reached_modules("queries")


def test_nothing_queries_imports_reaches_the_services_through_the_domain():
    reached = sorted(m for m in reached_modules("queries") if m.startswith("orders_core.services"))
    assert reached == []
