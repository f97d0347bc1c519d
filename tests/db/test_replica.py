"""Issue 19, past one machine: a real streaming replica of the test cluster, started by the test
(`pg_basebackup -R` and `pg_ctl`, run by the server through `COPY ... TO PROGRAM`, which the test
user, a superuser, may do). The grid and a dashboard read from it; a write on the primary
arrives there; reads stay on the primary until the replica has replayed this process's writes;
a replica that does not answer sends reads to the primary."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from orders_core import db, replica
from queries.dashboards.filters import DashboardFilters
from queries.dashboards.sales import headline
from queries.grid import GridFilters, grid_count_and_totals, grid_page
from tests.conftest import (
    PG_APP_USER,
    PG_HOST,
    PG_PORT,
    PG_USER,
    create_pg_database,
    drop_pg_database,
    pg_app_url,
)
from tests.factories import EVERYONE, NOW, make_event, make_order, make_tariff

pytestmark = pytest.mark.usefixtures("postgres_server")
REPLICATION_LINE = "host replication all 127.0.0.1/32 trust"
CATCH_UP_SECONDS = 120


def _admin(query: sql.Composable | str, port: int = PG_PORT) -> object:
    with psycopg.connect(host=PG_HOST, port=port, user=PG_USER, dbname="postgres", autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchone()[0] if cursor.description else None


def _run_on_server(program: str) -> None:
    """A shell command run by the PostgreSQL server as its own system user.

    The COPY sends no row: the commands never read their input, and a row flushed after one of
    them had exited broke the pipe ("could not close pipe to external command", seen in CI)."""
    _admin(sql.SQL("COPY (SELECT 1 WHERE false) TO PROGRAM {}").format(sql.Literal(program)))


@pytest.fixture(scope="module")
def replica_port() -> Iterator[int]:
    if PG_HOST not in ("127.0.0.1", "localhost"):
        pytest.skip("the replica is started on the database server's machine: only a local server")
    bindir = _admin("SELECT setting FROM pg_config WHERE name = 'BINDIR'")
    hba = _admin("SHOW hba_file")
    _run_on_server(f"grep -qxF '{REPLICATION_LINE}' {hba} || echo '{REPLICATION_LINE}' >> {hba}")
    _admin("SELECT pg_reload_conf()")
    with socket.socket() as probe:  # the server runs on this machine: a port free here is free there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory = f"/tmp/orders-replica-{uuid.uuid4().hex[:10]}"
    _run_on_server(
        f"{bindir}/pg_basebackup -h {PG_HOST} -p {PG_PORT} -U {PG_USER} -D {directory} -X stream -R -c fast"
        f" && touch {directory}/postgresql.conf"
        f" && printf 'local all all trust\\nhost all all 127.0.0.1/32 trust\\n' > {directory}/pg_hba.conf"
        f" && {bindir}/pg_ctl -D {directory} -l {directory}.log -w -t 120 start"
        f" -o '-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={directory} -c hot_standby=on'"
        " > /dev/null"
    )
    try:
        assert _admin("SELECT pg_is_in_recovery()", port=port) is True
        yield port
    finally:
        _run_on_server(f"{bindir}/pg_ctl -D {directory} -m immediate -w stop > /dev/null; rm -rf {directory}*")


def wait_for_replay(primary: Engine, standby: Engine) -> None:
    """Until the replica has replayed everything the primary has written so far (bounded)."""
    position = replica.write_position(primary)
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        try:
            if replica.replica_has(standby, position):
                return
        except DBAPIError:  # the database being created there is not replayed yet
            pass
        assert time.monotonic() < deadline, f"the replica did not replay {position} in {CATCH_UP_SECONDS} s"
        time.sleep(0.05)


@pytest.fixture
def primary_and_replica(replica_port, pg_template, monkeypatch) -> Iterator[tuple[str, str]]:
    """A fresh database on the primary (created after the replica started, so it streams there),
    its replica URL, and the app configured with both."""
    name = create_pg_database(template=pg_template)
    primary_url = pg_app_url(name)
    replica_url = f"postgresql+psycopg://{PG_APP_USER}@127.0.0.1:{replica_port}/{name}"
    monkeypatch.setenv("ORDERS_DATABASE_URL", primary_url)
    monkeypatch.setenv("ORDERS_READ_DATABASE_URL", replica_url)
    replica.forget()
    wait_for_replay(db.get_engine(primary_url), db.get_engine(replica_url))
    yield primary_url, replica_url
    for url in (primary_url, replica_url):
        db.get_engine(url).dispose()
    db.get_engine.cache_clear()
    replica.forget()
    drop_pg_database(name)


def _orders(engine: Engine, count: int, *, event_name: str = "Replicated festival") -> None:
    with db.unit_of_work(engine) as session:
        event = make_event(session, name=event_name, currency="EUR")
        tariff = make_tariff(session, event)
        for day in range(count):
            make_order(session, event, [(tariff, 1)], status="paid", created_at=NOW - timedelta(days=day))


def _numbers(engine: Engine) -> list[int]:
    return sorted(int(n) for n in grid_page(engine, GridFilters(), principal=EVERYONE)["number"])


def test_the_grid_and_a_dashboard_read_from_the_replica_and_a_write_on_the_primary_arrives(primary_and_replica):
    primary, standby = (db.get_engine(url) for url in primary_and_replica)
    _orders(primary, 3)
    wait_for_replay(primary, standby)
    assert grid_count_and_totals(standby, GridFilters(), principal=EVERYONE)[0] == 3
    assert _numbers(standby) == _numbers(primary) and len(_numbers(primary)) == 3
    filters = DashboardFilters(start=NOW.date() - timedelta(days=10), end=NOW.date(), today=NOW.date())
    assert headline(standby, filters, principal=EVERYONE).equals(headline(primary, filters, principal=EVERYONE))
    with pytest.raises(DBAPIError, match="read-only transaction"), standby.begin() as conn:
        conn.execute(text("UPDATE orders SET notes = 'written on the replica'"))

    _orders(primary, 1, event_name="Written after")
    wait_for_replay(primary, standby)
    assert grid_count_and_totals(standby, GridFilters(), principal=EVERYONE)[0] == 4
    assert _numbers(standby) == _numbers(primary)


def test_reads_stay_on_the_primary_until_the_replica_has_replayed_this_process_writes(primary_and_replica):
    primary_url, replica_url = primary_and_replica
    primary, standby = db.get_engine(primary_url), db.get_engine(replica_url)
    assert replica.reads_url() == replica_url  # nothing written yet: the replica serves
    _admin("SELECT pg_wal_replay_pause()", port=standby.url.port)
    try:
        _orders(primary, 2)
        replica.note_write(primary)
        reads = replica.reads_url()
        assert reads == primary_url
        assert (
            grid_count_and_totals(db.get_engine(reads), GridFilters(), principal=EVERYONE)[0] == 2
        )  # the write is seen
        assert (
            grid_count_and_totals(standby, GridFilters(), principal=EVERYONE)[0] == 0
        )  # the replica has not replayed it
    finally:
        _admin("SELECT pg_wal_replay_resume()", port=standby.url.port)
    wait_for_replay(primary, standby)
    assert replica.reads_url() == replica_url
    assert grid_count_and_totals(standby, GridFilters(), principal=EVERYONE)[0] == 2


def test_a_replica_that_does_not_answer_sends_reads_to_the_primary(monkeypatch, pg_template):
    name = create_pg_database(template=pg_template)
    try:
        primary_url = pg_app_url(name)
        closed = f"postgresql+psycopg://{PG_APP_USER}@127.0.0.1:1/{name}?connect_timeout=2"
        monkeypatch.setenv("ORDERS_DATABASE_URL", primary_url)
        monkeypatch.setenv("ORDERS_READ_DATABASE_URL", closed)
        replica.forget()
        assert replica.reads_url() == primary_url
        assert replica.reads_url() == primary_url  # marked down: not asked again for a while
    finally:
        replica.forget()
        db.get_engine(primary_url).dispose()
        drop_pg_database(name)


def test_without_a_replica_or_on_sqlite_every_read_goes_to_the_one_database(monkeypatch):
    monkeypatch.delenv("ORDERS_READ_DATABASE_URL", raising=False)
    monkeypatch.setenv("ORDERS_DATABASE_URL", "sqlite:///data/elsewhere.db")
    assert replica.reads_url() == "sqlite:///data/elsewhere.db"
    assert os.environ.get("ORDERS_READ_DATABASE_URL") is None
