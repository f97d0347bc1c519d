"""The UI edge reads the source of pages/, ui/ and app.py (issue 14):

- no page and no ui/ module opens a database session, a connection or a unit of work except the
  two helpers of ui/transactions.py (`run_service` for writes, `read` for reads);
- no page and no ui/ module compares status strings: they ask the domain (orders_core.order_rules,
  and the outbox's and reconciliation's own answers).

Each check is also run on a small sample that breaks it, so that it can fail."""

from __future__ import annotations

import ast
from pathlib import Path

from orders_core.emails.labels import EmailStatus
from orders_core.reconciliation.states import TransactionStatus
from orders_core.status import PaymentMode, Status

ROOT = Path(__file__).resolve().parents[2]
EDGE = ROOT / "ui" / "transactions.py"
SESSION_NAMES = {"unit_of_work", "read_only", "session_factory", "read_session_factory", "Session", "sessionmaker"}
CONNECTING_METHODS = {"connect", "begin", "raw_connection"}
STATUS_VALUES = {s.value for enum in (Status, PaymentMode, EmailStatus, TransactionStatus) for s in enum}
STATUS_ENUMS = {"Status", "PaymentMode", "EmailStatus", "TransactionStatus"}


def ui_files() -> list[Path]:
    return [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py")), ROOT / "app.py"]


def sessions_opened(path: Path, root: Path = ROOT) -> list[str]:
    """Imports of session machinery and `.connect()` / `.begin()` calls, as "file:line what"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names} & SESSION_NAMES
            found += [f"{path.relative_to(root)}:{node.lineno} imports {name}" for name in sorted(names)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CONNECTING_METHODS:
                found.append(f"{path.relative_to(root)}:{node.lineno} calls .{node.func.attr}()")
    return found


def _is_status_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in STATUS_VALUES
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id in STATUS_ENUMS
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_status_literal(element) for element in node.elts)
    return False


def _is_status_value(node: ast.AST) -> bool:
    """`x["status"]`, `x.status`, `x.payment_mode`: a status read from data."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value in ("status", "payment_mode")
    return isinstance(node, ast.Attribute) and node.attr in ("status", "payment_mode")


def status_comparisons(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_status_literal(o) for o in operands) or any(_is_status_value(o) for o in operands):
                found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)[:80]}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "isin":
            if any(_is_status_literal(argument) for argument in node.args):
                found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)[:80]}")
    return found


def test_no_page_or_ui_module_opens_a_session_except_the_two_helpers():
    found = [entry for path in ui_files() if path != EDGE for entry in sessions_opened(path)]
    assert not found, "go through ui.transactions.run_service (writes) or read (reads):\n  " + "\n  ".join(found)


def test_the_two_helpers_are_the_edge_a_write_and_a_read_only_session():
    opened = sessions_opened(EDGE)
    assert sorted(entry.split(" ", 1)[1] for entry in opened) == [
        "imports Session",  # the type of what the calls receive
        "imports read_only",
        "imports unit_of_work",
    ]


def test_no_page_or_ui_module_compares_status_strings():
    found = [entry for path in ui_files() for entry in status_comparisons(path)]
    assert not found, "ask the domain (orders_core.order_rules) instead of comparing statuses:\n  " + "\n  ".join(found)


def test_the_scans_catch_what_they_forbid(tmp_path):
    sample = tmp_path / "page.py"
    sample.write_text(
        "from orders_core.db import unit_of_work\n"
        "with engine().connect() as conn:\n    pass\n"
        "if order['status'] == 'paid':\n    pass\n"
        "if status in (Status.PAID, Status.CANCELLED):\n    pass\n"
        "if 'cancelled' != kind:\n    pass\n"
        "rows = frame[frame['kind'].isin(['failed'])]\n"
        "if email.status:\n    pass\n"
        "if date_kind == 'created_at':\n    pass\n"
    )
    assert [e.split(" ", 1)[1] for e in sessions_opened(sample, tmp_path)] == [
        "imports unit_of_work",
        "calls .connect()",
    ]
    assert [int(e.split(":")[1].split(" ")[0]) for e in status_comparisons(sample, tmp_path)] == [4, 6, 8, 10]
