"""Who may do what: `require` refuses exactly the roles a capability does not list, with a
readable (translated) message, and every service of orders_core/services checks a capability."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from functools import cache
from itertools import product
from pathlib import Path

import pytest

import orders_core.services
from orders_core import i18n
from orders_core.errors import NotAllowed
from orders_core.permissions import CAPABILITIES, ROLES, SYSTEM, Actor, allowed, require

EVERY_ROLE = (*ROLES, SYSTEM)


@pytest.mark.parametrize("capability,role", list(product(sorted(CAPABILITIES), EVERY_ROLE)))
def test_require_refuses_exactly_the_roles_a_capability_does_not_list(capability, role):
    actor = Actor(f"{role}@example.com", role)
    if role in CAPABILITIES[capability]:
        require(actor, capability)
        assert allowed(actor, capability)
    else:
        with pytest.raises(NotAllowed):
            require(actor, capability)
        assert not allowed(actor, capability)


def test_a_refusal_names_the_role_in_the_users_language():
    marketer = Actor("m@example.com", "marketer")
    with pytest.raises(NotAllowed) as refused:
        require(marketer, "users.manage")
    assert refused.value.message == "Your role (Marketer) does not allow this action."
    i18n.set_locale("fr")
    try:
        with pytest.raises(NotAllowed) as refused:
            require(marketer, "users.manage")
        assert refused.value.message == "Votre rôle (Marketing) ne permet pas cette action."
    finally:
        i18n.set_locale("en")


def test_the_roles_of_the_issue_hold():
    assert CAPABILITIES["users.manage"] & set(ROLES) == {"admin"}
    assert allowed(Actor("f", "finance"), "orders.validate")
    assert not allowed(Actor("e", "event_manager"), "orders.validate")
    assert not allowed(Actor("m", "marketer"), "orders.export")
    assert allowed(Actor("m", "marketer"), "dashboards.marketing")
    assert all("admin" in roles for roles in CAPABILITIES.values())


# --- every service calls require ------------------------------------------------------------------


def service_modules():
    for info in pkgutil.iter_modules(orders_core.services.__path__):
        yield importlib.import_module(f"orders_core.services.{info.name}")


def public_functions():
    """(module, name, function, source tree) of every public function defined in a services module."""
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                tree = ast.parse(_dedented(function))
                yield module, name, function, tree


def _dedented(function) -> str:
    return textwrap.dedent(inspect.getsource(function))


def is_service(function) -> bool:
    """The house signature of a user action: `verb(session, *, actor, ...)`."""
    parameters = list(inspect.signature(function).parameters.values())
    return (
        bool(parameters)
        and parameters[0].name == "session"
        and all(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters[1:])
        and any(p.name == "actor" and p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    )


def called_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def functions_that_require() -> set[str]:
    """Names of services functions that call `require`, directly or through another one."""
    calls = {name: called_names(tree) for _module, name, _function, tree in public_functions()}
    for module in service_modules():  # private helpers count as a path to require too
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and name.startswith("_"):
                calls.setdefault(name, called_names(ast.parse(_dedented(function))))
    for tree in parsed("orders_core"):  # a domain path that checks the principal (the demo loader) too
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                calls.setdefault(node.name, called_names(node))
    requiring = {name for name, names in calls.items() if "require" in names}
    changed = True
    while changed:
        changed = False
        for name, names in calls.items():
            if name not in requiring and names & requiring:
                requiring.add(name)
                changed = True
    return requiring


ROOT = Path(__file__).resolve().parents[2]


@cache
def parsed(*folders: str) -> list[ast.AST]:
    paths = [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]
    if "ui" in folders:
        paths.append(ROOT / "app.py")
    return [ast.parse(path.read_text(encoding="utf-8")) for path in paths]


@cache
def callers_in_the_domain(name: str) -> set[str]:
    """Names of the orders_core functions whose body calls `name`."""
    found = set()
    for tree in parsed("orders_core"):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name != name:
                if name in called_names(node):
                    found.add(node.name)
    return found


@cache
def used_by_the_ui(name: str) -> bool:
    """Whether pages/, ui/ or app.py import the function from orders_core.services or call it
    through a services module (`from orders_core.services import users as accounts`)."""
    for tree in parsed("pages", "ui"):
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("orders_core.services"):
                for alias in node.names:
                    if alias.name == name:
                        return True
                    modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                modules |= {
                    alias.asname or alias.name for alias in node.names if alias.name.startswith("orders_core.services")
                }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == name
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                return True
    return False


def only_reached_through_require(name: str, requiring: set[str], seen: frozenset[str] = frozenset()) -> bool:
    """True when every path from outside the domain to `name` passes a function that requires."""
    if name in requiring:
        return True
    callers = callers_in_the_domain(name)
    if not callers or name in seen or used_by_the_ui(name):
        return False
    return all(only_reached_through_require(caller, requiring, seen | {name}) for caller in callers)


def test_every_service_of_orders_core_calls_require():
    """A service-shaped function (`verb(session, *, actor, ...)`) calls require, directly or through
    another function. The only exception is an inner step (writing a log row, settling orders
    already checked) that the UI never touches and that only requiring services call."""
    requiring = functions_that_require()
    services = [(module.__name__, name) for module, name, function, _tree in public_functions() if is_service(function)]
    assert ("orders_core.services.users", "change_role") in services
    missing = []
    for module, name in services:
        if name in requiring:
            continue
        callers = callers_in_the_domain(name)
        if not only_reached_through_require(name, requiring):
            missing.append(
                f"{module}.{name} (called by {sorted(callers) or 'nobody'}"
                f"{', used by the UI' if used_by_the_ui(name) else ''})"
            )
    assert not missing, "services that never call require(actor, capability):\n  " + "\n  ".join(missing)


def test_the_require_check_sees_a_service_without_it():
    source = "def sneaky(session, *, actor, order_id):\n    session.delete(order_id)\n"
    assert "require" not in called_names(ast.parse(source))
