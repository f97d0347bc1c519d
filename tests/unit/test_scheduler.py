"""The worker's scheduler on a controlled clock: each job runs at start, then `every` after its
previous run; a failing job is reported and runs again later without stopping the others; a
stop request ends the loop; the registry holds the email sender; the retry schedule setting."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from orders_core.emails.schedule import DEFAULT_SCHEDULE, RetrySchedule, parse_duration
from orders_core.jobs import EMAILS, JOBS
from orders_core.worker import Job, Scheduler


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def recording_job(name: str, seconds: float, calls: list, outcome=None) -> Job:
    def run(job_run):
        calls.append((name, job_run.now))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return Job(name, every=timedelta(seconds=seconds), run=run)


def test_each_job_runs_at_start_then_every_period_after_its_last_run():
    clock, calls = Clock(), []
    wall = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    scheduler = Scheduler(
        None, [recording_job("fast", 5, calls), recording_job("slow", 60, calls)], clock=clock, wall_clock=lambda: wall
    )
    assert scheduler.run_pending() == 5
    assert calls == [("fast", wall), ("slow", wall)]
    clock.now += 4.9
    assert scheduler.run_pending() == pytest.approx(0.1)
    assert len(calls) == 2
    clock.now += 0.1
    scheduler.run_pending()
    assert [name for name, _ in calls] == ["fast", "slow", "fast"]
    clock.now += 55
    scheduler.run_pending()
    assert [name for name, _ in calls][-2:] == ["fast", "slow"]


def test_a_failing_job_is_reported_and_retried_and_the_others_still_run(caplog):
    clock, calls = Clock(), []
    jobs = [
        recording_job("broken", 5, calls, RuntimeError("boom")),
        recording_job("offline", 5, calls, OperationalError("SELECT 1", {}, Exception("connection refused"))),
        recording_job("fine", 5, calls, "3 sent"),
    ]
    scheduler = Scheduler(None, jobs, clock=clock)
    with caplog.at_level(logging.INFO, logger="orders.worker"):
        scheduler.run_pending()
        clock.now += 5
        scheduler.run_pending()
    assert [name for name, _ in calls] == ["broken", "offline", "fine"] * 2
    messages = [record.getMessage() for record in caplog.records]
    assert "broken: failed, will retry" in messages
    assert "offline: database unavailable, will retry: connection refused" in messages
    assert messages.count("fine: 3 sent") == 2


def test_a_stop_request_ends_the_loop_and_skips_the_jobs_not_yet_run():
    calls = []
    scheduler = Scheduler(None, [], clock=Clock())

    def stopping(job_run):
        calls.append("stopping")
        assert not job_run.should_stop()
        scheduler.stop()
        assert job_run.should_stop()

    scheduler.jobs = [Job("stopping", timedelta(seconds=1), stopping), recording_job("later", 1, calls)]
    scheduler.next_run = {"stopping": 0.0, "later": 0.0}
    scheduler.run_forever()  # returns: the first job asked to stop
    assert calls == ["stopping"]


def test_the_registry_holds_the_email_sender_every_few_seconds():
    [emails] = [job for job in JOBS if job.name == EMAILS]
    assert emails.every <= timedelta(seconds=10)
    assert len({job.name for job in JOBS}) == len(JOBS)


def test_the_default_retry_schedule_is_days_not_minutes():
    assert [d.total_seconds() for d in DEFAULT_SCHEDULE.delays] == [60, 300, 1800, 7200, 21600, 43200, 86400]
    assert DEFAULT_SCHEDULE.retry_for == timedelta(days=5)
    assert DEFAULT_SCHEDULE.describe() == "after 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then every 24 h, for 5 d"


def test_the_retry_schedule_is_a_setting():
    schedule = RetrySchedule.from_env({"ORDERS_EMAIL_RETRY_DELAYS": "30s, 10m 1h", "ORDERS_EMAIL_RETRY_FOR": "2d"})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert schedule.next_attempt(failures=1, first_failed_at=start, now=start) == start + timedelta(seconds=30)
    assert schedule.next_attempt(failures=2, first_failed_at=start, now=start) == start + timedelta(minutes=10)
    # the last delay repeats, until the window is over
    later = start + timedelta(hours=46)
    assert schedule.next_attempt(failures=9, first_failed_at=start, now=later) == later + timedelta(hours=1)
    assert schedule.next_attempt(failures=9, first_failed_at=start, now=later + timedelta(hours=1, seconds=1)) is None


@pytest.mark.parametrize("text", ["", "5", "five minutes", "5x", "0m", "-5m"])
def test_a_bad_duration_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="duration such as|longer than zero"):
        parse_duration(text)


def test_durations_read_as_people_write_them():
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(" 5D ") == timedelta(days=5)
