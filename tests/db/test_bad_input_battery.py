"""The bad-input battery (issue 13, item 7): every write service, given NUL characters, over-long
text, out-of-range or unparseable numbers, ids that are not ids, unbounded quantities or blank
names, refuses with a readable message and writes nothing, on SQLite and on PostgreSQL.

One world per database for the whole module (each case must leave it untouched, which is what
the checksum proves); the cases are in tests/bad_inputs.py."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import inspect, text

from orders_core import auth, db, passwords
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
        for table in sorted(inspect(conn).get_table_names()):
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


def test_every_write_service_is_in_the_battery():
    assert {service for service, _bad, _expected in CASES} == set(SERVICES)
