"""Background jobs as a page shows them (issue 19): progress, then the summary or the error."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from orders_core.models import BackgroundJob
from orders_core.permissions import Actor


def background_job(engine: Engine, job_id: int, *, principal: Actor) -> dict[str, Any] | None:
    """One job (status, done, total, result, error, times), or None: unknown, or started by
    someone else (a job's summary names orders of its starter's scope)."""
    query = select(
        BackgroundJob.id,
        BackgroundJob.kind,
        BackgroundJob.status,
        BackgroundJob.actor,
        BackgroundJob.total,
        BackgroundJob.done,
        BackgroundJob.result,
        BackgroundJob.error,
        BackgroundJob.created_at,
        BackgroundJob.started_at,
        BackgroundJob.finished_at,
    ).where(BackgroundJob.id == int(job_id))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or (row["actor"] or {}).get("email") != principal.email:
        return None
    job = dict(row)
    job.pop("actor")
    # What the page shows, answered here rather than by comparing the worker's statuses there.
    job["waiting"] = job["status"] == "queued" and not job["done"]
    job["in_progress"] = job["status"] in ("queued", "running")
    job["succeeded"] = job["status"] == "done"
    return job
