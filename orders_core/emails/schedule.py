"""When a failed email is tried again: a schedule of days, like a mail server's queue, so an SMTP
outage of minutes or hours loses nothing. The delays grow (1 min, 5 min, 30 min, 2 h, 6 h, 12 h),
then repeat the last one (every 24 h) until the retry window (5 days after the first failure)
is over; the email is then `failed` and an admin can retry it from the Emails page.

Settings (environment): `ORDERS_EMAIL_RETRY_DELAYS` ("1m 5m 30m 2h 6h 12h 24h", the last one
repeats), `ORDERS_EMAIL_RETRY_FOR` ("5d"), and `ORDERS_EMAIL_LEASE` ("5m": how long a sender may
hold an email it is sending before another sender takes it over)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_DELAYS = "1m 5m 30m 2h 6h 12h 24h"
DEFAULT_RETRY_FOR = "5d"
# Longer than one message can take: smtplib's timeout (20 s) applies to each of the ~6 steps
# of a send.
DEFAULT_LEASE = "5m"

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


def parse_duration(text: str) -> timedelta:
    """`90s`, `5m`, `2h`, `5d` (or a sum such as `1h30m`) as a timedelta; ValueError otherwise."""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not cleaned or not parts or _DURATION.sub("", cleaned).strip():
        raise ValueError(f"{text!r} is not a duration such as 90s, 5m, 2h or 5d")
    duration = sum((timedelta(**{_UNITS[unit]: float(number)}) for number, unit in parts), timedelta())
    if duration <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return duration


def describe_duration(duration: timedelta) -> str:
    """`5 min`, `2 h`, `24 h`, `5 d`: days from two days up, the largest whole unit below."""
    seconds = int(duration.total_seconds())
    if seconds >= 2 * 86400 and seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


@dataclass(frozen=True)
class RetrySchedule:
    """Delays after the 1st, 2nd, ... failure (the last repeats), within a window counted from the
    first failure."""

    delays: tuple[timedelta, ...]
    retry_for: timedelta

    def next_attempt(self, *, failures: int, first_failed_at: datetime, now: datetime) -> datetime | None:
        """When to try again after `failures` failed attempts, or None: give up (`failed`)."""
        delay = self.delays[min(max(failures, 1), len(self.delays)) - 1]
        due = now + delay
        return None if due - first_failed_at > self.retry_for else due

    def describe(self) -> str:
        steps = ", ".join(describe_duration(d) for d in self.delays[:-1])
        last = describe_duration(self.delays[-1])
        return f"after {steps}, then every {last}, for {describe_duration(self.retry_for)}"

    @classmethod
    def parse(cls, delays: str = DEFAULT_DELAYS, retry_for: str = DEFAULT_RETRY_FOR) -> RetrySchedule:
        parsed = tuple(parse_duration(part) for part in re.split(r"[\s,]+", delays.strip()) if part)
        if not parsed:
            raise ValueError("ORDERS_EMAIL_RETRY_DELAYS needs at least one delay, e.g. 1m 5m 30m 2h 6h 12h 24h")
        return cls(delays=parsed, retry_for=parse_duration(retry_for))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetrySchedule:
        settings = os.environ if environ is None else environ
        return cls.parse(
            settings.get("ORDERS_EMAIL_RETRY_DELAYS", "").strip() or DEFAULT_DELAYS,
            settings.get("ORDERS_EMAIL_RETRY_FOR", "").strip() or DEFAULT_RETRY_FOR,
        )


DEFAULT_SCHEDULE = RetrySchedule.parse()


def duration_setting(name: str, default: str, environ: Mapping[str, str] | None = None) -> timedelta:
    """A duration setting (`5m`, `2h`...) read from the environment, `default` when unset."""
    settings = os.environ if environ is None else environ
    return parse_duration(settings.get(name, "").strip() or default)


def lease_from_env(environ: Mapping[str, str] | None = None) -> timedelta:
    return duration_setting("ORDERS_EMAIL_LEASE", DEFAULT_LEASE, environ)
