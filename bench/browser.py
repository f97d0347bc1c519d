"""`make bench-browser` = `python -m bench.browser [--small | --database-url URL] [--users 1,5]
[--rounds N]`: what a user waits for, in Debian's Chromium through Playwright, against a real
`streamlit run server.py` (the production command) on the benchmark database: 1,000,000 orders
on PostgreSQL by default (`make bench` builds it), `--small` the 10,000-order one.

Each simulated user is its own process with its own Chromium, all signed in as one admin and
running the same round at once: sign-in to the grid, a filter change (a quick filter), a search
(an order number, then a last name), the order page opened by its link (a full page load, as
from an email), and each dashboard from the sidebar (cold, then warm). A step ends when the page
shows its outcome and the script run is over (the app's idle marker).
Figures (median and max per step, per number of users) go to bench/results/browser.json."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import datasets

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "browser.json"
EMAIL = "bench.browser@bench.example.org"
DASHBOARDS = ("Sales dashboard", "Finance dashboard", "Marketing dashboard")
SEARCHED = re.compile(r"[?&]q=")


def _account(database_url: str) -> str:
    """A fresh password for the benchmark's admin (added once, reset on every run)."""
    from sqlalchemy import select

    from orders_core import db
    from orders_core.models import User
    from orders_core.passwords import hash_password

    password = secrets.token_urlsafe(16)
    with db.unit_of_work(db.get_engine(database_url)) as session:
        user = session.scalar(select(User).where(User.email == EMAIL))
        if user is None:
            subprocess.run(
                [str(Path(sys.executable).parent / "orders"), "--database-url", database_url, "users", "add", EMAIL]
                + ["--role", "admin", "--name", "Browser benchmark", "--password-stdin"],
                input=password + "\n",
                text=True,
                check=True,
                capture_output=True,
            )
        else:
            user.password_hash = hash_password(password)
    return password


def _sample(database_url: str) -> tuple[int, str]:
    """An order number and a common last name of the database."""
    from sqlalchemy import func, select

    from orders_core import db
    from orders_core.models import Order

    with db.read_only(db.get_engine(database_url)) as session:
        number = session.scalar(select(Order.number).order_by(Order.id.desc()).limit(1))
        name = session.scalar(
            select(Order.buyer_last_name).group_by(Order.buyer_last_name).order_by(func.count().desc()).limit(1)
        )
    return int(number or 0), str(name or "Martin")


def _user(base_url: str, password: str, number: int, name: str, rounds: int, ready, results) -> None:
    """One user's session, in its own process; `ready` (a barrier) releases every user at once,
    once each has its sign-in form filled."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE

    expect.set_options(timeout=300_000)
    timings: dict[str, list[float]] = {}

    def timed(step: str, action: Callable[[], None], outcome: Callable[[], None]) -> None:
        started = time.perf_counter()
        action()
        outcome()
        expect(page.locator(IDLE)).to_be_attached()
        timings.setdefault(step, []).append((time.perf_counter() - started) * 1000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB").new_page()
        page.goto(f"{base_url}/orders")
        page.get_by_role("textbox", name="Email", exact=True).fill(EMAIL)
        page.get_by_role("textbox", name="Password", exact=True).fill(password)
        ready.wait()
        timed(
            "sign-in to grid",
            lambda: page.get_by_role("button", name="Sign in").click(),
            lambda: expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible(),
        )
        search = page.get_by_role("textbox", name="Search", exact=True)
        for _ in range(rounds):
            for group in ("Pending", "Validated"):
                timed(
                    "filter change",
                    lambda group=group: page.get_by_role("radio", name=group, exact=True).click(),
                    lambda group=group: expect(page).to_have_url(re.compile(f"group={group.lower()}")),
                )
            for step, query in (("search: order number", str(number)), ("search: last name", name)):
                search.fill(query)
                timed(step, lambda: search.press("Enter"), lambda: expect(page).to_have_url(SEARCHED))
                search.fill("")
                search.press("Enter")
                expect(page).not_to_have_url(SEARCHED)
                expect(page.locator(IDLE)).to_be_attached()
            timed(
                "order page",
                lambda: page.goto(f"{base_url}/order?order={number}"),
                lambda: expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible(),
            )
            for title in DASHBOARDS:
                for visit in ("cold" if _ == 0 else "warm", "warm"):
                    timed(
                        f"{title} ({visit})",
                        lambda title=title: page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click(),
                        lambda title=title: expect(page.get_by_role("heading", name=title)).to_be_visible(),
                    )
                    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Orders", exact=True).click()
                    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
                    expect(page.locator(IDLE)).to_be_attached()
        browser.close()
    results.put(timings)


def run(database_url: str, users: list[int], rounds: int) -> dict:
    from tests.browser.conftest import start_app_server

    password = _account(database_url)
    number, name = _sample(database_url)
    figures: dict = {"database_url": database_url.split("@")[-1], "rounds": rounds, "users": {}}
    with start_app_server(database_url) as base_url:
        for count in users:
            context = multiprocessing.get_context("spawn")
            ready, results = context.Barrier(count + 1), context.Queue()
            workers = [
                context.Process(target=_user, args=(base_url, password, number, name, rounds, ready, results))
                for _ in range(count)
            ]
            for worker in workers:
                worker.start()
            ready.wait()  # every Chromium started, signed-in form filled: go
            collected: dict[str, list[float]] = {}
            for _ in workers:
                for step, values in results.get(timeout=3600).items():
                    collected.setdefault(step, []).extend(values)
            for worker in workers:
                worker.join()
            figures["users"][str(count)] = {
                step: {"median_ms": round(statistics.median(v)), "max_ms": round(max(v)), "samples": len(v)}
                for step, v in collected.items()
            }
            print(f"\n{count} user(s) at once")
            for step, row in figures["users"][str(count)].items():
                print(f"  {step:<32} median {row['median_ms']:>7,} ms   max {row['max_ms']:>7,} ms")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="the 10,000-order PostgreSQL database")
    parser.add_argument("--database-url", help="another database (its orders are not changed)")
    parser.add_argument("--users", default="1,5", help="numbers of users at once, comma-separated (default 1,5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of steps per user (default 3)")
    args = parser.parse_args(argv)
    if args.database_url:
        url = args.database_url
    else:
        dataset = datasets.datasets_for(args.small)["postgresql"]
        datasets.ensure(dataset)
        url = dataset.url
    figures = run(url, [int(n) for n in args.users.split(",")], args.rounds)
    figures["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
