"""A signed-in person's own choices, as stored with their account."""

from __future__ import annotations

from sqlalchemy import Engine, select

from orders_core.models import User


def user_timezone(engine: Engine, user_id: int) -> str | None:
    """The time zone this user chose (None until they choose one)."""
    with engine.connect() as conn:
        return conn.execute(select(User.timezone).where(User.id == user_id)).scalar()
