"""Issue 13 item 10 and the cookie routes, against a real `streamlit run server.py`: every
response carries the Content-Security-Policy, frame and sniffing protection; the app still works
in Chromium under that policy (no violation on the overview, the grid or a Plotly dashboard) and
another site cannot frame it; the ticket route sets the cookie once, only for addresses of this
site, Secure behind TLS; the end route clears it."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from orders_core import db, sessions
from orders_core.models import User, UserSession
from tests.browser.conftest import IDLE, TIMEOUT_MS
from web.security import content_security_policy

pytestmark = pytest.mark.browser


def fetch(base_url: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """One GET, redirects not followed (http.client never follows them); the body is `.body`."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read().decode("utf-8", "replace")
    connection.close()
    return response


def engine_of(app_database):
    return db.get_engine(app_database.url)


def issue_ticket(app_database, role: str) -> str:
    with db.unit_of_work(engine_of(app_database)) as session:
        user_id = session.scalar(select(User.id).where(User.email == app_database.accounts[role][0]))
        return sessions.issue_ticket(session, user_id=user_id)


def session_cookie_header(response) -> str | None:
    return next(
        (value for name, value in response.getheaders() if name.lower() == "set-cookie" and "orders_session=" in value),
        None,
    )


def static_script_path(base_url: str) -> str:
    """The address of Streamlit's main script bundle, as its index.html names it."""
    return "/" + re.search(r'src="\./(static/js/index\.[^"]+\.js)"', fetch(base_url, "/").body).group(1)


def test_every_response_carries_the_security_headers(app_server):
    paths = [
        "/",
        "/orders?status=paid",
        "/_stcore/health",
        "/_stcore/host-config",
        static_script_path(app_server),
        "/session/end",
        "/session/start?ticket=unknown",
        "/orders/_stcore/health",  # a 404
    ]
    for path in paths:
        response = fetch(app_server, path)
        assert response.status in (200, 303, 404), path
        assert response.getheader("Content-Security-Policy") == content_security_policy(), path
        assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
        assert response.getheader("X-Frame-Options") == "DENY", path
        assert response.getheader("X-Content-Type-Options") == "nosniff", path
        assert response.getheader("Referrer-Policy") == "same-origin", path


def test_the_policy_allows_streamlits_inline_script_by_hash_and_nothing_from_elsewhere():
    policy = dict(directive.split(" ", 1) for directive in content_security_policy().split("; "))
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/]{43}='", policy["script-src"])
    assert "unsafe-eval" not in content_security_policy() and "http" not in content_security_policy()
    assert policy["object-src"] == "'none'" and policy["default-src"] == "'self'"


def test_a_ticket_sets_the_session_cookie_once_and_sends_the_browser_where_it_asked(app_server, app_database):
    ticket = issue_ticket(app_database, "finance")
    query = urlencode({"ticket": ticket, "next": "/orders?status=paid&event=2"})
    agent = {"User-Agent": "ticket-test/1.0"}
    first = fetch(app_server, f"/session/start?{query}", agent)
    assert first.status == 303
    assert first.getheader("Location") == "/orders?status=paid&event=2"
    assert first.getheader("Cache-Control") == "no-store"
    cookie = session_cookie_header(first)
    assert cookie is not None
    attributes = [part.strip() for part in cookie.split(";")]
    assert {"HttpOnly", "Path=/", "SameSite=strict", "Max-Age=604800"} <= set(attributes)
    assert "Secure" not in attributes  # plain HTTP, no proxy said TLS
    token = attributes[0].split("=", 1)[1]
    with db.unit_of_work(engine_of(app_database)) as session:
        row = session.scalar(select(UserSession).where(UserSession.token_hash == sessions.hash_secret(token)))
        assert (row.ip, row.user_agent, row.ended_at) == ("127.0.0.1", "ticket-test/1.0", None)

    again = fetch(app_server, f"/session/start?{query}", agent)
    assert again.status == 303 and again.getheader("Location") == "/orders?status=paid&event=2"
    assert session_cookie_header(again) is None  # single use


def test_behind_a_tls_proxy_the_cookie_is_secure(app_server, app_database):
    query = urlencode({"ticket": issue_ticket(app_database, "admin"), "next": "/"})
    response = fetch(app_server, f"/session/start?{query}", {"X-Forwarded-Proto": "https"})
    assert "Secure" in [part.strip() for part in session_cookie_header(response).split(";")]


@pytest.mark.parametrize(
    "target",
    ["//evil.example.org/x", "https://evil.example.org/", "/\\evil.example.org", "javascript:alert(1)", "", "orders"],
)
def test_the_route_never_sends_the_browser_to_another_site(app_server, target):
    response = fetch(app_server, "/session/start?" + urlencode({"ticket": "unknown", "next": target}))
    assert response.status == 303 and response.getheader("Location") == "/"


def test_the_end_route_clears_the_cookie(app_server):
    response = fetch(app_server, "/session/end")
    assert response.status == 303 and response.getheader("Location") == "/"
    cookie = session_cookie_header(response)
    assert cookie.startswith('orders_session=""') and "Max-Age=0" in cookie


def test_the_app_works_under_its_content_security_policy(signed_in_page, app_server):
    page = signed_in_page("admin")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=TIMEOUT_MS)

    page.goto(f"{app_server}/orders")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(IDLE)).to_be_attached(timeout=TIMEOUT_MS)

    page.goto(f"{app_server}/dashboard-sales")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(IDLE)).to_be_attached(timeout=TIMEOUT_MS)
    assert violations == []

    # The listener does see a violation: an image from elsewhere is refused and reported.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "() => { const img = new Image(); img.src = 'http://tracker.example.org/pixel.png'; document.body.append(img); }"
        )


def test_another_site_cannot_frame_the_app(browser_page, app_server):
    browser_page.route(
        "http://evil.example.org/**",
        lambda route: route.fulfill(content_type="text/html", body=f'<iframe src="{app_server}/"></iframe>'),
    )
    # Chromium refuses the framed document and shows its error page in the frame instead.
    with browser_page.expect_event("framenavigated", lambda frame: frame.parent_frame is not None) as framed:
        browser_page.goto("http://evil.example.org/")
    assert framed.value.url == "chrome-error://chromewebdata/"
