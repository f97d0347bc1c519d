"""HTML email bodies shown isolated from the app's page (issue 13 item 8).

`st.html` puts the markup into the app's own page: a template's `<style>` restyled the whole
app and its `<form>` rendered inside it. `isolated_html` shows it in an iframe instead: the
frame is a `data:` document (an opaque origin, so it can reach nothing of the app) holding one
`<iframe sandbox srcdoc=...>` with an empty sandbox: no script, no form submission, no popup,
no navigation of the app. Styles apply inside the frame only. The app's CSP allows `data:`
frames for this (web/security.py)."""

from __future__ import annotations

import base64
from html import escape

import streamlit as st

FRAME_STYLE = "border:0;width:100%;height:100%;background:#fff"


def isolated_document(html: str) -> str:
    """The `data:` URL of a document that shows `html` in a fully sandboxed frame."""
    outer = (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0;height:100vh">'
        f'<iframe sandbox="" srcdoc="{escape(html, quote=True)}" style="{FRAME_STYLE}"></iframe>'
        "</body></html>"
    )
    return "data:text/html;charset=utf-8;base64," + base64.b64encode(outer.encode("utf-8")).decode("ascii")


def isolated_html(html: str, *, height: int = 480) -> None:
    """Show an HTML body (an email, a template preview) without letting it touch the app."""
    st.iframe(isolated_document(html), height=height)
