"""The bad-input battery (issue 13, item 7): every write service, given NUL characters, over-long
text, out-of-range or unparseable numbers, ids that are not ids, unbounded quantities or blank
names, refuses with a readable message and writes nothing, on SQLite and on PostgreSQL.

One world per database for the whole module (each case must leave it untouched, which is what
the checksum proves); the cases are in tests/bad_inputs.py."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
import shutil

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import inspect as inspect_db
from sqlalchemy import text

from orders_core import auth, db, passwords, services
from orders_core.db import unit_of_work
from orders_core.errors import OrderError
from tests import conftest
from tests.bad_inputs import ADMIN, CASES, SERVICES, build_world


@pytest.fixture(scope="module", params=conftest.BACKENDS)
def battery_db(request, tmp_path_factory):
    """(app engine, owner engine, world) on a migrated database of its own."""
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", hasher)
        patch.setattr(auth, "_DUMMY_HASH", hasher.hash("not a password of anyone"))
        name = None
        if request.param == "sqlite":
            path = tmp_path_factory.mktemp("battery") / "orders.db"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            urls = (f"sqlite:///{path}",) * 2
        else:
            name = conftest.create_pg_database(template=request.getfixturevalue("pg_template"))
            urls = (conftest.pg_app_url(name), conftest.pg_url(name))
        conftest._urls_in_use.update(urls)
        engine, owner = db.get_engine(urls[0]), db.get_engine(urls[1])
        try:
            yield engine, owner, build_world(engine)
        finally:
            conftest.forget_engines()
            conftest._urls_in_use.difference_update(urls)
            if name:
                conftest.drop_pg_database(name)


def checksum(owner) -> str:
    """A digest of every row of every table: any insert, update or delete changes it."""
    digest = hashlib.sha256()
    with owner.connect() as conn:
        for table in sorted(inspect_db(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            digest.update(table.encode())
            for row in sorted(repr(tuple(row)) for row in rows):
                digest.update(row.encode())
    return digest.hexdigest()


def _case_id(case) -> str:
    service, bad, _expected = case
    if callable(bad):
        return f"{service}-computed"
    return service + "-" + ",".join(f"{k}={str(v)[:12]!r}" for k, v in bad.items())


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_a_bad_input_is_refused_with_a_message_and_nothing_is_written(battery_db, case):
    engine, owner, world = battery_db
    service, bad, expected = case
    function, valid = SERVICES[service]
    arguments = {**valid(world), **(bad(world) if callable(bad) else bad)}
    before = checksum(owner)
    with pytest.raises(OrderError) as refused:
        with unit_of_work(engine) as session:
            function(session, actor=ADMIN, **arguments)
    assert expected in refused.value.message
    assert checksum(owner) == before


# Public functions taking an actor that are not write services of their own.
NOT_WRITE_SERVICES = {
    "list_users": "a read",
    "load_draft": "a read (the wizard's draft, issue 18)",
    "visible_views": "a read",
    "find_order_by_number": "a read: the order of that number among the actor's events (reconciliation, issue 17)",
    "preview_template": "renders, writes nothing",
    "log": "catalogue history, written inside the catalogue services",
    "settle": "a step of create_order / modify_order",
    "confirm_payments": "the ledger's set-based core: callers check the input and lock the rows first",
    "require_payment": "a guard",
    "payment_refusal": "a guard",
    "void_tickets": "a step of change_holder and the cancellation services (issue 21)",
    "void_cancelled": "a step of the cancellation services, inside their transaction (issue 21)",
    # issue 17: the guards that load in the actor's scope, and the reads of the Users page / CLI
    "lock_orders": "a guard: locks the orders in the actor's scope for the calling service",
    "lock_by_id": "a guard: locks one row in the actor's scope for the calling service",
    "lock_order": "a guard of modify_order / add_tickets / record_balance_payment",
    "get_event": "a guard of the catalogue services",
    "clean_event_scope": "a guard of add_user / set_event_scope (their cases check it)",
    "event_choices": "a read",
    "find_user": "a read",
    "record_export": "the audit entry of a download: its fields come from the export code, not from typed input",
    "check_request": "a guard of validate_orders / start_validation (their cases check it)",
}


def _functions_taking_an_actor() -> set[str]:
    modules = [f"orders_core.services.{m.name}" for m in pkgutil.iter_modules(services.__path__)]
    found = set()
    for module in map(
        importlib.import_module,
        [*modules, "orders_core.reconciliation.service", "orders_core.reconciliation.decisions"],
    ):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                if "actor" in inspect.signature(function).parameters:
                    found.add(name)
    return found


def test_every_write_service_is_in_the_battery():
    """A new service taking an actor joins the battery (tests/bad_inputs.py) or says why not."""
    assert {service for service, _bad, _expected in CASES} == set(SERVICES)
    found = _functions_taking_an_actor()
    assert found - set(NOT_WRITE_SERVICES) == set(SERVICES)
    assert set(NOT_WRITE_SERVICES) <= found, "an exclusion names a function that no longer exists"
