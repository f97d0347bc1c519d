"""Issues 15 and 20: the refund and "order expired" emails are template kinds of their own. The
database accepts templates of both kinds (and still refuses an unknown kind); migration 0021
widens the CHECK and its downgrade deletes those templates, then narrows it again, on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from orders_core.migrate import alembic_config, downgrade, upgrade
from orders_core.models import EmailTemplate
from orders_core.status import EmailKind
from tests.factories import NOW

NEW_KINDS = ("refund", "order_expired")


def _row(kind: str, name: str) -> dict:
    return dict(kind=kind, language="en", name=name, subject="S", body="B", is_html=False, updated_at=NOW)


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_revision("0021_email_kinds").down_revision


def test_the_two_kinds_are_email_kinds():
    assert {EmailKind.REFUND.value, EmailKind.ORDER_EXPIRED.value} == set(NEW_KINDS)


def test_the_database_takes_the_new_kinds_and_still_refuses_an_unknown_one(owner_url):
    owner = create_engine(owner_url)
    try:
        with owner.begin() as conn:
            conn.execute(insert(EmailTemplate), [_row(kind, kind) for kind in NEW_KINDS])
        with pytest.raises(IntegrityError), owner.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO email_templates (kind, language, name, subject, body, is_html, updated_at)"
                    " VALUES ('invoice', 'en', 'x', 'S', 'B', :f, :at)"
                ),
                {"f": False, "at": NOW},
            )
        with owner.connect() as conn:
            assert sorted(conn.execute(select(EmailTemplate.kind)).scalars()) == ["order_expired", "refund"]
    finally:
        owner.dispose()


def test_the_migration_round_trip_deletes_the_new_kinds_templates_and_narrows_the_check(owner_url):
    owner = create_engine(owner_url)
    try:
        with owner.begin() as conn:
            conn.execute(
                insert(EmailTemplate),
                [_row("refund", "Refund"), _row("order_expired", "Expired"), _row("tickets", "Tickets")],
            )
    finally:
        owner.dispose()

    assert _previous_revision() == "0020_box_office"
    downgrade(owner_url, "0020_box_office")
    owner = create_engine(owner_url)
    try:
        with owner.connect() as conn:
            assert conn.execute(text("SELECT name FROM email_templates")).scalars().all() == ["Tickets"]
        for kind in NEW_KINDS:  # the narrow constraint is back
            with pytest.raises(IntegrityError), owner.begin() as conn:
                conn.execute(insert(EmailTemplate), [_row(kind, "again")])
    finally:
        owner.dispose()

    upgrade(owner_url, "heads")
    owner = create_engine(owner_url)
    try:
        with owner.begin() as conn:
            conn.execute(insert(EmailTemplate), [_row("order_expired", "Back")])
            names = sorted(conn.execute(text("SELECT name FROM email_templates")).scalars())
        assert names == ["Back", "Tickets"]
    finally:
        owner.dispose()
