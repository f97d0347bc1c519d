"""The sender: delivers the outbox, one email at a time.

Each email is claimed in a short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite:
`BEGIN IMMEDIATE`), which marks it `sending` under this sender's name with a lease; it is sent
outside any transaction, and marked `sent` in its own transaction right after the server said
"250 OK". Several senders can run at once and never take the same email.

The guarantee is at-least-once: a sender killed after the server accepted an email and before
its "sent" commit leaves the row `sending`; once the lease runs out, another sender takes it
over and sends it again with the same Message-ID (chosen when it was queued), so a receiver can
drop the duplicate. Nothing else is sent twice, and nothing is lost.

A failure follows the retry schedule (orders_core/emails/schedule.py: minutes, then hours, for
days), then marks the email `failed`. When the server cannot be reached, the run stops after
that one email: the others keep their attempts and leave at the first run after the server is
back. The order that queued an email is never touched here, so a send failure cannot undo it."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from typing import Any, cast

from sqlalchemy import ColumnElement, Engine, Table, and_, select, update
from sqlalchemy.orm import Session

from orders_core.db import is_sqlite, write_engine
from orders_core.emails.attachments import AttachmentUnavailable, attach, render_attachments
from orders_core.emails.confirmation import KIND, render_deferred
from orders_core.emails.schedule import DEFAULT_SCHEDULE, RetrySchedule, lease_from_env
from orders_core.emails.transports import Transport, TransportError, sender_address, transport_from_env
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.models import OutboxEmail
from orders_core.status import OutboxStatus
from orders_core.worker import JobRun

OUTBOX = cast(Table, OutboxEmail.__table__)
STALLED = "the sender stopped while sending (its lease ran out): sent again"
GAVE_UP_STALLED = "every sender stopped while sending it, for the whole retry window: given up"


@dataclass
class SendReport:
    """What one `send_due` run did."""

    sent: int = 0
    retrying: int = 0  # failed this time, queued again for later
    failed: int = 0  # gave up: status `failed`
    errors: list[tuple[int, str]] = field(default_factory=list)  # (email id, reason)
    server_unavailable: bool = False  # the run stopped early: the server could not be reached

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    def summary(self) -> str:
        text = f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"
        return text + (" (server unavailable: stopped until the next run)" if self.server_unavailable else "")


@dataclass(frozen=True)
class ClaimedEmail:
    id: int
    kind: str
    order_id: int | None
    recipient: str
    recipient_name: str | None
    subject: str
    body_text: str
    body_html: str | None
    message_id: str
    attempts: int  # including this one
    first_failed_at: datetime | None
    attachments: tuple[dict[str, Any], ...] = ()  # issue 21: rendered at send time (emails/attachments.py)
    template_id: int | None = None
    to_render: dict[str, Any] | None = None  # issue 19: queued unrendered (emails/confirmation.py)


def sender_name() -> str:
    """Who holds a claim: host, process id and a random token (a reused pid is another sender)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def claim_due(
    engine: Engine,
    *,
    now: datetime,
    limit: int = 1,
    claimer: str,
    lease: timedelta | None = None,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
) -> list[ClaimedEmail]:
    """Take up to `limit` due emails in one short transaction: queued ones whose time has come,
    and `sending` ones whose sender died (lease over; past the retry window they are failed
    instead, so an email that kills every sender cannot loop forever). Each claim is an attempt."""
    lease = lease if lease is not None else lease_from_env()
    table = OUTBOX
    due = (
        select(table)
        .where(table.c.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING)), table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    with write_engine(engine).begin() as conn:
        if not is_sqlite(conn):  # SQLite: BEGIN IMMEDIATE already holds the write lock
            due = due.with_for_update(skip_locked=True)
        claimed = []
        for row in conn.execute(due).mappings().all():
            first_failed_at = _aware(row["first_failed_at"])
            values: dict[str, Any] = {"status": "sending", "claimed_by": claimer, "attempts": row["attempts"] + 1}
            if row["status"] == "sending":  # its sender died mid-send
                first_failed_at = first_failed_at or now
                values.update(last_error=STALLED, first_failed_at=first_failed_at)
                if now - first_failed_at > schedule.retry_for:
                    values.update(status="failed", claimed_by=None, next_attempt_at=None, last_error=GAVE_UP_STALLED)
                    conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
                    continue
            values["next_attempt_at"] = now + lease
            conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
            claimed.append(
                ClaimedEmail(
                    id=row["id"],
                    kind=row["kind"],
                    order_id=row["order_id"],
                    recipient=row["recipient"],
                    recipient_name=row["recipient_name"],
                    subject=row["subject"],
                    body_text=row["body_text"],
                    body_html=row["body_html"],
                    message_id=row["message_id"],
                    attempts=values["attempts"],
                    first_failed_at=first_failed_at,
                    attachments=tuple(row["attachments"] or ()),
                    template_id=row["template_id"],
                    to_render=row["to_render"],
                )
            )
    return claimed


def render_claimed(engine: Engine, email: ClaimedEmail, claimer: str) -> ClaimedEmail:
    """An email queued unrendered (issue 19), rendered now from the facts frozen when it was
    queued and stored as rendered (a retry sends the same text, the Emails page shows it);
    raises InvalidInput when it cannot be rendered."""
    if email.to_render is None:
        return email
    if email.kind != KIND or email.order_id is None:
        raise InvalidInput(_("An email of kind {kind} cannot be written by the sender.").format(kind=email.kind))
    with Session(write_engine(engine)) as session, session.begin():
        rendered = render_deferred(session, [(email.order_id, email.template_id, email.to_render)])[email.order_id]
        session.execute(
            update(OUTBOX)
            .where(_ours(OUTBOX, email, claimer))
            .values(
                subject=rendered.subject, body_text=rendered.body_text, body_html=rendered.body_html, to_render=None
            )
        )
    return replace(
        email, subject=rendered.subject, body_text=rendered.body_text, body_html=rendered.body_html, to_render=None
    )


def build_message(email: ClaimedEmail, *, sender: str, now: datetime) -> EmailMessage:
    """A standard MIME message: UTF-8 throughout, text and (when there is one) HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = (
        Address(display_name=email.recipient_name, addr_spec=email.recipient)
        if email.recipient_name
        else email.recipient
    )
    message["Subject"] = email.subject
    message["Date"] = rfc2822_date(now)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Orders-Email-Id"] = str(email.id)
    message["X-Orders-Kind"] = email.kind
    message.set_content(email.body_text, charset="utf-8")
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html", charset="utf-8")
    return message


def _ours(table: Table, email: ClaimedEmail, claimer: str) -> ColumnElement[bool]:
    # Only while we still hold it: a sender whose lease ran out must not overwrite the outcome
    # of the sender that took the email over.
    return and_(table.c.id == email.id, table.c.status == "sending", table.c.claimed_by == claimer)


def _record_sent(engine: Engine, email: ClaimedEmail, now: datetime, claimer: str) -> None:
    table = OUTBOX
    with write_engine(engine).begin() as conn:
        conn.execute(
            update(table)
            .where(_ours(table, email, claimer))
            .values(status="sent", sent_at=now, next_attempt_at=None, claimed_by=None)
        )


def _record_failure(
    engine: Engine,
    email: ClaimedEmail,
    now: datetime,
    reason: str,
    schedule: RetrySchedule,
    claimer: str,
    *,
    give_up: bool = False,
) -> bool:
    """Queue again at the schedule's next time, or give up (at once when `give_up`: a retry would
    fail the same way); True when the email is now `failed`."""
    first_failed_at = email.first_failed_at or now
    next_attempt = (
        None if give_up else schedule.next_attempt(failures=email.attempts, first_failed_at=first_failed_at, now=now)
    )
    table = OUTBOX
    with write_engine(engine).begin() as conn:
        conn.execute(
            update(table)
            .where(_ours(table, email, claimer))
            .values(
                last_error=reason[:2000],
                first_failed_at=first_failed_at,
                status="failed" if next_attempt is None else "queued",
                next_attempt_at=next_attempt,
                claimed_by=None,
            )
        )
    return next_attempt is None


def send_due(
    engine: Engine,
    transport: Transport,
    *,
    limit: int = 100,
    now: datetime | None = None,
    schedule: RetrySchedule | None = None,
    lease: timedelta | None = None,
    sender: str | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send up to `limit` emails that are due at `now` (default: the current time), one claim at
    a time; `should_stop` is asked before each claim (a graceful stop never leaves an email
    `sending`). The schedule and lease default to the settings."""
    report = SendReport()
    sender = sender or sender_address()
    claimer = sender_name()
    schedule = schedule or RetrySchedule.from_env()
    lease = lease if lease is not None else lease_from_env()
    while report.claimed < limit and not should_stop():
        batch = claim_due(engine, now=_utc(now), limit=1, claimer=claimer, lease=lease, schedule=schedule)
        if not batch:
            break
        [email] = batch
        moment = _utc(now)
        try:
            # Issue 21: its documents rendered now, outside the claim's transaction (slow).
            email = render_claimed(engine, email, claimer)  # issue 19: its text, when queued without
            files = render_attachments(engine, email.attachments)
            transport.send(attach(build_message(email, sender=sender, now=moment), files))
        except Exception as error:  # any failure to hand it over is retried, whatever its kind
            reason = str(error) or type(error).__name__
            report.errors.append((email.id, reason))
            missing = isinstance(error, AttachmentUnavailable)  # would be missing at every retry too
            if _record_failure(engine, email, _utc(now), reason, schedule, claimer, give_up=missing):
                report.failed += 1
            else:
                report.retrying += 1
            if isinstance(error, TransportError) and error.server_unavailable:
                report.server_unavailable = True
                break
        else:
            _record_sent(engine, email, _utc(now), claimer)
            report.sent += 1
    return report


# Emails one run of the worker's job sends at most; it runs again at once when there are more.
JOB_BATCH = 200


def send_emails_job(run: JobRun) -> str | None:
    """The worker's job: send what is due, through SMTP (`ORDERS_SMTP_URL`) or `.eml` files."""
    transport = transport_from_env()
    total = SendReport()
    while not run.should_stop():
        report = send_due(run.engine, transport, limit=JOB_BATCH, should_stop=run.should_stop)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.errors += report.errors
        total.server_unavailable = report.server_unavailable
        if report.claimed < JOB_BATCH or report.server_unavailable:
            break
    if not total.claimed:
        return None
    errors = "".join(f"; email {email_id}: {reason}" for email_id, reason in total.errors[:5])
    return total.summary() + errors
