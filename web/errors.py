"""The last line of defence: an exception no page caught becomes a translated message with a
reference the user can quote, and the full traceback goes to the server log under that
reference. Never a traceback in the browser. Wired as `st.App(on_script_error=...)` in
server.py; pages still catch `OrderError` themselves and show its own message.

It lives in `web/` with the other pieces server.py wires around the app when the server starts,
outside any script run."""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from orders_core.i18n import _

log = logging.getLogger("orders.app")
if not log.handlers:  # uvicorn configures only its own loggers
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def new_reference() -> str:
    """Short enough to read over the phone, random enough never to repeat in a log."""
    return secrets.token_hex(4).upper()


def show_unexpected_error(error: BaseException) -> bool:
    """Log the exception with a fresh reference and show the translated message instead of the
    default display; returns True (the default display is suppressed)."""
    reference = new_reference()
    log.log(logging.ERROR, "unexpected error, reference %s", reference, exc_info=error)
    try:
        st.error(
            _(
                "Something went wrong. Try again; if it happens again, give this reference to your administrator: {reference}"
            ).format(reference=reference),
            icon=":material/error:",
        )
    except Exception:  # the page is in no state to draw: let Streamlit show its generic message
        log.log(logging.ERROR, "could not show the message of reference %s", reference, exc_info=True)
        return False
    return True
