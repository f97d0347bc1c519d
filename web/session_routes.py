"""The two routes that hold the session cookie, which a Streamlit script cannot set (HttpOnly):

- `GET /session/start?ticket=T&next=/orders?...` exchanges the one-time ticket the sign-in form
  issued for a session and sets the cookie, then sends the browser on to the page it asked for.
  An unknown, used or expired ticket sets nothing: the page shows the sign-in form again.
- `GET /session/end` clears the cookie and goes to the home page. The sign-out button ends the
  sessions server-side before it sends the browser here, so this route changes nothing but the
  cookie (a link from another site can at worst forget the cookie, never end a session).

The cookie is HttpOnly, SameSite=Strict (no other site can make the browser send it; a link from
another site still opens the app signed in, because the page reads the session over its own
websocket, a same-site request - tested in Chromium), Secure when the request came over TLS (directly, or as
told by the proxy's `X-Forwarded-Proto: https`) or when `ORDERS_SECURE_COOKIE=1`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from orders_core import db, sessions

SESSION_START = "/session/start"
SESSION_END = "/session/end"
SAME_SITE = "strict"


def base_path() -> str:
    """Streamlit's `server.baseUrlPath` as a prefix ("" or "/orders")."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def safe_next(target: str | None) -> str:
    """Where to send the browser after the cookie is set: a path of this site, never elsewhere."""
    home = base_path() + "/"
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(character) < 32 for character in target):
        return home
    return target


def _over_tls(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https" or os.environ.get("ORDERS_SECURE_COOKIE", "") == "1"


def _cookie_options(request: Request) -> dict:
    return {"httponly": True, "samesite": SAME_SITE, "secure": _over_tls(request), "path": base_path() or "/"}


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def start_session(request: Request) -> Response:
    """Ticket in, cookie out (sync: Starlette runs it in its thread pool, off the event loop)."""
    response = _no_store(RedirectResponse(safe_next(request.query_params.get("next")), status_code=303))
    now = datetime.now(UTC)
    with db.unit_of_work(db.get_engine(db.database_url())) as session:
        started = sessions.start_session_with_ticket(
            session,
            ticket=request.query_params.get("ticket", ""),
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
            now=now,
        )
    if started is not None:
        max_age = int((started.expires_at - now).total_seconds())
        response.set_cookie(sessions.COOKIE_NAME, started.token, max_age=max_age, **_cookie_options(request))
    return response


def end_session(request: Request) -> Response:
    response = _no_store(RedirectResponse(base_path() + "/", status_code=303))
    response.delete_cookie(sessions.COOKIE_NAME, **_cookie_options(request))
    return response
