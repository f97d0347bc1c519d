"""The role matrix, end to end: every service of orders_core/services, called by every role on a
real database, refuses exactly the roles its capability does not list - before it touches
anything (the call here carries no real arguments, so only the role check can answer first).

The services are discovered, so a new service is covered the day it is written."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import shutil
import textwrap

import pytest

import orders_core.services
from orders_core import db
from orders_core.errors import NotAllowed
from orders_core.permissions import CAPABILITIES, ROLES, SYSTEM, Actor


def _services():
    found = {}
    for info in pkgutil.iter_modules(orders_core.services.__path__):
        module = importlib.import_module(f"orders_core.services.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameters = list(inspect.signature(function).parameters.values())
            if (
                parameters
                and parameters[0].name == "session"
                and all(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters[1:])
                and any(p.name == "actor" and p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
            ):
                found[f"{info.name}.{name}"] = function
    return found


SERVICES = _services()


def capability_of(function) -> str | None:
    """The capability of the first `require(actor, "...")` the service reaches."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    calls.sort(key=lambda node: (node.lineno, node.col_offset))
    module = inspect.getmodule(function)
    for call in calls:
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
        if name == "require" and len(call.args) == 2:
            argument = call.args[1]
            if isinstance(argument, ast.Constant):
                return argument.value
            if isinstance(argument, ast.Name):  # CAPABILITY = "..." at the top of the module
                return getattr(module, argument.id, None)
        callee = getattr(module, name or "", None)
        if (
            inspect.isfunction(callee)
            and callee is not function
            and callee.__module__.startswith("orders_core.services")
        ):
            capability = capability_of(callee)
            if capability:
                return capability
    return None


def dummy_arguments(function) -> dict:
    """Every required keyword argument, as None: only the role check may run before they are read."""
    return {
        p.name: None
        for p in inspect.signature(function).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty and p.name != "actor"
    }


# Inner steps (a log row, settling orders already checked) reach no require themselves;
# tests/unit/test_permissions.py proves that only requiring services call them.
CHECKED = {name: function for name, function in SERVICES.items() if capability_of(function) is not None}


@pytest.fixture(scope="module")
def matrix_engine(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("roles") / "orders.db"
    shutil.copyfile(sqlite_template, path)
    engine = db.get_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def test_services_are_discovered_with_their_capability():
    assert capability_of(SERVICES["users.change_role"]) == "users.manage"
    assert len(CHECKED) >= len(SERVICES) // 2
    unknown = {
        name: capability_of(function)
        for name, function in CHECKED.items()
        if capability_of(function) not in CAPABILITIES
    }
    assert not unknown, f"services whose capability is not in CAPABILITIES: {unknown}"


@pytest.mark.parametrize("role", [*ROLES, SYSTEM])
@pytest.mark.parametrize("service", sorted(CHECKED))
def test_a_service_refuses_exactly_the_roles_without_its_capability(matrix_engine, service, role):
    function = SERVICES[service]
    capability = capability_of(function)
    actor = Actor(f"{role}@example.com", role)
    with db.session_factory(matrix_engine)() as session:
        try:
            function(session, actor=actor, **dummy_arguments(function))
        except NotAllowed as refusal:
            outcome = refusal
        except Exception as other:  # the role check passed; the missing arguments stopped it
            outcome = other
        else:
            outcome = None
        session.rollback()  # nothing a call made here is kept
    if role in CAPABILITIES[capability]:
        assert not isinstance(outcome, NotAllowed), f"{service} refused {role}, who holds {capability}"
    else:
        assert isinstance(outcome, NotAllowed), (
            f"{service} did not refuse {role} (no {capability}) first: got {outcome!r}"
        )
        assert "does not allow this action" in outcome.message
