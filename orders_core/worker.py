"""The worker: one long-running process (`orders worker`) that runs the periodic jobs of
`orders_core/jobs.py` (the email sender, and whatever registers there later) until SIGINT or
SIGTERM. A stop is graceful: the job running finishes the item in hand (an email being sent is
recorded as sent or failed) and no new one starts; a second signal stops at once.

Several workers may run at once: every job must be safe to run in parallel (the email sender
claims each email under a lease). A job that fails (database unreachable, a bug) is reported in
one line and runs again at its next time; the worker itself carries on."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger("orders.worker")


@dataclass(frozen=True)
class JobRun:
    """What a job gets: the database, the time, and a way to know it should stop early."""

    engine: Engine
    now: datetime
    should_stop: Callable[[], bool]


@dataclass(frozen=True)
class Job:
    """A periodic job: `run` returns a one-line summary when it did something (logged), else None."""

    name: str
    every: timedelta
    run: Callable[[JobRun], str | None]


class Scheduler:
    """Runs each job at start, then `every` after its previous run ended. The clock is monotonic
    (a change of the wall clock neither skips nor repeats runs) and can be given for tests."""

    def __init__(
        self,
        engine: Engine,
        jobs: Iterable[Job],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.engine = engine
        self.jobs = list(jobs)
        self.clock = clock
        self.wall_clock = wall_clock
        self.stop_requested = threading.Event()
        self.next_run = {job.name: clock() for job in self.jobs}

    def run_pending(self) -> float:
        """Run every job that is due, in registration order; returns the seconds until the next."""
        for job in self.jobs:
            if self.stop_requested.is_set():
                break
            if self.clock() >= self.next_run[job.name]:
                self._run(job)
                self.next_run[job.name] = self.clock() + job.every.total_seconds()
        return max(0.0, min(self.next_run.values(), default=self.clock() + 60) - self.clock())

    def _run(self, job: Job) -> None:
        try:
            summary = job.run(JobRun(self.engine, self.wall_clock(), self.stop_requested.is_set))
        except OperationalError as error:
            reason = str(error.orig or error).strip().splitlines()[0]
            log.warning("%s: database unavailable, will retry: %s", job.name, reason)
        except Exception:  # a bug in one job must not stop the others: logged with its traceback
            log.exception("%s: failed, will retry", job.name)
        else:
            if summary:
                log.info("%s: %s", job.name, summary)

    def run_forever(self) -> None:
        """Run the jobs until a stop is requested; sleeps by waiting on the stop event."""
        while not self.stop_requested.is_set():
            self.stop_requested.wait(self.run_pending())

    def stop(self) -> None:
        self.stop_requested.set()


@contextmanager
def stop_on_signals(scheduler: Scheduler) -> Iterator[None]:
    """SIGINT and SIGTERM ask the scheduler to stop; a second one stops at once (KeyboardInterrupt)."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if scheduler.stop_requested.is_set():
            raise KeyboardInterrupt
        log.info("%s received: stopping after the work in hand", signal.Signals(signum).name)
        scheduler.stop()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
