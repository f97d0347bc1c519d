"""Whole pages as a render reads them (issue 19): the order page and the overview <= 50 ms for
everything one render reads, at 1M orders on PostgreSQL and 100k on SQLite.

SETUP renders each page for real on the benchmark database - app.py's router, the page file,
Streamlit's AppTest - while `ui.data.recording()` lists every read the run asks for (each
`cached_query` call and each `ui.transactions.read`). `page.*` then replays exactly those reads,
uncached, and times their sum - each cached read once (its repeats within the run are cache
hits), every session read: a read added to the page is measured without touching this file.
`render.*` times the whole script run of the page in AppTest with Streamlit's caches empty (the
imports warm), drawing included.

The run is signed in as an administrator of every event without an account: the router's
session check (`ui.shell.signed_in_user`, one indexed read of the session token) is replaced by
that user, since the shared benchmark databases are read-only here. The picked orders are paid
orders of the busiest event: the newest paid online order, the newest invoice order awaiting
payment, and the newest paid box-office (organiser) order, whose page draws "Add a ticket"."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from orders_core.models import Order
from orders_core.permissions import ADMIN

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
BENCH_USER = {"id": 0, "email": "bench@bench.example.org", "role": ADMIN, "name": "Bench", "event_ids": None}
DATABASES = {"postgresql", "sqlite"}

PICKS = (("online", "online", "paid"), ("invoice", "invoice", "awaiting_payment"), ("box_office", "box_office", "paid"))
# page name -> (page file, URL query); the order numbers are picked by SETUP
PAGES: dict[str, tuple[str, dict[str, str]]] = {}
RECORDED: dict[str, list] = {}


def _pick_orders(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        busiest = conn.execute(
            select(Order.event_id).group_by(Order.event_id).order_by(func.count().desc()).limit(1)
        ).scalar()
        picked = {}
        for name, mode, status in PICKS:
            number = conn.execute(
                select(Order.number)
                .where(
                    Order.event_id == busiest,
                    Order.payment_mode == mode,
                    Order.status == status,
                    Order.deleted_at.is_(None),
                )
                .order_by(Order.id.desc())
                .limit(1)
            ).scalar()
            if number is not None:
                picked[name] = int(number)
    return picked


def distinct(reads: list) -> list:
    """What a render with empty caches runs: each cached read once, every session read."""
    kept: list = []
    for read in reads:
        if read.session or read not in kept:
            kept.append(read)
    return kept


def _served_like_a_running_server() -> None:
    """As tests/app/conftest.py: AppTest would reset Streamlit's pages/-folder mode before every
    run; a running server leaves it for good at its first session."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    if getattr(app_test.PagesManager, "router_only", False):
        return

    class RouterOnlyPagesManager(PagesManager):
        router_only = True

        def __init__(self, *args, **kwargs):
            PagesManager.uses_pages_directory = False
            super().__init__(*args, **kwargs)

    app_test.PagesManager = RouterOnlyPagesManager  # type: ignore[misc]


def _signed_in_as_bench_user() -> None:
    import streamlit as st

    from ui import shell
    from ui.session import USER_KEY

    def bench_user() -> dict:
        st.session_state[USER_KEY] = dict(BENCH_USER)
        return dict(BENCH_USER)

    shell.signed_in_user = bench_user


def render(page: str, query: dict[str, str]) -> tuple[Any, list, float]:
    """Run `page` through app.py with empty caches: (the AppTest, the reads of the page's run,
    its seconds). The first run (the router registering the pages) is not counted."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.data import recording

    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    st.cache_data.clear()
    with recording() as reads:
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page} {query}: {at.exception[0].value}")
    return at, list(reads), seconds


def SETUP(engine: Engine) -> None:
    """Point the app at this database, pick the orders, render each page once and keep its reads."""
    os.environ["ORDERS_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    os.environ.pop("ORDERS_READ_DATABASE_URL", None)
    _served_like_a_running_server()
    _signed_in_as_bench_user()
    picked = _pick_orders(engine)
    PAGES.clear()
    PAGES["overview"] = ("pages/home.py", {})
    for mode, number in picked.items():
        PAGES[f"order_detail.{mode}"] = ("pages/order_detail.py", {"order": str(number)})
    for name, (page, query) in PAGES.items():
        _at, reads, seconds = render(page, query)
        RECORDED[name] = distinct(reads)
        names = ", ".join(read.name.rsplit(".", 1)[-1] for read in RECORDED[name])
        print(
            f"  {name} {query}: {len(reads)} reads ({len(RECORDED[name])} distinct), render {seconds * 1000:.0f} ms:"
            f" {names}",
            file=sys.stderr,
        )


def replay(name: str) -> Callable[[Engine], None]:
    def run(engine: Engine) -> None:
        if name not in RECORDED:  # no such order in this database
            return
        for read in RECORDED[name]:
            read.replay(engine)

    return run


def whole_render(name: str) -> Callable[[Engine], None]:
    def run(engine: Engine) -> None:
        if name in PAGES:
            render(*PAGES[name])

    return run


BENCHMARKS = [
    ("page.overview", replay("overview")),
    ("page.order_detail.online", replay("order_detail.online")),
    ("page.order_detail.invoice", replay("order_detail.invoice")),
    ("page.order_detail.box_office", replay("order_detail.box_office")),
    ("render.overview", whole_render("overview")),
    ("render.order_detail.online", whole_render("order_detail.online")),
    ("render.order_detail.invoice", whole_render("order_detail.invoice")),
    ("render.order_detail.box_office", whole_render("order_detail.box_office")),
]
