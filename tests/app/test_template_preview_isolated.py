"""Issue 13 item 8 on the page: an HTML template's preview is isolated from the app (a sandboxed
frame inside a `data:` document), so its <style> and <form> cannot reach the app's page; a
template that would run too long is refused with the message, and nothing is shown."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import unquote

import pytest

from orders_core.db import unit_of_work
from tests.app.conftest import open_page
from tests.factories import make_event, make_order, make_tariff
from ui.html_preview import isolated_document

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "email_templates.py")
ADMIN = {"email": "admin@example.org", "role": "admin", "name": "Admin"}
HOSTILE = '<style>body{background:red}</style><form action="http://evil.example"><input name="pw"></form>'


@pytest.fixture
def shop(engine, db_url, monkeypatch):
    monkeypatch.setenv("ORDERS_DATABASE_URL", db_url)
    monkeypatch.setenv("ORDERS_LOCALE", "en")
    with unit_of_work(engine) as session:
        event = make_event(session, name="Gala")
        order = make_order(session, event, [(make_tariff(session, event), 1)])
        return order.number


def decoded(src: str) -> str:
    assert src.startswith("data:text/html;charset=utf-8;base64,")
    return base64.b64decode(unquote(src.split(",", 1)[1])).decode("utf-8")


def test_the_isolated_document_holds_the_html_only_as_a_sandboxed_frames_source():
    document = decoded(isolated_document(HOSTILE))
    assert '<iframe sandbox=""' in document
    assert "<style>" not in document and "<form" not in document  # only escaped, inside srcdoc
    assert "&lt;style&gt;body{background:red}&lt;/style&gt;&lt;form action=&quot;http://evil.example&quot;" in document


def test_an_html_preview_is_shown_in_an_isolated_frame_not_in_the_page(shop):
    at = open_page(PAGE, ADMIN)
    at.text_area(key="email_templates.body").set_value(HOSTILE + "<p>{{ order.number }}</p>")
    at.checkbox(key="email_templates.is_html").check()
    at.text_input(key="email_templates.preview_order").set_value(str(shop))
    at.button(key="email_templates.preview").click().run()
    assert not at.exception and not at.error
    assert list(at.get("html")) == []  # nothing of the template is put into the app's page
    [frame] = at.get("iframe")
    document = decoded(frame.proto.src)
    assert '<iframe sandbox=""' in document and f"&lt;p&gt;{shop}&lt;/p&gt;" in document


def test_a_template_that_runs_too_long_is_refused_on_preview(shop, monkeypatch):
    monkeypatch.setenv("ORDERS_TEMPLATE_SECONDS", "0.3")
    at = open_page(PAGE, ADMIN)
    at.text_area(key="email_templates.body").set_value(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    )
    at.button(key="email_templates.preview").click().run()
    assert [e.value for e in at.error] == [
        "The template's body takes too long to render (over 0.3 s): simplify its loops."
    ]
    assert list(at.get("iframe")) == []
