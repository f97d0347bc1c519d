"""Issue 17: every download of orders' or people's data leaves an audit entry: who, when, what
(`what`: a short code such as "orders", "attendees", "invoices_zip"), with which filters, how
many rows and in which format. Written when the file is handed out: by the download button's
callback (ui/exports.py) or by the streamed download's route when its last piece is sent
(web/export_audit.py)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from orders_core import audit
from orders_core.models import AuditEntry
from orders_core.permissions import Actor, require

MAX_FILTER_TEXT = 200  # a filter value typed by the user, as kept in the audit trail


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v not in (None, "", (), [])}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)[:MAX_FILTER_TEXT]


def record_export(
    session: Session,
    *,
    actor: Actor,
    what: str,
    filters: Any = None,
    rows: int | None = None,
    format: str = "",
    source: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """One audit entry for one download: the export checked its own capability; recording that
    someone downloaded needs only a signed-in user of a role."""
    require(actor, "audit.record_export")
    details = {"what": what, "filters": _plain(filters or {}), "rows": rows, "format": format}
    return audit.record(
        session, actor=actor, action=audit.EXPORT, subject=what, details=details, source=source, now=now
    )
