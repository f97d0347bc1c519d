"""Alembic environment: the engine comes from the caller's config, else the owner's URL
(`ORDERS_MIGRATION_DATABASE_URL`, default `ORDERS_DATABASE_URL`)."""

from alembic import context

from orders_core.db import get_engine, migration_database_url
from orders_core.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or migration_database_url()
engine = get_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
