"""The order history: append-only, written in the same transaction as the change it records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from orders_core.models import OrderHistory
from orders_core.permissions import Actor


def change(old: Any, new: Any) -> dict[str, Any]:
    """The before/after pair of one field, as stored in `details` (values made JSON-safe)."""
    return {"old": _plain(old), "new": _plain(new)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    *,
    order_id: int,
    actor: Actor,
    action: str,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> OrderHistory:
    entry = OrderHistory(
        order_id=order_id,
        at=at or datetime.now(UTC),
        actor=actor.email,
        action=action,
        details=details or {},
        reason=reason,
    )
    session.add(entry)
    return entry
