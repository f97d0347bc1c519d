"""Issue 17: an account limited to some events, for the AppTests of scoped pages."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, update

from orders_core.db import get_engine, unit_of_work
from orders_core.models import User, UserEvent
from tests.app.conftest import signed_in_account


def scoped_user(role: str, event_ids: Iterable[int], email: str | None = None) -> dict:
    """A `role` account of the configured database whose only events are `event_ids` (what
    `orders users scope EMAIL --event ID...` does); returns the user for `open_page`."""
    user = {"email": email or f"{role}.scoped@example.org", "role": role, "name": f"Scoped {role}"}
    account = signed_in_account(user)
    with unit_of_work(get_engine()) as session:
        session.execute(update(User).where(User.id == account["id"]).values(all_events=False))
        session.execute(delete(UserEvent).where(UserEvent.user_id == account["id"]))
        session.add_all(UserEvent(user_id=account["id"], event_id=int(e)) for e in event_ids)
    return user
