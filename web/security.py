"""Security headers on every HTTP response: a Content-Security-Policy that lets Streamlit's
frontend work and nothing else, no framing by another site, no MIME sniffing, no full URLs in
the Referer sent to other sites.

What Streamlit's frontend needs (checked in Chromium by tests/browser/test_http_edge_browser.py,
which fails on any CSP violation): its own scripts plus the one inline script of its index.html
(allowed by hash, read from the installed Streamlit so an upgrade cannot silently break it);
inline styles (emotion writes <style> elements at run time); data: and blob: images and fonts
(icons, charts, downloads); web workers from blob:; the websocket to the same origin; iframes of
the same origin (components) and data:/blob: documents (isolated HTML previews)."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import streamlit
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(index_html: str) -> list[str]:
    """The CSP hash sources ('sha256-...') of the inline scripts of an HTML page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"
        for body in _INLINE_SCRIPT.findall(index_html)
    ]


@cache
def content_security_policy() -> str:
    index_html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *inline_script_hashes(index_html)],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],  # CSP 3: 'self' covers ws:/wss: of the same host
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (streams pass through untouched): sets the headers on every HTTP
    response, replacing any value an inner layer chose."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
