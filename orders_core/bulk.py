"""Set-based inserts for large loads: PostgreSQL's COPY, SQLite's executemany. Rows are dicts
keyed by column name; ids are given by the caller so children can point at parents."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from orders_core.models import Base


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def next_id(conn: Connection, name: str) -> int:
    """The first free id of a table (ids are handed out by the loader, not the database)."""
    t = table(name)
    return (conn.execute(select(func.max(t.c.id))).scalar() or 0) + 1


def insert_rows(conn: Connection, name: str, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table(name), rows)
    else:
        _executemany_rows(conn, table(name), rows)


def _executemany_rows(conn: Connection, t: Table, rows: Sequence[dict[str, Any]]) -> None:
    """One driver-level executemany with each column's bind processor looked up once: the same
    stored values as `conn.execute(t.insert(), rows)`, without SQLAlchemy's per-row parameter
    processing (which cost as much as SQLite's own insert work)."""
    columns = list(rows[0].keys())
    processors = [t.c[c].type._cached_bind_processor(conn.dialect) for c in columns]
    sql = f"INSERT INTO {t.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    params = [tuple(p(row[c]) if p else row[c] for c, p in zip(columns, processors, strict=True)) for row in rows]
    conn.exec_driver_sql(sql, params)


def _copy_rows(conn: Connection, t: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0].keys())
    json_columns = {c for c in columns if t.c[c].type.__class__.__name__ == "JSON"}
    driver = conn.connection.driver_connection
    assert driver is not None, "a live connection has a driver connection"
    cursor = driver.cursor()
    with cursor.copy(f"COPY {t.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in json_columns else row[c] for c in columns])


def reset_sequences(conn: Connection, names: Sequence[str]) -> None:
    """After explicit ids on PostgreSQL, move each serial sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for name in names:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )
