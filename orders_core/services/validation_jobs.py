"""Validating more orders than one request should hold (over `validation.BACKGROUND_ABOVE`):
the page queues a background job, the worker validates the orders chunk by chunk
(orders_core/background.py), and the page shows the job's progress, then its summary.

    with unit_of_work(engine) as session:
        job_id = start_validation(session, actor=actor, order_ids=ids, method="bank_transfer",
                                  received_at=date(2026, 11, 20), reference="VIR 1234")

The input is checked now (the same rules as `validate_orders`, and every order must be in the
actor's scope), so a job only fails for reasons that arise later; each chunk is one
`validate_orders` call in its own transaction, with the job's progress advanced in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from orders_core.models import BackgroundJob
from orders_core.permissions import Actor
from orders_core.services import guards
from orders_core.services.validation import check_request

VALIDATE_ORDERS = "validate_orders"


def _actor_values(actor: Actor) -> dict[str, object]:
    """The principal as the job keeps it (JSON), to act as that person later."""
    events = None if actor.event_ids is None else sorted(actor.event_ids)
    return {"email": actor.email, "role": actor.role, "event_ids": events, "user_id": actor.user_id}


def start_validation(
    session: Session,
    *,
    actor: Actor,
    order_ids: Iterable[int],
    method: str,
    received_at: date | datetime,
    reference: str | None = None,
) -> int:
    """Queue the validation of these orders as a background job; returns its id."""
    now = datetime.now(UTC)
    request = check_request(actor, order_ids, method, received_at, reference, now=now)
    ids = request.order_ids
    guards.lock_orders(session, ids, actor=actor, lock=False, bulk=True)  # each exists, in scope
    job = BackgroundJob(
        kind=VALIDATE_ORDERS,
        status="queued",
        actor=_actor_values(actor),
        params={
            "order_ids": ids,
            "method": request.method,
            "received_at": request.received.isoformat(),
            "reference": request.reference,
        },
        total=len(ids),
        done=0,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job.id
