"""Issue 19: read-only work (the grid, search, dashboards, exports) on a PostgreSQL streaming
replica named by `ORDERS_READ_DATABASE_URL`; writes, and the reads that must see them, on the
primary (`ORDERS_DATABASE_URL`).

Read-your-own-writes: after a write, the process notes the primary's WAL position
(`note_write`); until the replica has replayed that position, `reads_url()` answers the
primary, so no page shows the state before a change this process just made (the cached reads
are cleared by the same write). A replica that cannot be reached sends reads to the primary
for `RETRY_AFTER`, then is tried again: the app keeps working with the replica down.

SQLite, or no replica configured: every read goes to the one database, as before."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from orders_core import db

log = logging.getLogger(__name__)
RETRY_AFTER = 30.0  # seconds the primary serves the reads after the replica failed to answer
# With no write pending, a replica that answered this recently is not asked again: a page's
# twenty cached reads cost one round trip, not twenty.
TRUSTED_FOR = 1.0

_lock = threading.Lock()
_pending: dict[str, str] = {}  # primary URL -> WAL position of the newest write of this process
_down_until: dict[str, float] = {}  # replica URL -> monotonic time until which it is skipped
_answered_at: dict[str, float] = {}  # replica URL -> when it last answered, caught up


def write_position(engine: Engine) -> str | None:
    """The primary's current WAL position (PostgreSQL), None elsewhere."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one())


def note_write(primary: Engine) -> None:
    """Called after each write of this process: reads stay on the primary until the replica
    has replayed it. Nothing to do without a replica."""
    if db.read_database_url() is None:
        return
    position = write_position(primary)
    if position is not None:
        with _lock:
            _pending[primary.url.render_as_string(hide_password=False)] = position


def replica_has(replica: Engine, position: str | None) -> bool:
    """The replica is reachable and has replayed `position` (any position when None)."""
    with replica.connect() as connection:
        replayed = connection.execute(
            text("SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= CAST(:p AS pg_lsn)"),
            {"p": position or "0/0"},
        ).scalar_one()
    return bool(replayed)


def reads_url(primary_url: str | None = None, replica_url: str | None = None) -> str:
    """Where the next read-only query goes: the replica when there is one, it answers and it
    has every write of this process; else the primary."""
    primary = primary_url or db.database_url()
    replica = replica_url or db.read_database_url()
    if replica is None or replica == primary:
        return primary
    now = time.monotonic()
    with _lock:
        if _down_until.get(replica, 0.0) > now:
            return primary
        position = _pending.get(primary)
        if position is None and now - _answered_at.get(replica, float("-inf")) < TRUSTED_FOR:
            return replica
    try:
        caught_up = replica_has(db.get_engine(replica), position)
    except DBAPIError as error:
        log.warning("read replica unreachable, reading from the primary for %.0f s: %s", RETRY_AFTER, error.orig)
        with _lock:
            _down_until[replica] = now + RETRY_AFTER
        return primary
    if not caught_up:
        return primary
    with _lock:
        if _pending.get(primary) == position:
            _pending.pop(primary, None)
        _answered_at[replica] = now
    return replica


def forget() -> None:
    """Tests: no pending write, no replica marked down."""
    with _lock:
        _pending.clear()
        _down_until.clear()
        _answered_at.clear()
