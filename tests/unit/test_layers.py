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
