"""Alembic environment: the engine comes from `ORDERS_DATABASE_URL` (or the caller's config)."""

from alembic import context

from orders_core.db import database_url, get_engine
from orders_core.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or database_url()
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
