"""deploy/nginx-app-processes.conf, run by Debian's nginx in front of two small HTTP servers that
answer with their own port (standing in for two app processes): a new browser goes to the least
busy process and stays there, a cookie never picks anything but a listed process, and a browser
whose process is gone moves to another one."""

from __future__ import annotations

import http.client
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.browser import NGINX, _nginx

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and shutil.which(NGINX) is None, reason="nginx is installed by `make proxy`"
)


class _App:
    """An HTTP server on its own port; `/hold` keeps its answer back until released, as a
    Streamlit websocket stays open for its session."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.holding = threading.Event()  # a `/hold` request has reached this app
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/hold":
                    app.holding.set()
                    app.release.wait(timeout=30)
                body = str(app.port).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def apps() -> Iterator[list[_App]]:
    running = [_App(), _App()]
    yield running
    for app in running:
        app.release.set()
        if app.thread.is_alive():
            app.stop()


@pytest.fixture
def proxy(apps: list[_App]) -> Iterator[tuple[str, int]]:
    with _nginx([app.port for app in apps]) as base_url:
        host, port = base_url.removeprefix("http://").split(":")
        yield host, int(port)


def _get(proxy: tuple[str, int], path: str = "/", route: str | None = None) -> tuple[int, str]:
    """(the port of the app that answered, the route cookie the proxy set)."""
    connection = http.client.HTTPConnection(*proxy, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": f"orders_route={route}"} if route is not None else {})
        response = connection.getresponse()
        cookie = response.getheader("Set-Cookie") or ""
        return int(response.read()), cookie.split(";")[0].removeprefix("orders_route=")
    finally:
        connection.close()


def test_a_browser_is_pinned_to_the_process_that_answered_its_first_request(proxy):
    port, route = _get(proxy)
    assert route == f"p{port}"
    assert {_get(proxy, route=route) for _ in range(6)} == {(port, route)}


def test_a_new_browser_goes_to_the_process_with_fewer_open_sessions(proxy, apps):
    """Each new browser holds a connection open (its websocket): four new browsers, two per process."""
    holders = []
    answered: list[int] = []
    try:
        for _ in range(4):
            port, route = _get(proxy)
            answered.append(port)
            holder = threading.Thread(target=_get, args=(proxy, "/hold", route), daemon=True)
            holder.start()
            holders.append(holder)
            assert next(app for app in apps if app.port == port).holding.wait(timeout=30)
        assert sorted(answered) == sorted(app.port for app in apps for _twice in range(2))
    finally:
        for app in apps:
            app.release.set()
        for holder in holders:
            holder.join(timeout=30)


def test_a_cookie_naming_anything_but_a_listed_process_counts_as_none(proxy, apps):
    ports = {app.port for app in apps}
    for forged in ("127.0.0.1:22", "orders_app", "p1", "evil.example:80", ""):
        port, route = _get(proxy, route=forged)
        assert port in ports and route == f"p{port}", forged


def test_a_browser_whose_process_is_gone_moves_to_another_and_its_cookie_follows(proxy, apps):
    gone, other = apps
    gone.stop()
    assert _get(proxy, route=f"p{gone.port}") == (other.port, f"p{other.port}")
