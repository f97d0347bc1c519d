"""The `orders` command, run as a real subprocess: every command has --help, and every
refusal or failure ends in a clear one-line message with a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from orders_core.cli import build_parser
from orders_core.models import User
from orders_core.passwords import verify_password

ROOT = Path(__file__).resolve().parents[2]


def orders(
    *args: str,
    url: str | None = None,
    owner_url: str | None = None,
    stdin: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run `orders` with the app's URL (and the owner's, for `db upgrade` and `demo`) from the
    environment, as `make run` does."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    env.pop("ORDERS_DATABASE_URL", None)
    env.pop("ORDERS_MIGRATION_DATABASE_URL", None)
    if url:
        env["ORDERS_DATABASE_URL"] = url
    if owner_url:
        env["ORDERS_MIGRATION_DATABASE_URL"] = owner_url
    return subprocess.run(
        [sys.executable, "-m", "orders_core.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_clean_failure(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    """Non-zero exit, one line on stderr starting with `orders:`, the words in it, no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orders: "), result.stderr
    for word in words:
        assert word in lines[0]


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths.extend(_command_paths(sub, (*prefix, name)))
    return paths


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[str]:
    for name in path:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(subs[0].choices) if subs else []


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def migrated_sqlite(sqlite_url) -> str:
    result = orders("db", "upgrade", url=sqlite_url)
    assert result.returncode == 0, result.stderr
    return sqlite_url


@pytest.mark.parametrize("path", _command_paths(build_parser()), ids=lambda p: " ".join(p) or "orders")
def test_every_command_has_a_help_that_lists_its_commands(path):
    result = orders(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: orders")
    for sub in _subcommands(build_parser(), path):
        assert sub in result.stdout


def test_the_top_help_lists_the_issue_commands():
    result = orders("--help")
    for command in ("db", "demo", "check", "users", "outbox", "worker"):
        assert f"    {command}" in result.stdout


def test_db_upgrade_makes_the_schema_of_a_fresh_sqlite_file(sqlite_url, tmp_path):
    result = orders("db", "upgrade", url=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "is at revision" in result.stdout
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    engine.dispose()
    assert {"orders", "order_lines", "payments", "users", "alembic_version"} <= tables


def test_demo_refuses_a_database_with_data_and_says_to_reset(migrated_sqlite):
    first = orders("demo", "--orders", "50", url=migrated_sqlite)
    assert first.returncode == 0, first.stderr
    assert "loaded 50 demo orders" in first.stdout
    again = orders("demo", "--orders", "50", url=migrated_sqlite)
    assert_clean_failure(again, 2, "--reset")
    reset = orders("demo", "--orders", "20", "--reset", url=migrated_sqlite)
    assert reset.returncode == 0 and "loaded 20 demo orders" in reset.stdout
    if_empty = orders("demo", "--if-empty", url=migrated_sqlite)
    assert if_empty.returncode == 0 and "not loaded" in if_empty.stdout


def test_a_new_install_sees_the_demos_emails_as_eml_files(migrated_sqlite, tmp_path):
    """`make run` without SMTP settings: the demo queues emails, the worker writes them out."""
    assert orders("demo", "--orders", "200", url=migrated_sqlite).returncode == 0
    outbox = tmp_path / "outbox"
    worker = orders(
        "worker", "--once", url=migrated_sqlite, extra_env={"ORDERS_OUTBOX_DIR": str(outbox), "ORDERS_SMTP_URL": ""}
    )
    assert worker.returncode == 0, worker.stderr
    kinds = sorted(
        message_from_bytes(path.read_bytes(), policy=policy.default)["X-Orders-Kind"] for path in outbox.glob("*.eml")
    )
    # The demo's invoice orders past due get one reminder each, but only at a civil hour of their
    # event's timezone (issue 15): how many depends on the time of day this runs.
    reminders = kinds.count("payment_reminder")
    assert (f"reminders: {reminders} reminders queued" in worker.stdout) is (reminders > 0)
    sent = f"emails: {12 + reminders} sent, 0 to retry, 0 failed"
    assert f"files in {outbox}/" in worker.stdout and sent in worker.stdout
    # 5 of the generated orders and the 2 ledger stories paid through the services are confirmed
    assert [k for k in kinds if k != "payment_reminder"] == ["order_confirmation"] * 7 + ["payment_details"] * 5


def test_the_worker_refuses_a_bad_retry_setting_in_one_line(migrated_sqlite):
    bad = orders("worker", "--once", url=migrated_sqlite, extra_env={"ORDERS_EMAIL_RETRY_DELAYS": "1m soon"})
    assert_clean_failure(bad, 2, "'soon' is not a duration")


def test_a_bad_database_url_is_one_clear_line():
    assert_clean_failure(orders("--database-url", "foo://x", "check"), 2, "database URL is not valid")
    assert_clean_failure(orders("check", url="foo://x"), 2, "database URL is not valid")
    assert_clean_failure(orders("db", "upgrade", url="foo://x"), 2, "database URL is not valid")


@pytest.mark.parametrize("args", [("check",), ("db", "upgrade"), ("demo", "--orders", "5")], ids=" ".join)
def test_an_unreachable_postgresql_is_one_clear_line(args):
    result = orders(*args, url="postgresql+psycopg://postgres@127.0.0.1:1/orders")
    assert_clean_failure(result, 2, "cannot use the database")


def test_a_database_without_schema_is_one_clear_line(sqlite_url):
    assert_clean_failure(orders("check", url=sqlite_url), 2)


def test_check_exits_0_on_clean_data_and_1_with_the_broken_order_number(db_url, owner_url):
    assert orders("demo", "--orders", "60", "--seed", "3", url=db_url, owner_url=owner_url).returncode == 0
    clean = orders("check", url=db_url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "invariants hold" in clean.stdout

    engine = create_engine(db_url)
    with engine.begin() as conn:
        number = conn.execute(text("SELECT MIN(number) FROM orders")).scalar_one()
        conn.execute(text("UPDATE orders SET total_ttc = total_ttc + 1 WHERE number = :n"), {"n": number})
    engine.dispose()
    broken = orders("check", url=db_url)
    assert broken.returncode == 1
    assert f"order {number}: " in broken.stdout and "[totals_are_sums_of_lines]" in broken.stdout
    assert re.search(r"\b\d+ violations? found", broken.stderr) and "Traceback" not in broken.stderr
    only = orders("check", "--only", "history_exists", url=db_url)
    assert only.returncode == 0 and "the 1 invariant holds" in only.stdout
    assert_clean_failure(orders("check", "--only", "no_such_rule", url=db_url), 2, "unknown invariant")


def _users(url: str) -> list[User]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(User.email, User.role, User.password_hash).order_by(User.id)).all()
    engine.dispose()
    return rows


def test_users_add_stores_an_argon2id_hash_and_refuses_duplicates_and_short_passwords(migrated_sqlite):
    added = orders(
        "users",
        "add",
        "Ada@Example.org",
        "--role",
        "finance",
        "--password-stdin",
        url=migrated_sqlite,
        stdin="correct horse battery\n",
    )
    assert added.returncode == 0, added.stderr
    [(email, role, password_hash)] = _users(migrated_sqlite)
    assert (email, role) == ("ada@example.org", "finance")
    assert password_hash.startswith("$argon2id$") and "correct horse" not in password_hash
    assert verify_password(password_hash, "correct horse battery")

    duplicate = orders(
        "users",
        "add",
        "ada@example.org",
        "--role",
        "admin",
        "--password-stdin",
        url=migrated_sqlite,
        stdin="another long password\n",
    )
    assert_clean_failure(duplicate, 2, "already exists")
    short = orders(
        "users", "add", "bob@example.org", "--role", "admin", "--password-stdin", url=migrated_sqlite, stdin="short\n"
    )
    assert_clean_failure(short, 2)
    no_stdin = orders("users", "add", "bob@example.org", "--role", "admin", url=migrated_sqlite)
    assert_clean_failure(no_stdin, 2, "--password-stdin")
    assert [u.email for u in _users(migrated_sqlite)] == ["ada@example.org"]


def test_users_bootstrap_prints_a_password_once_and_then_does_nothing(migrated_sqlite):
    first = orders("users", "bootstrap", url=migrated_sqlite)
    assert first.returncode == 0, first.stderr
    password = next(
        line.split(":", 1)[1].strip() for line in first.stdout.splitlines() if line.strip().startswith("password:")
    )
    [(email, role, password_hash)] = _users(migrated_sqlite)
    assert (email, role) == ("admin@demo.example", "admin")
    assert verify_password(password_hash, password) and len(password) >= 12

    second = orders("users", "bootstrap", url=migrated_sqlite)
    assert second.returncode == 0 and second.stdout == ""
    assert len(_users(migrated_sqlite)) == 1
