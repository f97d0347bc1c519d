"""Send this browser tab to another address of our site with a full page load - what the
sign-in and sign-out steps need to reach the cookie routes (web/session_routes.py), which
`st.switch_page` (a page of the app, same websocket) cannot do.

Streamlit has no public call for it; this sends the message `st.login()` and `st.logout()`
themselves send (`ForwardMsg.auth_redirect`: the frontend sets `window.location.href`). No HTML
and no script of ours run in the page, so the Content-Security-Policy stays strict."""

from __future__ import annotations

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx


def send_browser_to(path: str) -> None:
    """Navigate to `path` (of this site: it must start with a single "/"). The message leaves
    when the run ends; do not `st.rerun()` after it (a rerun drops queued messages)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path of this site: {path!r}")
    context = get_script_run_ctx()
    if context is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = path
    context.enqueue(message)
