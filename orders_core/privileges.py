"""Two database roles on PostgreSQL, so the app cannot rewrite its own history.

- The **owner** (`ORDERS_MIGRATION_DATABASE_URL`) owns every table: migrations, the demo loader.
- The **app** (`ORDERS_DATABASE_URL`: the Streamlit app, the worker, every other command) owns
  nothing. It may SELECT, INSERT, UPDATE and DELETE where the app needs to, only SELECT and
  INSERT on the append-only tables, only SELECT on `alembic_version`, and never TRUNCATE. Not
  owning a table, it cannot ALTER or DROP it, nor disable or drop a trigger; not a superuser, it
  cannot set `session_replication_role` (which would skip triggers).

`orders db upgrade` applies the migrations as the owner, then (when the two URLs name two users
of one PostgreSQL database) creates the app's role if it is missing and the owner may create
roles, and grants it exactly the rights above. With one URL (the default, and SQLite) nothing
changes: the app is the owner. SQLite has no roles: there, triggers refuse UPDATE and DELETE on
the append-only tables, but whoever can write the file can drop them."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

# Rows are written once and never changed or removed (the ledger and the two logs). Migration
# 0013 puts the triggers; a test checks these tables are exactly the ones a migrated database
# protects.
APPEND_ONLY_TABLES = (
    "order_history",
    "catalogue_history",
    "payments",
    "refunds",
    "invoices",  # issue 21: an issued document never changes
    "invoice_lines",
    "invoice_files",
    "audit_log",  # issue 17: who signed in, exported, changed a role or scope, erased
)
# What the app reads but never writes.
READ_ONLY_TABLES = ("alembic_version",)


class PrivilegeError(Exception):
    """The app's role cannot be set up safely; the message says what to do."""


@dataclass(frozen=True)
class AppRole:
    name: str
    password: str | None = None


def _user(url: URL) -> str:
    return url.username or getpass.getuser()  # libpq's default user is the system user


def app_role_for(migration_url: str, app_url: str) -> AppRole | None:
    """The app's role when the two URLs name two different users of one PostgreSQL database;
    None for a single-role setup (same user, or SQLite)."""
    owner, app = make_url(migration_url), make_url(app_url)
    if app.get_backend_name() != "postgresql" and owner.get_backend_name() != "postgresql":
        return None
    place = (owner.get_backend_name(), owner.host, owner.port, owner.database)
    if place != (app.get_backend_name(), app.host, app.port, app.database):
        raise PrivilegeError(
            "ORDERS_MIGRATION_DATABASE_URL and ORDERS_DATABASE_URL must name the same database "
            "(same server and database name; only the user differs)"
        )
    if _user(owner) == _user(app):
        return None
    return AppRole(_user(app), app.password)


def _quote(conn: Connection, name: str) -> str:
    return str(conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def _ensure_role(conn: Connection, role: AppRole) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": role.name}).first()
    if exists:
        return
    may_create = conn.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    if not may_create:
        owner = conn.execute(text("SELECT current_user")).scalar_one()
        raise PrivilegeError(
            f'the app role "{role.name}" does not exist and "{owner}" may not create roles: ask an administrator '
            f"to run CREATE ROLE {_quote(conn, role.name)} LOGIN PASSWORD '...', then run orders db upgrade again"
        )
    statement = f"CREATE ROLE {_quote(conn, role.name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
    if role.password:
        statement += " PASSWORD " + conn.execute(text("SELECT quote_literal(:p)"), {"p": role.password}).scalar_one()
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(statement)
    except DBAPIError as error:  # another process created it at the same moment: fine
        if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": role.name}).first():
            raise PrivilegeError(f'cannot create the app role "{role.name}": {error.orig}') from error


def _refuse_unsafe(conn: Connection, role: AppRole, schema: str) -> None:
    """An app role that is a superuser, acts as the owner or owns a table could rewrite history."""
    superuser = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :n"), {"n": role.name}).scalar_one()
    if superuser:
        raise PrivilegeError(f'the app role "{role.name}" is a superuser: it could rewrite history; use a plain role')
    if conn.execute(text("SELECT pg_has_role(:n, current_user, 'USAGE')"), {"n": role.name}).scalar_one():
        raise PrivilegeError(
            f'the app role "{role.name}" has the rights of the owner (it is a member of its role): '
            "use a role of its own"
        )
    owned = list(
        conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tableowner = :n ORDER BY tablename"),
            {"s": schema, "n": role.name},
        ).scalars()
    )
    if owned:
        raise PrivilegeError(f'the app role "{role.name}" owns tables ({", ".join(owned)}): migrate as the owner')


def grant_app_role(conn: Connection, role: AppRole) -> None:
    """Create the app's role if needed (and allowed), then grant it exactly what the app uses.
    Run as the owner after every migration: a new table gets its rights, an append-only one
    loses UPDATE and DELETE. Idempotent."""
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    _ensure_role(conn, role)
    _refuse_unsafe(conn, role, schema)
    app, where = _quote(conn, role.name), _quote(conn, schema)
    if not conn.execute(
        text("SELECT has_database_privilege(:n, current_database(), 'CONNECT')"), {"n": role.name}
    ).scalar_one():
        database = conn.execute(text("SELECT quote_ident(current_database())")).scalar_one()
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {database} TO {app}")
    present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}).scalars())
    statements = [
        f"GRANT USAGE ON SCHEMA {where} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {app}",
    ]
    if append_only := [_quote(conn, t) for t in APPEND_ONLY_TABLES if t in present]:
        statements.append(f"REVOKE UPDATE, DELETE ON {', '.join(append_only)} FROM {app}")
    if read_only := [_quote(conn, t) for t in READ_ONLY_TABLES if t in present]:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(read_only)} FROM {app}")
    for statement in statements:
        conn.exec_driver_sql(statement)
