"""Issue 19: validating more orders than one request holds runs as a background job; the real
worker step (not mocked) validates them chunk by chunk, advancing the progress the page reads,
and leaves the summary. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from orders_core import background
from orders_core.background import run_background_jobs
from orders_core.db import unit_of_work
from orders_core.errors import NotAllowed
from orders_core.models import Attendee, BackgroundJob, Order, OutboxEmail
from orders_core.permissions import Actor
from orders_core.services.validation_jobs import start_validation
from orders_core.worker import JobRun
from queries.jobs import background_job
from tests.factories import make_event, make_order, make_tariff

FINANCE = Actor("fin@example.org", "finance")
TODAY = datetime.now(UTC).date()


@pytest.fixture
def orders(engine):
    """Five awaiting invoice orders (one badge each) and one already paid."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        badge = make_tariff(session, event)
        awaiting = [make_order(session, event, [(badge, 1)]).id for _ in range(5)]
        paid = make_order(session, event, [(badge, 1)], status="paid")
        return awaiting, (paid.id, paid.number)


def start(engine, ids) -> int:
    with unit_of_work(engine) as session:
        return start_validation(
            session, actor=FINANCE, order_ids=ids, method="bank_transfer", received_at=TODAY, reference="VIR 9"
        )


def progress_of(engine, job_id: int) -> tuple[str, int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(BackgroundJob.status, BackgroundJob.done, BackgroundJob.total).where(BackgroundJob.id == job_id)
        ).one()
    return tuple(row)


def test_a_queued_validation_job_is_run_by_the_worker_in_chunks_with_progress_and_a_summary(
    engine, orders, monkeypatch
):
    awaiting, (paid_id, paid_number) = orders
    job_id = start(engine, [*awaiting, paid_id])
    assert progress_of(engine, job_id) == ("queued", 0, 6)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).where(Order.id.in_(awaiting), Order.status == "paid")) == 0

    monkeypatch.setattr(background, "CHUNK", 2)
    seen = []

    def should_stop() -> bool:  # asked before each chunk: what the page would read then
        seen.append(progress_of(engine, job_id))
        return False

    summary = run_background_jobs(JobRun(engine, datetime.now(UTC), should_stop))
    assert summary == f"job {job_id} (validate_orders): done"
    assert seen == [("running", 0, 6), ("running", 2, 6), ("running", 4, 6)]
    assert progress_of(engine, job_id) == ("done", 6, 6)
    with unit_of_work(engine) as session:
        statuses = session.scalars(select(Order.status).where(Order.id.in_(awaiting))).all()
        assert statuses == ["paid"] * 5
        assert session.scalar(select(func.count()).select_from(Attendee).where(Attendee.order_id.in_(awaiting))) == 5
        assert session.scalar(select(func.count()).where(OutboxEmail.order_id.in_(awaiting))) == 5
    job = background_job(engine, job_id, principal=FINANCE)
    assert job is not None and job["finished_at"] is not None and job["error"] is None
    result = job["result"]
    assert (result["validated"], result["attendees"], result["emails"], result["refused_count"]) == (5, 5, 5, 1)
    assert result["amounts"] == {"EUR": "600.00"}
    assert result["refused"][0]["number"] == paid_number and "already" in result["refused"][0]["reason"]
    # Only the one who started it reads it.
    assert background_job(engine, job_id, principal=Actor("other@example.org", "finance")) is None
    assert run_background_jobs(JobRun(engine, datetime.now(UTC), lambda: False)) is None  # nothing left


def test_a_job_stopped_halfway_goes_back_to_the_queue_and_resumes_where_it_stopped(engine, orders, monkeypatch):
    awaiting, _paid = orders
    job_id = start(engine, awaiting)
    monkeypatch.setattr(background, "CHUNK", 2)
    asked = []

    def stop_after_one_chunk() -> bool:
        asked.append(1)
        return len(asked) > 1

    assert run_background_jobs(JobRun(engine, datetime.now(UTC), stop_after_one_chunk)).endswith(": queued")
    assert progress_of(engine, job_id) == ("queued", 2, 5)
    assert run_background_jobs(JobRun(engine, datetime.now(UTC), lambda: False)).endswith(": done")
    assert progress_of(engine, job_id) == ("done", 5, 5)
    with unit_of_work(engine) as session:
        assert session.scalars(select(Order.status).where(Order.id.in_(awaiting))).all() == ["paid"] * 5
    assert background_job(engine, job_id, principal=FINANCE)["result"]["validated"] == 5


def test_a_job_is_refused_to_who_may_not_validate_and_nothing_is_queued(engine, orders):
    with pytest.raises(NotAllowed), unit_of_work(engine) as session:
        start_validation(
            session,
            actor=Actor("m@example.org", "marketer"),
            order_ids=orders[0],
            method="bank_transfer",
            received_at=TODAY,
        )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BackgroundJob)).scalar_one() == 0


def mark_claimed(engine, job_id: int, *, by: str, lease_until: datetime, done: int = 0) -> None:
    """The job as a worker left it: running under its claim, `done` orders committed."""
    with engine.begin() as conn:
        conn.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(status="running", claimed_by=by, lease_until=lease_until, done=done)
        )


def test_a_job_left_running_by_a_killed_worker_is_taken_over_once_its_lease_ran_out(engine, orders, monkeypatch):
    awaiting, _paid = orders
    job_id = start(engine, awaiting)
    monkeypatch.setattr(background, "CHUNK", 2)
    now = datetime.now(UTC)
    # Killed while its claim still runs: nobody else touches the job.
    mark_claimed(engine, job_id, by="dead-host:123:abcd", lease_until=now + timedelta(minutes=3))
    assert run_background_jobs(JobRun(engine, now, lambda: False)) is None
    assert progress_of(engine, job_id) == ("running", 0, 5)
    # Its lease ran out: the next worker takes it over and finishes it.
    mark_claimed(engine, job_id, by="dead-host:123:abcd", lease_until=now - timedelta(seconds=1))
    assert run_background_jobs(JobRun(engine, now, lambda: False)) == f"job {job_id} (validate_orders): done"
    assert progress_of(engine, job_id) == ("done", 5, 5)
    with unit_of_work(engine) as session:
        assert session.scalars(select(Order.status).where(Order.id.in_(awaiting))).all() == ["paid"] * 5
    with engine.connect() as conn:
        claim = conn.execute(select(BackgroundJob.claimed_by, BackgroundJob.lease_until)).one()
    assert tuple(claim) == (None, None)


def test_a_worker_whose_job_was_taken_over_writes_nothing_more(engine, orders, monkeypatch):
    awaiting, _paid = orders
    job_id = start(engine, awaiting)
    monkeypatch.setattr(background, "CHUNK", 2)
    now = datetime.now(UTC)
    slow = background._claim(engine, "slow-worker", now, timedelta(minutes=5))
    assert slow is not None and slow["id"] == job_id
    # The slow worker's claim ran out and another worker took the job (and is still at it).
    mark_claimed(engine, job_id, by="other-worker", lease_until=now + timedelta(minutes=5))

    outcome = background.validate_in_chunks(JobRun(engine, now, lambda: False), slow)

    assert outcome == "taken over"
    assert progress_of(engine, job_id) == ("running", 0, 5)
    with unit_of_work(engine) as session:
        assert session.scalars(select(Order.status).where(Order.id.in_(awaiting))).all() == ["awaiting_payment"] * 5
    with engine.connect() as conn:
        assert conn.execute(select(BackgroundJob.claimed_by)).scalar_one() == "other-worker"


def test_each_chunk_renews_the_claim(engine, orders, monkeypatch):
    awaiting, _paid = orders
    start(engine, awaiting)
    monkeypatch.setattr(background, "CHUNK", 2)
    monkeypatch.setenv("ORDERS_JOB_LEASE", "10m")
    leases = []

    def should_stop() -> bool:
        with engine.connect() as conn:
            leases.append(conn.execute(select(BackgroundJob.lease_until)).scalar_one())
        return False

    before = datetime.now(UTC)
    run_background_jobs(JobRun(engine, before, should_stop))
    assert len(leases) == 3
    aware = [lease if lease.tzinfo else lease.replace(tzinfo=UTC) for lease in leases]
    assert all(before + timedelta(minutes=9) < lease <= datetime.now(UTC) + timedelta(minutes=10) for lease in aware)
    assert aware == sorted(aware)
