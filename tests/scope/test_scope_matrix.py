"""Issue 17: every public query, service and document function, for each role whose only event is ours, asked for
their event's data: refused or without a trace of it; never another event's row. (The specs
are in tests/scope/specs_*.py; harness.py says how they are checked.)"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
from collections.abc import Iterator
from types import ModuleType

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import orders_core.documents
import orders_core.services
import queries
from orders_core import db
from orders_core.errors import OrderError
from orders_core.i18n import set_locale
from tests.conftest import BACKENDS, create_pg_database, drop_pg_database, forget_engines, pg_app_url
from tests.scope import harness
from tests.scope.harness import SPECS, UNSCOPED, Context, Spec, traces_of_theirs
from tests.scope.world import ROLES, World, build_world

DATA_PARAMETERS = {"engine", "session", "conn", "connection"}


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(info.name)


def _spec_modules() -> None:
    for info in pkgutil.iter_modules([str(__import__("pathlib").Path(__file__).parent)]):
        if info.name.startswith("specs_"):
            importlib.import_module(f"tests.scope.{info.name}")


def data_functions() -> dict[str, object]:
    """Every public module-level function of the read side, the services and the documents that
    takes a database handle."""
    found: dict[str, object] = {}
    modules = [*_modules(queries), *_modules(orders_core.services), *_modules(orders_core.documents)]
    modules.append(importlib.import_module("orders_core.reconciliation.service"))
    for module in modules:
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if DATA_PARAMETERS & set(inspect.signature(fn).parameters):
                found[f"{module.__name__}.{name}"] = fn
    return found


_spec_modules()
FUNCTIONS = data_functions()


def test_every_query_and_service_has_a_scope_spec():
    missing = sorted(set(FUNCTIONS) - set(SPECS) - set(UNSCOPED))
    assert missing == [], "functions without a scope spec (tests/scope/specs_*.py):\n" + "\n".join(missing)


def test_every_query_takes_the_principal():
    """Nothing reads orders without one: each query function has a `principal` parameter with no
    default (unless it is listed as unscoped, with the reason)."""
    lacking = []
    for name, fn in FUNCTIONS.items():
        if not name.startswith("queries.") or name in UNSCOPED:
            continue
        parameter = inspect.signature(fn).parameters.get("principal")  # type: ignore[arg-type]
        if parameter is None or parameter.default is not inspect.Parameter.empty:
            lacking.append(name)
    assert lacking == []


def test_no_spec_names_a_function_that_is_gone():
    assert sorted(set(SPECS) | set(UNSCOPED)) == sorted(n for n in set(SPECS) | set(UNSCOPED) if n in FUNCTIONS)


@pytest.fixture(scope="module", params=BACKENDS)
def scope_world(request, tmp_path_factory) -> Iterator[tuple[Engine, World]]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("scope") / "orders.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url, name = f"sqlite:///{path}", None
    else:
        name = create_pg_database(template=request.getfixturevalue("pg_template"))
        url = pg_app_url(name)
    engine = db.get_engine(url)
    set_locale("en")
    with db.unit_of_work(engine) as session:
        world = build_world(session)
    yield engine, world
    engine.dispose()
    forget_engines()
    if name:
        drop_pg_database(name)


def _run(spec: Spec, engine: Engine, world: World, principal) -> object:
    with Session(engine) as session:
        try:
            return spec.call(Context(engine, session, principal, world))
        finally:
            session.rollback()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_principal_of_one_event_never_reaches_another(name, scope_world):
    engine, world = scope_world
    spec = SPECS[name]
    for role in ROLES:
        principal = world.scoped(role)
        try:
            result = _run(spec, engine, world, principal)
        except OrderError:
            continue  # refused: the role may not, or the object "does not exist"
        if spec.kind == "write":
            pytest.fail(f"{name} as a {role} of another event was not refused (it returned {result!r:.200})")
        assert traces_of_theirs(result, world) == [], f"{name} as a {role} of another event"
    if spec.kind == "read" and spec.control:
        everywhere = _run(spec, engine, world, world.everywhere())
        assert traces_of_theirs(everywhere, world), f"{name}: the control (every event) shows nothing of theirs"
    if spec.kind == "write" and spec.control_role:
        _run(spec, engine, world, world.everywhere(spec.control_role))  # succeeds, then rolled back


assert harness  # the registry the specs modules fill
