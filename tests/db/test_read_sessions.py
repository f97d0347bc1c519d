"""Reads use a read-only session (orders_core.db.read_only, the session of ui.transactions.read):
on SQLite a deferred BEGIN, so a read never queues behind a write holding BEGIN IMMEDIATE; on
PostgreSQL a READ ONLY transaction that refuses a write. Units of work still write afterwards."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from orders_core.db import read_only, unit_of_work
from orders_core.models import Event
from tests.factories import make_event


def events(session) -> int:
    return session.scalar(select(func.count()).select_from(Event))


def test_a_read_does_not_wait_while_a_write_holds_the_lock(engine):
    with unit_of_work(engine) as session:
        make_event(session)
    answers: list[int] = []
    with unit_of_work(engine) as writing:  # holds the write lock (BEGIN IMMEDIATE on SQLite)
        make_event(writing)

        def read_meanwhile() -> None:
            with read_only(engine) as reading:
                answers.append(events(reading))

        reader = threading.Thread(target=read_meanwhile)
        reader.start()
        reader.join(timeout=10)  # a read taking the write lock would wait 30 s for it
        assert not reader.is_alive() and answers == [1]  # the committed state, not the pending write
    with read_only(engine) as reading:
        assert events(reading) == 2


def test_a_read_only_session_refuses_a_write_on_postgresql_and_writes_still_work_after(engine, backend):
    if backend != "postgresql":
        with read_only(engine) as session:
            events(session)
            assert session.connection().get_execution_options().get("sqlite_begin") is None  # deferred BEGIN
        return
    with read_only(engine) as session:
        assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            make_event(session)
    with unit_of_work(engine) as session:  # the pool's connection is writable again
        make_event(session)
    with read_only(engine) as session:
        assert events(session) == 1
