"""Issue 17: the one way to write the audit trail. Each entry is written in the transaction of
the action it records (a refused action leaves none), never changed afterwards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from orders_core.i18n import N_
from orders_core.models import AuditEntry
from orders_core.permissions import Actor

SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
EXPORT = "export"
USER_ADDED = "user_added"
USER_DEACTIVATED = "user_deactivated"
USER_REACTIVATED = "user_reactivated"
ROLE_CHANGED = "role_changed"
SCOPE_CHANGED = "scope_changed"
PASSWORD_RESET = "password_reset"
ERASURE = "erasure"
TWO_FACTOR = "two_factor"
SETTING_CHANGED = "setting_changed"

ACTION_LABELS: dict[str, str] = {
    SIGN_IN: N_("Sign-in"),
    SIGN_IN_FAILED: N_("Failed sign-in"),
    EXPORT: N_("Export"),
    USER_ADDED: N_("User added"),
    USER_DEACTIVATED: N_("User deactivated"),
    USER_REACTIVATED: N_("User reactivated"),
    ROLE_CHANGED: N_("Role changed"),
    SCOPE_CHANGED: N_("Events changed"),
    PASSWORD_RESET: N_("Password reset"),
    ERASURE: N_("Personal data erased"),
    TWO_FACTOR: N_("Two-factor sign-in"),
    SETTING_CHANGED: N_("Setting changed"),
}


def record(
    session: Session,
    *,
    actor: Actor | str,
    action: str,
    subject: str = "",
    details: dict[str, Any] | None = None,
    source: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Add one audit entry to the caller's transaction."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=now or datetime.now(UTC),
        actor=(actor.label if isinstance(actor, Actor) else actor)[:254],
        action=action,
        subject=(subject or "")[:254],
        details=details or {},
        source=(source or "")[:100],
    )
    session.add(entry)
    return entry
