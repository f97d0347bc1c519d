"""Issue 17 scope specs of the audit trail, the export audit and the erasure of a buyer: the
trail and the erasure span every event, so only an administrator of every event reads or erases
(a principal of one event is refused, whatever the role); the control reads their traces."""

from __future__ import annotations

from sqlalchemy.orm import Session

from orders_core.permissions import Actor
from orders_core.services import erasure as erasure_service
from orders_core.services import export_audit
from queries import audit as audit_queries
from tests.scope.harness import read, unscoped, write
from tests.scope.world import WORLD_BUILDERS, World


def _their_export(session: Session, world: World) -> None:
    """An export of their event's orders, as the trail keeps it (its filters name their event)."""
    export_audit.record_export(
        session,
        actor=Actor("finance@zurich.example", "finance"),
        what="orders",
        filters={"event": str(world.theirs.event_id), "q": "Zürich ZSECRET"},
        rows=3,
        format="csv",
    )


WORLD_BUILDERS.append(_their_export)

read(
    audit_queries.audit_entries,
    lambda c: audit_queries.audit_entries(c.engine, audit_queries.AuditFilters(), principal=c.principal),
)
read(
    audit_queries.audit_count,
    lambda c: audit_queries.audit_count(c.engine, audit_queries.AuditFilters(actor="zurich"), principal=c.principal),
    control=False,
    why="a count of entries: no event's data to trace (refused for a principal of one event)",
)
read(
    audit_queries.erasure_preview,
    lambda c: audit_queries.erasure_preview(c.engine, "paid@zsecret.example", principal=c.principal),
)
write(
    erasure_service.erase_buyer,
    lambda c: erasure_service.erase_buyer(c.session, actor=c.principal, email="paid@zsecret.example", reason="Asked"),
    control_role="admin",
)
unscoped(
    export_audit.record_export,
    "writes one audit entry of what the actor downloaded; the export itself applied the scope",
)
