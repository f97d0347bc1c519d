"""`orders worker` as real processes, against the real SMTP test server, connected as the app's
role on PostgreSQL: `.eml` files without SMTP; several workers send each email exactly once; a
worker killed (SIGKILL) between the server's "250" and its commit loses nothing and resends only
that email, with the same Message-ID; SIGTERM stops after the email in hand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from orders_core.db import unit_of_work
from orders_core.emails.outbox import queue_email
from orders_core.models import OutboxEmail
from tests.factories import make_event, make_order, make_tariff
from tests.smtp_server import RecordingHandler, smtp_server

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 180  # seconds: the machine is shared, a slow run must not fail


def queue_emails(engine, count: int) -> list[str]:
    """Queue `count` payment-details emails; returns their Message-IDs."""
    with unit_of_work(engine) as session:
        event = make_event(session)
        tariff = make_tariff(session, event)
        emails = [
            queue_email(
                session,
                order=make_order(session, event, [(tariff, 1)], buyer_email=f"buyer-{index}@example.org"),
                kind="payment_details",
            )
            for index in range(count)
        ]
        return [email.message_id for email in emails]


def start_worker(db_url: str, log: Path, *, smtp_port: int | None = None, outbox: Path | None = None, lease="5m"):
    env = {**os.environ, "ORDERS_DATABASE_URL": db_url, "ORDERS_EMAIL_LEASE": lease, "PYTHONUNBUFFERED": "1"}
    for name in ("ORDERS_MIGRATION_DATABASE_URL", "ORDERS_SMTP_URL", "ORDERS_OUTBOX_DIR"):
        env.pop(name, None)
    if smtp_port:
        env["ORDERS_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    if outbox:
        env["ORDERS_OUTBOX_DIR"] = str(outbox)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "orders_core.cli", "worker", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until(condition: Callable[[], bool], what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {PATIENCE} s\n" + "\n".join(p.read_text()[-3000:] for p in logs))
        time.sleep(0.1)


def statuses(engine) -> Counter:
    with unit_of_work(engine) as session:
        return Counter(session.scalars(select(OutboxEmail.status)))


def stop(workers: list[subprocess.Popen]) -> list[int]:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    return [worker.wait(timeout=PATIENCE) for worker in workers]


@pytest.fixture
def logs(tmp_path):
    return [tmp_path / f"worker-{index}.log" for index in range(3)]


def test_without_smtp_the_worker_writes_eml_files_and_stops_on_sigterm(engine, db_url, tmp_path, logs):
    message_ids = queue_emails(engine, 3)
    worker = start_worker(db_url, logs[0], outbox=tmp_path / "outbox")
    try:
        wait_until(lambda: statuses(engine) == {"sent": 3}, "3 emails written", logs)
    finally:
        codes = stop([worker])
    assert codes == [0]
    written = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (tmp_path / "outbox").glob("*.eml")]
    assert sorted(m["Message-ID"] for m in written) == sorted(message_ids)
    log = logs[0].read_text()
    assert "worker started" in log and "emails: 3 sent, 0 to retry, 0 failed" in log
    assert "SIGTERM received" in log and log.rstrip().endswith("worker stopped")


def test_two_workers_at_once_send_each_email_exactly_once(engine, db_url, logs):
    with smtp_server() as (handler, port):
        workers = [start_worker(db_url, log, smtp_port=port) for log in logs[:2]]
        try:
            # Both running before there is anything to send, so that they compete for every email
            # (on a busy machine one worker could otherwise send all 60 before the other started).
            wait_until(lambda: all("worker started" in log.read_text() for log in logs[:2]), "both started", logs)
            message_ids = queue_emails(engine, 60)
            wait_until(lambda: statuses(engine) == {"sent": 60}, "60 emails sent", logs)
        finally:
            codes = stop(workers)
    assert codes == [0, 0]
    delivered = Counter(r.message["Message-ID"] for r in handler.received)
    assert sorted(delivered) == sorted(message_ids) and set(delivered.values()) == {1}


@pytest.mark.parametrize("survivor", ["second worker", "new worker"])
def test_a_worker_killed_between_the_servers_250_and_its_commit_loses_nothing_and_resends_only_that_email(
    engine, db_url, logs, survivor
):
    """The worst moment to die: the server has the message, the outbox does not know. That one
    email is sent again once the lease runs out, with the same Message-ID; nothing else twice."""
    message_ids = queue_emails(engine, 30)
    lease = "8s"  # short, so the test does not wait the default 5 minutes
    killed = {}

    def kill_the_sender_of_the_tenth(received):
        if len(handler.received) != 10 or killed:
            return
        email_id = int(received.message["X-Orders-Email-Id"])
        with unit_of_work(engine) as session:
            claimer = session.get(OutboxEmail, email_id).claimed_by
        pid = int(claimer.split(":")[1])
        victim = next(worker for worker in workers if worker.pid == pid)
        victim.kill()  # SIGKILL: no handler, no cleanup
        victim.wait(timeout=PATIENCE)
        killed.update(pid=pid, message_id=received.message["Message-ID"])

    handler = RecordingHandler(on_message=kill_the_sender_of_the_tenth)
    with smtp_server(handler) as (_, port):
        workers = [start_worker(db_url, logs[0], smtp_port=port, lease=lease)]
        if survivor == "second worker":
            workers.append(start_worker(db_url, logs[1], smtp_port=port, lease=lease))
        try:
            wait_until(lambda: bool(killed), "a worker killed at the tenth email", logs)
            if survivor == "new worker":
                workers.append(start_worker(db_url, logs[2], smtp_port=port, lease=lease))
            wait_until(lambda: statuses(engine) == {"sent": 30}, "every email sent", logs)
        finally:
            codes = stop(workers)
    assert sorted(codes) == [-signal.SIGKILL, 0]
    delivered = Counter(r.message["Message-ID"] for r in handler.received)
    assert sorted(delivered) == sorted(message_ids)  # nothing lost
    assert {mid: n for mid, n in delivered.items() if n > 1} == {killed["message_id"]: 2}
    with unit_of_work(engine) as session:
        resent = session.scalars(select(OutboxEmail).where(OutboxEmail.message_id == killed["message_id"])).one()
    assert resent.attempts == 2 and "stopped while sending" in resent.last_error


def test_sigterm_mid_batch_finishes_the_email_in_hand_and_leaves_none_sending(engine, db_url, logs):
    queue_emails(engine, 40)
    stopped = []

    def stop_at_the_fifth(received):
        if len(handler.received) == 5:
            worker.send_signal(signal.SIGTERM)  # while the server holds the fifth email
            stopped.append(True)

    handler = RecordingHandler(on_message=stop_at_the_fifth)
    with smtp_server(handler) as (_, port):
        worker = start_worker(db_url, logs[0], smtp_port=port)
        try:
            code = worker.wait(timeout=PATIENCE)
        finally:
            stop([worker])
    assert stopped and code == 0
    assert statuses(engine) == {"sent": 5, "queued": 35}
    assert len(handler.received) == 5
