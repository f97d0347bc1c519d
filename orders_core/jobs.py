"""The worker's periodic jobs. Adding one is one line here: a name, how often, and a function
taking a `JobRun` (the database, the time, `should_stop`) and returning a one-line summary when
it did something. Every job must be safe when several workers run it at once."""

from __future__ import annotations

from datetime import timedelta

from orders_core.background import run_background_jobs
from orders_core.emails.sender import send_emails_job
from orders_core.expiry import expire_orders_job
from orders_core.reminder_job import queue_reminders_job
from orders_core.services.wizard_drafts import purge_drafts_job
from orders_core.worker import Job

EMAILS = "emails"
EXPIRY = "expiry"
REMINDERS = "reminders"
DRAFTS = "drafts"
BACKGROUND = "background"

JOBS: tuple[Job, ...] = (
    # Reminders first: the ones queued leave with the email job's run right after.
    Job(REMINDERS, every=timedelta(minutes=5), run=queue_reminders_job),
    Job(EMAILS, every=timedelta(seconds=5), run=send_emails_job),
    Job(EXPIRY, every=timedelta(minutes=10), run=expire_orders_job),  # issue 15: off unless an event sets it
    Job(DRAFTS, every=timedelta(hours=1), run=purge_drafts_job),  # issue 18: the wizard's old drafts
    # Issue 19: work a page queued (validating more than 10,000 orders), with its progress.
    Job(BACKGROUND, every=timedelta(seconds=2), run=run_background_jobs),
)
