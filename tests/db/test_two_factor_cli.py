"""Issue 17: `orders users reset-2fa EMAIL`, the way back in when no administrator can sign in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, select

from orders_core import audit, totp, two_factor
from orders_core.db import unit_of_work
from orders_core.models import AuditEntry, User
from orders_core.permissions import Actor
from tests.db.test_cli import assert_clean_failure, orders


def test_reset_2fa_turns_off_an_enrolled_account_and_is_audited(tmp_path):
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    assert orders("db", "upgrade", url=url).returncode == 0
    password = "a long enough passphrase for ada\n"
    added = orders("users", "add", "ada@example.org", "--role", "admin", "--password-stdin", url=url, stdin=password)
    assert added.returncode == 0, added.stderr
    engine = create_engine(url)
    with unit_of_work(engine) as session:
        user_id = session.scalar(select(User.id))
        actor = Actor("ada@example.org", "admin", user_id=user_id)
        secret = two_factor.start_enrolment(session, actor=actor).secret
        now = datetime.now(UTC)
        two_factor.confirm_enrolment(session, actor=actor, code=totp.code_at(secret, now), now=now)

    done = orders("users", "reset-2fa", "Ada@example.org", url=url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "two-factor sign-in turned off for ada@example.org"
    with unit_of_work(engine) as session:
        user = session.get(User, user_id)
        assert (user.totp_secret, user.totp_enabled_at) == (None, None)
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == audit.TWO_FACTOR)).all()
        assert [(e.actor, e.subject, e.details, e.source) for e in entries][-1] == (
            "system",
            "ada@example.org",
            {"change": "reset"},
            "command line",
        )
    assert_clean_failure(orders("users", "reset-2fa", "ada@example.org", url=url), 2, "not on")
    engine.dispose()
