"""The worker's periodic jobs. Adding one is one line here: a name, how often, and a function
taking a `JobRun` (the database, the time, `should_stop`) and returning a one-line summary when
it did something. Every job must be safe when several workers run it at once."""

from __future__ import annotations

from datetime import timedelta

from orders_core.emails.sender import send_emails_job
from orders_core.worker import Job

EMAILS = "emails"

JOBS: tuple[Job, ...] = (Job(EMAILS, every=timedelta(seconds=5), run=send_emails_job),)
