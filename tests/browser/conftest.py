"""Reusable pieces for browser tests: a real `streamlit run server.py` server on a free port against
a database you choose, Debian's Chromium through Playwright, and pages already signed in.

    def test_something(signed_in_page):
        page = signed_in_page("finance", path="orders")   # signed in, on /orders
        ...
        wait_for_app(page)

Fixtures (module scope unless said otherwise, so one server serves a whole test module):
- `app_database`: a migrated SQLite database with demo data and one account per role, created
  with the `orders` command. Override it in a test module to serve other data: return an
  `AppDatabase(url=..., accounts={role: (email, password)})`.
- `app_server`: the server on `app_database`; yields its base URL (`http://127.0.0.1:PORT`).
- `chromium`: the browser (skips when /usr/bin/chromium is missing).
- `browser_page` (function scope): a fresh tab in its own context (own cookies and session).
- `signed_in_page` (function scope): `signed_in_page(role=None, path="")` signs in through the
  form at `/<path>` (as the database's first account when no role is given) and returns the tab
  once the page has run (a deep link survives sign-in).

Waiting: Playwright's auto-waiting `expect(...)` only (patient: 60 s), never sleeps or snapshot
checks; after each action, expect the outcome the user would see.

`start_app_server(database_url)` is the context manager behind `app_server`, for tests that need
a server of their own. A reload or `page.goto` after signing in stays signed in (the session
cookie); each `browser_page` has its own cookies, hence its own session."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROLES = ("admin", "event_manager", "finance", "marketer")
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TIMEOUT_MS = 60_000  # the machine is shared: be patient, never fail on a slow start
expect.set_options(timeout=TIMEOUT_MS)  # every auto-waiting assertion of the browser tests


@dataclass
class AppDatabase:
    url: str
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (email, password)
    facts: dict = field(default_factory=dict)  # what a test module's data set wants its tests to know


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def orders_command(database_url: str, *args: str, stdin: str | None = None) -> str:
    """Run the `orders` command of this virtual env against a database; returns its output."""
    done = subprocess.run(
        [str(BIN / "orders"), "--database-url", database_url, *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"orders {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def create_database(path: Path, *, orders: int = 200, roles=ROLES) -> AppDatabase:
    """Migrate a SQLite database at `path`, load demo orders, add one account per role."""
    url = f"sqlite:///{path}"
    orders_command(url, "db", "upgrade")
    if orders:
        orders_command(url, "demo", "--orders", str(orders), "--seed", "7")
    accounts = {}
    for role in roles:
        email, password = f"{role.replace('_', '.')}@browser.example.org", secrets.token_urlsafe(12)
        orders_command(
            url,
            "users",
            "add",
            email,
            "--role",
            role,
            "--name",
            f"{role.replace('_', ' ').title()} Tester",
            "--password-stdin",
            stdin=password + "\n",
        )
        accounts[role] = (email, password)
    return AppDatabase(url=url, accounts=accounts)


@contextmanager
def start_app_server(
    database_url: str, *, env: dict[str, str] | None = None, log_path: Path | None = None
) -> Iterator[str]:
    """`streamlit run server.py` on a free port against `database_url`; yields the base URL and
    stops the server afterwards. Its output goes to `log_path` (shown when it fails to start)."""
    port = free_port()
    log_path = log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"orders-streamlit-{port}.log"
    environment = {**os.environ, "ORDERS_DATABASE_URL": database_url, "ORDERS_LOCALE": "en", **(env or {})}
    server = subprocess.Popen(
        [
            str(BIN / "streamlit"),
            "run",
            str(ROOT / "server.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    listening = threading.Event()
    copier = threading.Thread(target=_copy_output, args=(server, log_path, listening), daemon=True)
    copier.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        # Streamlit prints its URL once it listens; the copier sets the event then (or at exit).
        if not listening.wait(timeout=120) or server.poll() is not None:
            raise RuntimeError(f"streamlit did not start: {log_path.read_text()[-2000:]}")
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=30) as response:
            assert response.status == 200, log_path.read_text()[-2000:]
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        copier.join(timeout=5)


# Notified each time a test server's output reaches its log: a test waits on it for a line
# (`OUTPUT_COPIED.wait_for(...)`), never by polling the file.
OUTPUT_COPIED = threading.Condition()


def _copy_output(server: subprocess.Popen, log_path: Path, listening: threading.Event) -> None:
    """Copy the server's output to its log; say when it prints the URL it listens on (or exits)."""
    with log_path.open("wb") as log:
        for line in server.stdout:
            with OUTPUT_COPIED:
                log.write(line)
                log.flush()
                OUTPUT_COPIED.notify_all()
            if b"URL:" in line:
                listening.set()
    listening.set()


def wait_for_app(page) -> None:
    """Wait until no script run is going on. After an action, first expect its visible outcome:
    right after a click the idle marker may still be the one of the run before."""
    expect(page.locator(IDLE)).to_be_attached()


def open_pending_list(page) -> dict:
    """Open the Pending invoice orders page from the menu; the bounding box of its grid (a canvas:
    rows are selected by clicking their marker at x + 15, the header's at y + 17)."""
    page.get_by_role("link", name="Pending invoice orders").first.click()
    expect(page.get_by_role("heading", name="Pending invoice orders")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    return grid.bounding_box()


def sign_in(page, email: str, password: str) -> None:
    """Fill the sign-in form of the current tab and wait until the first page has run."""
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    wait_for_app(page)


@pytest.fixture(scope="module")
def app_database(tmp_path_factory) -> AppDatabase:
    return create_database(tmp_path_factory.mktemp("browser_db") / "orders.db")


@pytest.fixture(scope="module")
def app_server(app_database, tmp_path_factory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    with start_app_server(app_database.url, log_path=log_path) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium package; `make test` does as root)")
    from playwright.sync_api import sync_playwright

    # Module scope, not session: Playwright's sync API allows one instance at a time, and other
    # browser test modules may start their own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def signed_in_page(browser_page, app_server, app_database):
    def open_as(role: str | None = None, path: str = ""):
        email, password = app_database.accounts[role] if role else next(iter(app_database.accounts.values()))
        browser_page.goto(f"{app_server}/{path.lstrip('/')}")
        sign_in(browser_page, email, password)
        return browser_page

    return open_as
