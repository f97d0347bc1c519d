"""The worker's expiry job (issue 15): finds the unpaid invoice orders past their event's grace
period and cancels each through `services.expiry.expire_order`, one transaction per order, as
the `system` actor. Events without `expire_after_days` (the default) are never looked at."""

from __future__ import annotations

import logging

from sqlalchemy import exists, select

from orders_core.db import read_only, unit_of_work
from orders_core.errors import OrderError
from orders_core.models import Event, Order, Payment
from orders_core.payment_terms import expiry_cutoff, local_day
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.expiry import expire_order
from orders_core.status import PaymentMode, Status
from orders_core.worker import JobRun

log = logging.getLogger("orders.worker")
BATCH = 200  # candidates read per query; the job reads again until none is left


def expiry_candidates(run: JobRun, *, after_id: int = 0, limit: int = BATCH) -> list[int]:
    """Ids of the orders that look expired at `run.now` (checked again under lock), by id."""
    with read_only(run.engine) as session:
        events = session.execute(
            select(Event.id, Event.timezone, Event.expire_after_days).where(Event.expire_after_days.is_not(None))
        ).all()
        ids: list[int] = []
        for event_id, timezone, days in events:
            if days is None:  # excluded by the query; for the type checker
                continue
            cutoff = expiry_cutoff(local_day(run.now, timezone), days)
            ids += session.scalars(
                select(Order.id)
                .where(
                    Order.event_id == event_id,
                    Order.id > after_id,
                    Order.status == Status.AWAITING_PAYMENT.value,
                    Order.payment_mode == PaymentMode.INVOICE.value,
                    Order.deleted_at.is_(None),
                    Order.due_date.is_not(None),
                    Order.due_date < cutoff,
                    ~exists().where(Payment.order_id == Order.id),
                )
                .order_by(Order.id)
                .limit(limit)
            ).all()
    return sorted(ids)[:limit]


def expire_orders_job(run: JobRun) -> str | None:
    """The worker's job: cancel what has expired; a one-line summary when it cancelled any."""
    cancelled = skipped = 0
    after_id = 0
    while not run.should_stop():
        candidates = expiry_candidates(run, after_id=after_id)
        for order_id in candidates:
            if run.should_stop():
                break
            try:
                with unit_of_work(run.engine) as session:
                    done = expire_order(session, actor=SYSTEM_ACTOR, order_id=order_id, now=run.now)
            except OrderError as refusal:  # e.g. changed meanwhile: reported, the others go on
                log.warning("expiry: order id %s left as it is: %s", order_id, refusal.message)
                done = False
            cancelled += done
            skipped += not done
        if len(candidates) < BATCH:
            break
        after_id = candidates[-1]
    if not cancelled:
        return None
    return f"{cancelled} unpaid invoice order(s) cancelled past their grace period" + (
        f", {skipped} left (paid, changed or held by another worker)" if skipped else ""
    )
