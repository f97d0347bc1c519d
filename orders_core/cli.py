"""The `orders` command: set up, fill, check and administer an orders database.

Every error ends with a one-line message and a non-zero exit code, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from orders_core import db
from orders_core.permissions import ADMIN, ROLES

if TYPE_CHECKING:  # imported lazily at run time: each command loads only what it uses
    from sqlalchemy.orm import Session

    from orders_core.emails.sender import SendReport
    from orders_core.emails.transports import Transport

EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


class CommandError(Exception):
    """A refusal the command reports in one line."""


def _app_url(args: argparse.Namespace) -> str:
    return args.database_url or db.database_url()


def _owner_url(args: argparse.Namespace) -> str:
    """The owner's URL: --migration-database-url, else --database-url when given (a URL on the
    command line never mixes with one from the environment), else the configured one."""
    return args.migration_database_url or args.database_url or db.migration_database_url()


def _engine(args: argparse.Namespace) -> Engine:
    return db.get_engine(_app_url(args))


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from orders_core.migrate import upgrade_and_grant
    from orders_core.privileges import APPEND_ONLY_TABLES, PrivilegeError

    owner_url, app_url = _owner_url(args), _app_url(args)
    db.get_engine(owner_url)  # validates the URLs before Alembic does
    db.get_engine(app_url)
    try:
        role = upgrade_and_grant(owner_url, app_url, args.revision)
    except PrivilegeError as error:
        raise CommandError(str(error)) from None
    print(f"database at {_safe_url(owner_url)} is at revision {args.revision}")
    if role is not None:
        print(
            f'the app connects as "{role.name}": it owns no table, reads and writes the others, '
            f"only appends to {', '.join(APPEND_ONLY_TABLES)}"
        )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from orders_core.demo import DemoRefused, database_is_empty, load_demo

    # As the owner: the loader resets sequences and, with --reset, empties the append-only tables.
    engine = db.get_engine(_owner_url(args))
    if args.if_empty:
        with engine.connect() as conn:
            if not database_is_empty(conn):
                print("database already holds data: demo not loaded")
                return 0
    started = time.perf_counter()
    last_print = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - last_print[0] > 2:
            last_print[0] = now
            rate = done / max(now - started, 1e-9)
            print(f"  {done:>9,} / {total:,} orders  ({rate:,.0f} orders/s)", flush=True)

    try:
        counts = load_demo(engine, orders=args.orders, seed=args.seed, reset_first=args.reset, progress=progress)
    except DemoRefused as refused:
        raise CommandError(str(refused)) from None
    elapsed = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"loaded {counts.get('orders', 0):,} demo orders ({rows:,} rows) in {elapsed:.1f} s, seed {args.seed}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from orders_core.checks import INVARIANTS, check_database

    unknown = set(args.only or ()) - set(INVARIANTS)
    if unknown:
        noun = "invariant" if len(unknown) == 1 else "invariants"
        raise CommandError(f"unknown {noun}: {', '.join(sorted(unknown))}; known: {', '.join(INVARIANTS)}")
    with _engine(args).connect() as conn:
        violations = check_database(conn, args.only)
    for violation in violations[: args.limit] if args.limit else violations:
        print(violation)
    if violations:
        print(f"{len(violations)} {'violation' if len(violations) == 1 else 'violations'} found", file=sys.stderr)
        return EXIT_VIOLATIONS
    checked = len(args.only or INVARIANTS)
    print("the 1 invariant holds" if checked == 1 else f"all {checked} invariants hold")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from orders_core.permissions import SYSTEM_ACTOR
    from orders_core.services.users import add_user

    if not args.password_stdin:
        raise CommandError("give the password on standard input with --password-stdin (never as an argument)")
    password = sys.stdin.readline().rstrip("\r\n")
    with db.unit_of_work(_engine(args)) as session:
        user = add_user(
            session,
            actor=SYSTEM_ACTOR,
            email=args.email,
            role=args.role,
            password=password,
            full_name=args.name,
            event_ids=args.event or None,
        )
        events = _events_text(session, None if user.all_events else args.event)
    print(f"user {user.email} added with role {user.role}, {events}")
    return 0


def _events_text(session: Session, event_ids: list[int] | None) -> str:
    """ "all events", or "events 3 (Montréal festival), 4 (...)" for a command's summary line."""
    from sqlalchemy import select

    from orders_core.models import Event

    if event_ids is None:
        return "all events"
    names = {row.id: row.name for row in session.execute(select(Event.id, Event.name).where(Event.id.in_(event_ids)))}
    shown = ", ".join(f"{event_id} ({names.get(event_id, '?')})" for event_id in sorted(set(event_ids)))
    return f"event{'s' if len(set(event_ids)) > 1 else ''} {shown}"


def cmd_users_scope(args: argparse.Namespace) -> int:
    from orders_core.permissions import SYSTEM_ACTOR
    from orders_core.services.users import find_user, set_event_scope

    event_ids = None if args.all_events else args.event
    with db.unit_of_work(_engine(args)) as session:
        user = find_user(session, actor=SYSTEM_ACTOR, email=args.email)
        set_event_scope(session, actor=SYSTEM_ACTOR, user_id=user.id, event_ids=event_ids)
        events = _events_text(session, event_ids)
    print(f"user {user.email} now sees {events}")
    return 0


def cmd_users_bootstrap(args: argparse.Namespace) -> int:
    from orders_core.auth import has_users
    from orders_core.passwords import generate_password
    from orders_core.permissions import SYSTEM_ACTOR
    from orders_core.services.users import add_user

    with db.unit_of_work(_engine(args)) as session:
        if has_users(session):
            return 0
        password = generate_password()
        add_user(session, actor=SYSTEM_ACTOR, email=args.email, role=ADMIN, password=password, full_name="Demo admin")
    bar = "=" * 64
    print(
        f"{bar}\nNo user existed: a demo admin was created. Sign in with\n"
        f"  email:    {args.email}\n  password: {password}\n"
        f"This password is shown once; add your own users with `orders users add`.\n{bar}"
    )
    return 0


def cmd_users_reset_two_factor(args: argparse.Namespace) -> int:
    """The last resort when no administrator can sign in (lost phone, no recovery code left)."""
    from orders_core.permissions import SYSTEM_ACTOR
    from orders_core.two_factor import reset

    with db.unit_of_work(_engine(args)) as session:
        reset(session, actor=SYSTEM_ACTOR, email=args.email, source="command line")
    print(f"two-factor sign-in turned off for {args.email.strip().lower()}")
    return 0


def cmd_outbox_send(args: argparse.Namespace) -> int:
    """Deliver due emails once, or keep polling with --watch (Ctrl-C stops between runs)."""
    from orders_core.emails.schedule import RetrySchedule, lease_from_env
    from orders_core.emails.sender import send_due
    from orders_core.emails.transports import transport_from_env

    try:
        transport = transport_from_env()
        RetrySchedule.from_env(), lease_from_env()  # a bad setting is one line here, not one per email
    except ValueError as error:
        raise CommandError(str(error)) from None
    engine = _engine(args)
    print(f"sending through {transport.describe()}", flush=True)
    try:
        return _send_loop(engine, transport, args, send_due)
    except KeyboardInterrupt:  # an email being sent is picked up again once its lease runs out
        print("stopped", flush=True)
        return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the periodic jobs (the email sender first) until SIGINT/SIGTERM."""
    import logging
    from dataclasses import replace
    from datetime import timedelta

    from orders_core.emails.schedule import RetrySchedule, lease_from_env
    from orders_core.emails.transports import transport_from_env
    from orders_core.jobs import EMAILS, JOBS
    from orders_core.worker import Scheduler, stop_on_signals

    try:  # settings are checked once, at start, so a typo is one line and not a log of failures
        transport, schedule, lease = transport_from_env(), RetrySchedule.from_env(), lease_from_env()
    except ValueError as error:
        raise CommandError(str(error)) from None
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S", stream=sys.stdout
    )
    jobs = [replace(job, every=timedelta(seconds=args.interval)) if job.name == EMAILS else job for job in JOBS]
    scheduler = Scheduler(_engine(args), jobs)
    started = (
        f"worker started (pid {os.getpid()}): "
        + ", ".join(f"{job.name} every {job.every.total_seconds():g} s" for job in jobs)
        + f"; emails through {transport.describe()}, retried {schedule.describe()}, "
        f"lease {lease.total_seconds():g} s. Ctrl-C or SIGTERM stops it."
    )
    if args.once:
        print(started, flush=True)
        scheduler.run_pending()
        return 0
    with stop_on_signals(scheduler):
        print(started, flush=True)  # after the handlers: from now on a SIGTERM stops it cleanly
        try:
            scheduler.run_forever()
        except KeyboardInterrupt:  # a second signal: the email in hand is sent again after its lease
            print("worker stopped at once", flush=True)
            return 0
    print("worker stopped", flush=True)
    return 0


def _send_loop(
    engine: Engine,
    transport: Transport,
    args: argparse.Namespace,
    send_due: Callable[..., SendReport],
) -> int:
    while True:
        try:
            report = send_due(engine, transport, limit=args.limit)
        except OperationalError as error:
            if not args.watch:
                raise
            print(f"database unavailable, retrying: {str(error.orig or error).strip().splitlines()[0]}", flush=True)
        else:
            for email_id, reason in report.errors:
                print(f"  email {email_id}: {reason}", flush=True)
            if report.claimed or not args.watch:
                print(report.summary(), flush=True)
        if not args.watch:
            return 0
        time.sleep(args.interval)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orders",
        description="Set up, fill, check and administer the orders back-office database.",
        epilog="The database comes from ORDERS_DATABASE_URL (default sqlite:///data/orders.db); `db upgrade` and "
        "`demo` connect as the owner, ORDERS_MIGRATION_DATABASE_URL (default: the same URL).",
    )
    parser.add_argument("--database-url", help="the app's database URL; overrides ORDERS_DATABASE_URL")
    parser.add_argument(
        "--migration-database-url",
        help="the owner's URL for db upgrade and demo; overrides ORDERS_MIGRATION_DATABASE_URL "
        "(default: --database-url when given)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db_parser = commands.add_parser("db", help="database schema commands", description="Database schema commands.")
    db_commands = db_parser.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    upgrade = db_commands.add_parser(
        "upgrade",
        help="apply the Alembic migrations",
        description="Apply the Alembic migrations (the only way a schema is made) as the owner "
        "(ORDERS_MIGRATION_DATABASE_URL). On PostgreSQL, when ORDERS_DATABASE_URL names another user, that "
        "user is the app's role: created if missing (when the owner may create roles) and granted only what the "
        "app needs: no table of its own, no UPDATE, DELETE or TRUNCATE on the history, catalogue log and payments.",
    )
    upgrade.add_argument("revision", nargs="?", default="heads", help="target revision (default: heads, the latest)")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    demo = commands.add_parser(
        "demo",
        help="load reproducible demo data",
        description="Load reproducible demo data: four events in four currencies and "
        "N orders consistent with every rule. Refuses a database that "
        "already holds data unless --reset is given.",
    )
    demo.add_argument("--orders", type=_non_negative, default=3000, help="number of orders (default 3000)")
    demo.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same data")
    demo.add_argument("--reset", action="store_true", help="empty the demo tables first (users are kept)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when the database already holds data")
    demo.set_defaults(handler=cmd_demo)

    check = commands.add_parser(
        "check",
        help="verify the invariants of the orders",
        description="Verify the invariants of domain.md; prints each violation with "
        "its order number and exits 1 when there is one.",
    )
    check.add_argument("--only", nargs="+", metavar="INVARIANT", help="check only these invariants")
    check.add_argument("--limit", type=int, default=0, help="print at most this many violations")
    check.set_defaults(handler=cmd_check)

    users = commands.add_parser("users", help="manage back-office users", description="Manage back-office users.")
    user_commands = users.add_subparsers(dest="users_command", metavar="COMMAND", required=True)
    add = user_commands.add_parser(
        "add", help="add a user", description="Add a user; the password is read from standard input."
    )
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--name", default="", help="full name shown in the app")
    add.add_argument(
        "--event",
        type=int,
        action="append",
        metavar="ID",
        help="an event the user sees and acts on (repeat for several); without --event: all events",
    )
    add.set_defaults(handler=cmd_users_add)
    scope = user_commands.add_parser(
        "scope",
        help="set the events a user sees",
        description="Set the events a user sees and acts on: a list of events (--event ID, repeated) or all "
        "events (--all-events). Open sessions of the user follow at their next action.",
    )
    scope.add_argument("email")
    which = scope.add_mutually_exclusive_group(required=True)
    which.add_argument("--event", type=int, action="append", metavar="ID", help="an event id (repeat for several)")
    which.add_argument("--all-events", action="store_true", help="every event, present and future")
    scope.set_defaults(handler=cmd_users_scope)
    bootstrap = user_commands.add_parser(
        "bootstrap",
        help="create a demo admin when there is no user",
        description="When the database has no user, create an admin with a freshly generated password "
        "and print it once.",
    )
    bootstrap.add_argument("--email", default="admin@demo.example")
    bootstrap.set_defaults(handler=cmd_users_bootstrap)
    reset_two_factor = user_commands.add_parser(
        "reset-2fa",
        help="turn off a user's two-factor sign-in",
        description="Turn off a user's two-factor sign-in (a lost phone and no recovery code left); "
        "a role the obligation applies to sets it up again at its next sign-in. Audited.",
    )
    reset_two_factor.add_argument("email")
    reset_two_factor.set_defaults(handler=cmd_users_reset_two_factor)
    outbox = commands.add_parser("outbox", help="deliver the queued emails", description="The email outbox.")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", metavar="COMMAND", required=True)
    send = outbox_commands.add_parser(
        "send",
        help="send the emails that are due",
        description="Send the queued emails that are due, then exit (or keep polling with --watch). Uses "
        "ORDERS_SMTP_URL (smtp://user:password@host:port, smtp+starttls://... for STARTTLS, "
        "smtps://... for TLS); without it, writes each message as an .eml file under data/outbox/ "
        "(ORDERS_OUTBOX_DIR). The sender address is ORDERS_SMTP_FROM (default orders@localhost). "
        "Failures are retried on a schedule of days (see `orders worker --help`), then marked failed. "
        "Several senders may run at once. `orders worker` runs this and the other periodic jobs.",
    )
    send.add_argument("--watch", action="store_true", help="keep polling until interrupted")
    send.add_argument(
        "--interval", type=float, default=10.0, metavar="S", help="seconds between polls with --watch (default 10)"
    )
    send.add_argument(
        "--limit", type=_positive, default=100, metavar="N", help="send at most N emails per run (default 100)"
    )
    send.set_defaults(handler=cmd_outbox_send)

    worker = commands.add_parser(
        "worker",
        help="run the email sender and the periodic jobs until stopped",
        description="Run the periodic jobs in one long-running process until SIGINT (Ctrl-C) or SIGTERM: "
        "the email sender (SMTP from ORDERS_SMTP_URL, else .eml files under data/outbox/, ORDERS_OUTBOX_DIR) "
        "and every job registered in orders_core/jobs.py. A stop lets the email in hand finish. Several "
        "workers may run at once: each email is claimed by one of them. Failed emails are retried on "
        "ORDERS_EMAIL_RETRY_DELAYS (default 1m 5m 30m 2h 6h 12h 24h, the last repeating) for "
        "ORDERS_EMAIL_RETRY_FOR (default 5d), then marked failed.",
    )
    worker.add_argument(
        "--interval", type=_positive_float, default=5.0, metavar="S", help="seconds between outbox polls (default 5)"
    )
    worker.add_argument("--once", action="store_true", help="run every job once, then exit (for cron)")
    worker.set_defaults(handler=cmd_worker)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return number


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CommandError as error:
        print(f"orders: {error}", file=sys.stderr)
    except (ArgumentError, NoSuchModuleError) as error:
        print(
            f"orders: the database URL is not valid ({error}). Example: "
            "postgresql+psycopg://user@127.0.0.1:5432/orders or sqlite:///data/orders.db",
            file=sys.stderr,
        )
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(f"orders: cannot use the database: {reason}", file=sys.stderr)
    except SQLAlchemyError as error:
        print(f"orders: database error: {str(error).splitlines()[0]}", file=sys.stderr)
    except Exception as error:  # a user-facing refusal from a service, or a bug: one line either way
        from orders_core.errors import OrderError

        if isinstance(error, OrderError):
            print(f"orders: {error.message}", file=sys.stderr)
        else:
            print(f"orders: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
