"""Alembic environment: the engine comes from the caller's config, else the owner's URL
(`ORDERS_MIGRATION_DATABASE_URL`, default `ORDERS_DATABASE_URL`)."""

from alembic import context

from orders_core.db import get_engine, migration_database_url
from orders_core.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or migration_database_url()
engine = get_engine(url)

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table (create, copy, drop, rename): with foreign keys on,
        # dropping a referenced table fails. Off for the run (outside any transaction, where
        # SQLite honours it), checked at the end, on again for the next user of the connection.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
