"""Apply Alembic migrations programmatically: the only way a schema is made."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from orders_core.privileges import AppRole, app_role_for, grant_app_role

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def upgrade_and_grant(migration_url: str, app_url: str, revision: str = "heads") -> AppRole | None:
    """Migrate as the owner, then give the app's role (when it is another user) its rights;
    returns that role, or None for a single-role setup."""
    from orders_core.db import get_engine

    role = app_role_for(migration_url, app_url)  # checked first: a bad pair of URLs migrates nothing
    upgrade(migration_url, revision)
    if role is not None:
        with get_engine(migration_url).begin() as conn:
            grant_app_role(conn, role)
    return role
