"""Issue 17: `orders users add EMAIL --role ROLE [--event ID]...` and `orders users scope EMAIL
--event ID...|--all-events`, through the command's entry point (orders_core.cli.main)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from orders_core.cli import main
from orders_core.db import unit_of_work
from orders_core.i18n import set_locale
from orders_core.models import AuditEntry, User
from orders_core.services.users import user_scope
from tests.accounts import cheap_password_hashing  # noqa: F401 (fixture)
from tests.factories import make_event

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


@pytest.fixture
def events(engine):
    set_locale("en")
    with unit_of_work(engine) as session:
        montreal, zurich = make_event(session, name="Montréal"), make_event(session, name="Zürich")
        session.flush()
        return {"montreal": montreal.id, "zurich": zurich.id}


def orders(db_url, monkeypatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--database-url", db_url, *args])


def scope_of(engine, email: str):
    with unit_of_work(engine) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        return user_scope(session, user_id)


def test_users_add_with_events_and_without(engine, db_url, events, monkeypatch, capsys):
    password = "correct horse battery\n"
    code = orders(
        db_url,
        monkeypatch,
        "users",
        "add",
        "eve@example.org",
        "--role",
        "event_manager",
        "--event",
        str(events["montreal"]),
        "--event",
        str(events["zurich"]),
        "--password-stdin",
        stdin=password,
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip() == (
        f"user eve@example.org added with role event_manager, events {events['montreal']} (Montréal), "
        f"{events['zurich']} (Zürich)"
    )
    assert scope_of(engine, "eve@example.org") == tuple(sorted(events.values()))

    assert (
        orders(
            db_url,
            monkeypatch,
            "users",
            "add",
            "fin@example.org",
            "--role",
            "finance",
            "--password-stdin",
            stdin=password,
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "user fin@example.org added with role finance, all events"
    assert scope_of(engine, "fin@example.org") is None

    code = orders(
        db_url, monkeypatch, "users", "add", "x@example.org", "--role", "finance", "--event", "424242",
        "--password-stdin", stdin=password,
    )  # fmt: skip
    assert code != 0
    assert "Unknown event id: 424242." in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.scalar(select(User.id).where(User.email == "x@example.org")) is None
        actions = conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.source)).all()
    assert [tuple(a) for a in actions] == [("system", "user_added", "cli"), ("system", "user_added", "cli")]


def test_users_scope_sets_events_or_every_event(engine, db_url, events, monkeypatch, capsys):
    orders(db_url, monkeypatch, "users", "add", "eve@example.org", "--role", "finance", "--password-stdin",
           stdin="correct horse battery\n")  # fmt: skip
    capsys.readouterr()
    assert orders(db_url, monkeypatch, "users", "scope", "EVE@example.org", "--event", str(events["zurich"])) == 0
    assert capsys.readouterr().out.strip() == f"user eve@example.org now sees event {events['zurich']} (Zürich)"
    assert scope_of(engine, "eve@example.org") == (events["zurich"],)

    assert orders(db_url, monkeypatch, "users", "scope", "eve@example.org", "--all-events") == 0
    assert capsys.readouterr().out.strip() == "user eve@example.org now sees all events"
    assert scope_of(engine, "eve@example.org") is None

    assert orders(db_url, monkeypatch, "users", "scope", "nobody@example.org", "--all-events") != 0
    assert "No user with the email nobody@example.org." in capsys.readouterr().err
    with engine.connect() as conn:
        changes = conn.scalars(select(AuditEntry.action).where(AuditEntry.action == "scope_changed")).all()
    assert len(changes) == 2


def test_users_scope_needs_exactly_one_of_event_and_all_events(db_url, events, monkeypatch, capsys):
    for args in ([], ["--event", "1", "--all-events"]):
        with pytest.raises(SystemExit) as exited:
            orders(db_url, monkeypatch, "users", "scope", "eve@example.org", *args)
        assert exited.value.code == 2
        assert "--event" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["users", "scope", "--help"])
    assert exited.value.code == 0
    assert "--all-events" in capsys.readouterr().out
