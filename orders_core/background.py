"""The worker's background jobs (issue 19): work a page queued because it is too large for one
request (services/validation_jobs.py). One run takes the oldest queued job and works through it
chunk by chunk; each chunk is one transaction that also advances the job's `done` count and its
summary, so the page's progress is always what is committed, and a job stopped halfway (the
worker asked to stop) goes back to the queue and resumes at the first order not yet done.

A chunk refused as a whole (e.g. the orders were paid by someone else meanwhile: a conflict)
marks the job `failed` with the reason; the chunks before it stay validated, which the summary
says. Several workers may run: a job is claimed by one (PostgreSQL `FOR UPDATE SKIP LOCKED`;
SQLite's write lock) for a lease (`ORDERS_JOB_LEASE`, 5 minutes) that each chunk renews; a
worker killed mid-job (no graceful stop) leaves its job `running` until the lease runs out, and
the next worker takes it over at the first order not yet done. Each chunk first renews the claim
in its own transaction: a worker whose claim was taken over meanwhile writes nothing more."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Engine, Table, and_, or_, select, update

from orders_core.db import is_sqlite, unit_of_work, write_engine
from orders_core.emails.schedule import duration_setting
from orders_core.errors import OrderError
from orders_core.models import BackgroundJob
from orders_core.permissions import Actor
from orders_core.services.validation import BACKGROUND_ABOVE, validate_orders
from orders_core.services.validation_jobs import VALIDATE_ORDERS
from orders_core.worker import JobRun

JOBS = cast(Table, BackgroundJob.__table__)
CHUNK = BACKGROUND_ABOVE  # orders per transaction: as many as one request validates
MAX_REFUSED = 500  # refusals kept in the summary (the count is always exact)
DEFAULT_LEASE = "5m"  # a chunk takes seconds; a claim not renewed for this long is a dead worker's


class ClaimLost(Exception):
    """Another worker took this job over (our lease ran out): stop without writing."""


def lease_from_env() -> timedelta:
    return duration_setting("ORDERS_JOB_LEASE", DEFAULT_LEASE)


def _claim(engine: Engine, claimer: str, now: datetime, lease: timedelta) -> dict[str, Any] | None:
    """The oldest job that is queued, or running under a claim that ran out, now ours."""
    stale = and_(JOBS.c.status == "running", or_(JOBS.c.lease_until.is_(None), JOBS.c.lease_until < now))
    query = select(JOBS).where(or_(JOBS.c.status == "queued", stale)).order_by(JOBS.c.id).limit(1)
    with write_engine(engine).begin() as conn:
        if not is_sqlite(conn):
            query = query.with_for_update(skip_locked=True)
        row = conn.execute(query).mappings().first()
        if row is None:
            return None
        conn.execute(
            update(JOBS)
            .where(JOBS.c.id == row["id"])
            .values(status="running", claimed_by=claimer, lease_until=now + lease, started_at=row["started_at"] or now)
        )
        return dict(row, claimed_by=claimer)


def _renew(session: Any, job: dict[str, Any], lease: timedelta, **values: Any) -> None:
    """Renew our claim (and write `values`) in the chunk's transaction; the job's row stays
    locked until it commits, so two workers never validate the same chunk at once."""
    still_ours = (JOBS.c.id == job["id"]) & (JOBS.c.claimed_by == job["claimed_by"])
    renewed = session.execute(update(JOBS).where(still_ours).values(lease_until=datetime.now(UTC) + lease, **values))
    if renewed.rowcount != 1:
        raise ClaimLost(job["id"])


def empty_summary() -> dict[str, Any]:
    return {"validated": 0, "attendees": 0, "emails": 0, "amounts": {}, "refused": [], "refused_count": 0}


def _add(summary: dict[str, Any], result: Any) -> dict[str, Any]:
    amounts = {c: Decimal(v) for c, v in summary["amounts"].items()}
    for currency, amount in result.amounts.items():
        amounts[currency] = amounts.get(currency, Decimal("0.00")) + amount
    refused = [{"number": r.number, "reason": r.reason} for r in result.refused]
    return {
        "validated": summary["validated"] + len(result.validated),
        "attendees": summary["attendees"] + result.attendees_created,
        "emails": summary["emails"] + result.emails_queued,
        "amounts": {c: str(v) for c, v in sorted(amounts.items())},
        "refused": (summary["refused"] + refused)[:MAX_REFUSED],
        "refused_count": summary["refused_count"] + len(refused),
    }


def _finish(engine: Engine, job: dict[str, Any], status: str, now: datetime, error: str | None = None) -> None:
    """End our claim (only if it is still ours)."""
    values: dict[str, Any] = {"status": status, "claimed_by": None, "lease_until": None}
    if status in ("done", "failed"):
        values.update(finished_at=now, error=error)
    still_ours = (JOBS.c.id == job["id"]) & (JOBS.c.claimed_by == job["claimed_by"])
    with write_engine(engine).begin() as conn:
        conn.execute(update(JOBS).where(still_ours).values(**values))


def validate_in_chunks(
    run: JobRun, job: dict[str, Any], *, chunk: int | None = None, lease: timedelta | None = None
) -> str:
    """Work through one claimed validation job; returns how it ended ("done", "queued" when
    asked to stop, "failed", "taken over" when another worker took it over)."""
    chunk = chunk or CHUNK
    lease = lease or lease_from_env()
    params, who = job["params"], job["actor"]
    actor = Actor.of(who["email"], who["role"], who["event_ids"], who["user_id"])
    ids: Sequence[int] = params["order_ids"]
    done, summary = job["done"], job["result"] or empty_summary()
    received = datetime.fromisoformat(params["received_at"])
    while done < len(ids):
        if run.should_stop():
            _finish(run.engine, job, "queued", datetime.now(UTC))
            return "queued"
        part = ids[done : done + chunk]
        try:
            with unit_of_work(run.engine) as session:
                _renew(session, job, lease)
                result = validate_orders(
                    session,
                    actor=actor,
                    order_ids=part,
                    method=params["method"],
                    received_at=received,
                    reference=params["reference"],
                )
                summary = _add(summary, result)
                done += len(part)
                _renew(session, job, lease, done=done, result=summary)
        except ClaimLost:
            return "taken over"
        except OrderError as error:
            _finish(run.engine, job, "failed", datetime.now(UTC), str(error))
            return "failed"
    _finish(run.engine, job, "done", datetime.now(UTC))
    return "done"


def run_background_jobs(run: JobRun) -> str | None:
    """The worker's job: run the oldest queued background job, if any (one per run)."""
    from orders_core.emails.sender import sender_name  # host:pid:token, as the email sender's claims

    lease = lease_from_env()
    job = _claim(run.engine, sender_name(), run.now, lease)
    if job is None:
        return None
    if job["kind"] != VALIDATE_ORDERS:
        _finish(run.engine, job, "failed", datetime.now(UTC), f"unknown job kind {job['kind']}")
        return f"job {job['id']}: unknown kind {job['kind']}"
    try:
        outcome = validate_in_chunks(run, job, lease=lease)
    except Exception as error:  # a bug or the database: the job says so instead of staying "running"
        _finish(run.engine, job, "failed", datetime.now(UTC), str(error) or type(error).__name__)
        raise
    return f"job {job['id']} ({job['kind']}): {outcome}"
