"""`make bench-browser` = `python -m bench.browser [--small | --database-url URL] [--users 1,5]
[--rounds N] [--processes N]`: what a user waits for, in Debian's Chromium through Playwright, against a real
`streamlit run server.py` (the production command) on the benchmark database: 1,000,000 orders
on PostgreSQL by default (`make bench` builds it), `--small` the 10,000-order one.

Each simulated user is its own process with its own Chromium, all signed in as one admin and
running the same round at once: sign-in to the grid, a filter change (a quick filter), a search
(an order number, then a last name), the order page opened by its link (a full page load, as
from an email), and each dashboard from the sidebar (cold, then warm). A step ends when the page
shows its outcome and the script run is over (the app's idle marker).
Figures (median and max per step, per number of users) go to bench/results/browser.json, with
the CPU seconds the app processes spent (a figure the machine's other load does not change much)
and those each user's Chromium spent (the client's share of a machine the browsers share here).

`--processes N` (issue 19) starts N app processes and, when Debian's nginx is installed, nginx in
front of them with deploy/nginx-app-processes.conf (new browsers to the least busy process, then pinned by a cookie, as in
production); without nginx each user is pinned to a process round-robin, as a sticky proxy would."""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from bench import datasets

HERE = Path(__file__).resolve().parent
NGINX_CONF = HERE.parent / "deploy" / "nginx-app-processes.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
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


def _user(base_url: str, password: str, number: int, name: str, rounds: int, ready, results, pids: list[int]) -> None:
    """One user's session, in its own process; `ready` (a barrier) releases every user at once,
    once each has its sign-in form filled. Each step also records the app processes' CPU time it
    spanned (`cpu <step>`): the server's own work when one user runs, whatever else loads the
    machine; and the CPU time of this user's own Chromium (`browser cpu <step>`): the client's
    share of the machine, which a real user's browser does not take from the server."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE

    expect.set_options(timeout=300_000)
    timings: dict[str, list[float]] = {}

    def timed(step: str, action: Callable[[], None], outcome: Callable[[], None]) -> None:
        chromium = _descendants(os.getpid())
        started, cpu, client = time.perf_counter(), sum(_cpu_seconds(pids)), sum(_cpu_seconds(chromium))
        action()
        outcome()
        expect(page.locator(IDLE)).to_be_attached()
        timings.setdefault(step, []).append((time.perf_counter() - started) * 1000)
        timings.setdefault(f"cpu {step}", []).append((sum(_cpu_seconds(pids)) - cpu) * 1000)
        timings.setdefault(f"browser cpu {step}", []).append((sum(_cpu_seconds(chromium)) - client) * 1000)

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
        # All this user's Chromium spent, sign-in to last step: the client's share of the machine.
        timings["browser cpu, whole session"] = [sum(_cpu_seconds(_descendants(os.getpid()))) * 1000]
        browser.close()
    results.put(timings)


def _pid_listening_on(port: int) -> int | None:
    """The app process serving `port` (its command line names it)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                words = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--server.port" in words and str(port).encode() in words and any(b"streamlit" in w for w in words):
                return int(entry.name)
    return None


def _cpu_seconds(pids: list[int]) -> list[float]:
    """User + system CPU time of each of these processes so far (0 for one that has ended)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = []
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            seconds.append(0.0)
            continue
        seconds.append((int(fields[11]) + int(fields[12])) / ticks)  # utime, stime
    return seconds


def _descendants(root: int) -> list[int]:
    """The processes started under `root`: this user's Playwright driver and Chromium (browser,
    renderers, GPU process)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def nginx_site(template: str, ports: list[int], listen: int) -> str:
    """deploy/nginx-app-processes.conf for these app ports: each line naming the first process
    (8501) once per port, the lines naming the second (8502) dropped, nginx listening on `listen`."""
    lines = []
    for line in template.splitlines(keepends=True):
        if "8502" in line:
            continue
        lines.extend([line.replace("8501", str(port)) for port in ports] if "8501" in line else [line])
    return re.sub(r"listen 127\.0\.0\.1:\d+;", f"listen 127.0.0.1:{listen};", "".join(lines))


@contextlib.contextmanager
def _nginx(ports: list[int]) -> Iterator[str]:
    """nginx with deploy/nginx-app-processes.conf in front of the app processes on `ports`."""
    from tests.browser.conftest import free_port

    listen = free_port()
    site = nginx_site(NGINX_CONF.read_text(), ports, listen)
    with tempfile.TemporaryDirectory(prefix="orders-nginx-") as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(
            f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nworker_processes 1;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\naccess_log off;\nclient_body_temp_path {prefix};\nproxy_temp_path {prefix};\n"
            f"{site}\n}}\n"
        )
        server = subprocess.Popen([NGINX, "-p", prefix, "-c", str(conf), "-g", "daemon off;"])
        base_url = f"http://127.0.0.1:{listen}"
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if server.poll() is not None:
                        raise RuntimeError((Path(prefix) / "error.log").read_text()) from None
                    time.sleep(0.1)  # nginx starting: not a test, a wait for a port
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=20)


def _new_output(logs: list[Path], offsets: list[int]) -> str:
    """What the app processes wrote to their logs since `offsets`."""
    return "".join(
        log.read_bytes()[offset:].decode("utf-8", "replace") for log, offset in zip(logs, offsets, strict=True)
    )


@contextlib.contextmanager
def _app_processes(database_url: str, processes: int, proxy: bool) -> Iterator[tuple[list[str], list[int], list[Path]]]:
    """(the base URL of each user slot, the app processes' pids, their logs): one process, or N
    behind nginx (one URL), or N URLs given to users round-robin. Every script run is logged."""
    from tests.browser.conftest import start_app_server

    # One cookie secret for every process, as in production: Streamlit's XSRF cookie is signed.
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32), "ORDERS_SLOW_RUN_MS": "0"}
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-browser-")))
        logs = [folder / f"app-{index}.log" for index in range(processes)]
        urls = [stack.enter_context(start_app_server(database_url, env=env, log_path=log)) for log in logs]
        ports = [int(url.rsplit(":", 1)[1]) for url in urls]
        pids = [pid for pid in map(_pid_listening_on, ports) if pid is not None]
        if processes > 1 and proxy:
            urls = [stack.enter_context(_nginx(ports))]
        yield urls, pids, logs


def run(database_url: str, users: list[int], rounds: int, processes: int = 1, proxy: bool = True) -> dict:
    from ui.run_times import logged_runs  # here: the users' spawned processes need no Streamlit

    password = _account(database_url)
    number, name = _sample(database_url)
    figures: dict = {
        "database_url": database_url.split("@")[-1],
        "rounds": rounds,
        "processes": processes,
        "proxy": "nginx" if processes > 1 and proxy else None,
        "users": {},
        "server_cpu_s": {},
    }
    with _app_processes(database_url, processes, proxy) as (urls, pids, logs):
        for count in users:
            offsets = [log.stat().st_size for log in logs]
            context = multiprocessing.get_context("spawn")
            ready, results = context.Barrier(count + 1), context.Queue()
            workers = [
                context.Process(
                    target=_user, args=(urls[index % len(urls)], password, number, name, rounds, ready, results, pids)
                )
                for index in range(count)
            ]
            for worker in workers:
                worker.start()
            ready.wait()  # every Chromium started, signed-in form filled: go
            cpu_before = _cpu_seconds(pids)
            collected: dict[str, list[float]] = {}
            for _ in workers:
                for step, values in results.get(timeout=3600).items():
                    collected.setdefault(step, []).extend(values)
            for worker in workers:
                worker.join()
            cpu = [round(after - before, 1) for before, after in zip(cpu_before, _cpu_seconds(pids), strict=True)]
            figures["server_cpu_s"][str(count)] = cpu  # per app process: the proxy spread the users
            # The server's own share of each wait: its script runs, whatever the browsers do after.
            for what, values in logged_runs(_new_output(logs, offsets)).items():
                collected[f"server run {what}"] = values
            figures["users"][str(count)] = {
                step: {"median_ms": round(statistics.median(v)), "max_ms": round(max(v)), "samples": len(v)}
                for step, v in collected.items()
            }
            print(f"\n{count} user(s) at once, {processes} app process(es): app CPU {' + '.join(map(str, cpu))} s")
            for step, row in figures["users"][str(count)].items():
                print(f"  {step:<32} median {row['median_ms']:>7,} ms   max {row['max_ms']:>7,} ms")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="the 10,000-order PostgreSQL database")
    parser.add_argument("--database-url", help="another database (its orders are not changed)")
    parser.add_argument("--users", default="1,5", help="numbers of users at once, comma-separated (default 1,5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of steps per user (default 3)")
    parser.add_argument("--processes", type=int, default=1, help="app processes (default 1)")
    parser.add_argument(
        "--no-proxy", action="store_true", help="several processes: users round-robin, without nginx in front"
    )
    args = parser.parse_args(argv)
    if args.database_url:
        url = args.database_url
    else:
        dataset = datasets.datasets_for(args.small)["postgresql"]
        datasets.ensure(dataset)
        url = dataset.url
    proxy = not args.no_proxy and Path(NGINX).exists()
    figures = run(url, [int(n) for n in args.users.split(",")], args.rounds, args.processes, proxy)
    figures["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
