"""The sender: delivers the outbox. It claims due emails in a short transaction (PostgreSQL:
`FOR UPDATE SKIP LOCKED`; SQLite: `BEGIN IMMEDIATE`), marks them `sending` with a lease, sends
them outside any transaction, then records the outcome. Several senders can run at once and never
send a message twice; a sender that dies mid-send leaves a `sending` row whose lease expires, and
the next sender picks it up again (with the same Message-ID). A failure is retried with
exponential backoff, then marked `failed` with the error. The order that queued an email is never
touched here, so a send failure cannot undo it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date

from sqlalchemy import Engine, and_, or_, select, update

from orders_core.db import is_sqlite, write_engine
from orders_core.emails.transports import Transport, sender_address
from orders_core.models import OutboxEmail

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)
# How long a claim holds: longer than a batch can take (BATCH x the SMTP timeout).
LEASE = timedelta(minutes=10)
BATCH = 20


@dataclass
class SendReport:
    """What one `send_due` run did."""

    sent: int = 0
    retrying: int = 0  # failed this time, queued again for later
    failed: int = 0  # gave up: status `failed`
    errors: list[tuple[int, str]] = field(default_factory=list)  # (email id, reason)

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


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
    attempts: int


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 1, 2, 4, 8 minutes... capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _domain(address: str) -> str:
    tail = address.rsplit("@", 1)[-1].strip(" >")
    return tail if tail and "@" in address else "localhost"


def claim_due(engine: Engine, *, now: datetime, limit: int, sender: str) -> list[ClaimedEmail]:
    """Take up to `limit` due emails for this sender, in one short transaction."""
    table = OutboxEmail.__table__
    due = (
        select(table)
        .where(
            or_(
                and_(
                    table.c.status == "queued", or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now)
                ),
                # a sender died holding these: its lease has run out
                and_(table.c.status == "sending", table.c.next_attempt_at <= now),
            )
        )
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    with write_engine(engine).begin() as conn:
        if not is_sqlite(conn):  # SQLite: BEGIN IMMEDIATE already holds the write lock
            due = due.with_for_update(skip_locked=True)
        rows = conn.execute(due).mappings().all()
        claimed = []
        for row in rows:
            message_id = row["message_id"] or f"<{row['id']}.{secrets.token_hex(6)}@{_domain(sender)}>"
            conn.execute(
                update(table)
                .where(table.c.id == row["id"])
                .values(status="sending", next_attempt_at=now + LEASE, message_id=message_id)
            )
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
                    message_id=message_id,
                    attempts=row["attempts"],
                )
            )
    return claimed


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


def _record_sent(engine: Engine, email: ClaimedEmail, now: datetime) -> None:
    table = OutboxEmail.__table__
    with write_engine(engine).begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == email.id, table.c.status == "sending")
            .values(status="sent", sent_at=now, attempts=email.attempts + 1, next_attempt_at=None)
        )


def _record_failure(engine: Engine, email: ClaimedEmail, now: datetime, reason: str, max_attempts: int) -> bool:
    """Queue again with backoff, or give up; True when the email is now `failed`."""
    attempts = email.attempts + 1
    gave_up = attempts >= max_attempts
    table = OutboxEmail.__table__
    with write_engine(engine).begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == email.id, table.c.status == "sending")
            .values(
                attempts=attempts,
                last_error=reason[:2000],
                status="failed" if gave_up else "queued",
                next_attempt_at=None if gave_up else now + backoff(attempts),
            )
        )
    return gave_up


def send_due(
    engine: Engine,
    transport: Transport,
    *,
    limit: int = 100,
    now: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    sender: str | None = None,
) -> SendReport:
    """Send up to `limit` emails that are due at `now` (default: the current time)."""
    report = SendReport()
    sender = sender or sender_address()
    fixed_now = now
    while report.claimed < limit:
        moment = _utc(fixed_now)
        batch = claim_due(engine, now=moment, limit=min(BATCH, limit - report.claimed), sender=sender)
        if not batch:
            break
        for email in batch:
            moment = _utc(fixed_now)
            try:
                transport.send(build_message(email, sender=sender, now=moment))
            except Exception as error:  # any failure to hand it over is retried, whatever its kind
                reason = str(error) or type(error).__name__
                report.errors.append((email.id, reason))
                if _record_failure(engine, email, moment, reason, max_attempts):
                    report.failed += 1
                else:
                    report.retrying += 1
            else:
                _record_sent(engine, email, moment)
                report.sent += 1
    return report
