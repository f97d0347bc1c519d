"""In Chromium: sign in, filter the grid to pending invoice orders, open one, see its tabs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orders_core.db import get_engine, unit_of_work
from orders_core.migrate import upgrade
from orders_core.permissions import SYSTEM_ACTOR
from orders_core.services.users import add_user
from tests import grid_dataset

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
EMAIL, PASSWORD = "finance@example.org", "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    url = f"sqlite:///{tmp_path_factory.mktemp('grid_browser') / 'orders.db'}"
    upgrade(url)
    engine = get_engine(url)
    numbers = grid_dataset.build(engine)
    with unit_of_work(engine) as session:
        add_user(session, actor=SYSTEM_ACTOR, email=EMAIL, role="finance", password=PASSWORD, full_name="Fin")
    engine.dispose()
    port = _free_port()
    env = dict(os.environ, ORDERS_DATABASE_URL=url, ORDERS_LOCALE="en")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(120):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Streamlit server did not start")
        yield base, numbers
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        tab = browser.new_page(viewport={"width": 1500, "height": 1100})
        tab.set_default_timeout(60_000)
        yield tab
        browser.close()


def idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def test_filtering_to_pending_invoice_orders_and_opening_one_shows_its_tabs(server, page):
    base, numbers = server
    page.goto(base)
    idle(page)
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    idle(page)
    page.get_by_role("link", name="Orders", exact=True).first.click()
    idle(page)
    page.locator("[data-testid='stMain']").get_by_text("Pending", exact=True).click()
    idle(page)
    page.get_by_text("Filters", exact=True).click()
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Payment modes").locator("input").click()
    page.get_by_role("option", name="On invoice").click()
    page.keyboard.press("Escape")
    idle(page)
    page.get_by_text("2 orders", exact=True).first.wait_for()
    assert "group=pending" in page.url and "mode=invoice" in page.url

    # Select the first row by its row marker; the grid is a canvas.
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    idle(page)
    link = page.get_by_role("link", name=f"Open order {numbers[3]}")
    link.click()
    idle(page)
    assert page.get_by_role("heading", name=f"Order {numbers[3]}").is_visible()
    tabs = [t.inner_text() for t in page.get_by_role("tab").all()]
    assert tabs == ["Detail", "Order items", "Lines", "UTM", "Payments", "History", "Notes", "Emails"]
    page.get_by_role("tab", name="Order items").click()
    assert page.get_by_text("Future attendee record: created when the order is paid.").first.is_visible()
