"""Issue 13 item 8: admin templates render under time and size limits; each refusal is a clear
message (InvalidInput), never a hung worker or a 200 MB email."""

from __future__ import annotations

import time

import pytest

from orders_core.emails import render as rendering
from orders_core.emails.render import MAX_OUTPUT_CHARS, MAX_SOURCE_CHARS, render
from orders_core.errors import InvalidInput

CONTEXT = {"order": {"number": 1234567}, "lines": [{"name": "Badge"}]}


def refusal(body: str, subject: str = "Order {{ order.number }}", **kwargs) -> str:
    with pytest.raises(InvalidInput) as raised:
        render(subject, body, CONTEXT, **kwargs)
    return raised.value.message


def test_an_ordinary_template_still_renders():
    done = render("Order {{ order.number }}", "{% for l in lines %}{{ l.name }}{% endfor %}", CONTEXT)
    assert (done.subject, done.body_text) == ("Order 1234567", "Badge")


def test_nested_loops_that_print_nothing_stop_at_the_time_limit(monkeypatch):
    monkeypatch.setenv("ORDERS_TEMPLATE_SECONDS", "0.5")
    started = time.monotonic()
    message = refusal("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
    assert time.monotonic() - started < 5
    assert message == "The template's body takes too long to render (over 0.5 s): simplify its loops."


def test_an_html_body_of_hundreds_of_megabytes_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setenv("ORDERS_TEMPLATE_SECONDS", "60")  # the size limit, not the clock, stops it
    loops = "{% for a in range(100000) %}{% for b in range(100000) %}<p>{{ a }}</p>{% endfor %}{% endfor %}"
    assert refusal(loops, is_html=True) == (
        f"The template's body renders too much text (over {MAX_OUTPUT_CHARS} characters)."
    )
    assert "renders too much text" in refusal('{{ "x" * 200000000 }}')
    assert "renders too much text" in refusal('{{ "x"|center(200000000) }}')


def test_huge_numbers_are_refused():
    assert "exponent too large" in refusal("{{ 10 ** 100000000 }}")
    assert render("", "{{ 2 ** 10 }}", CONTEXT).body_text == "1024"


def test_an_over_long_source_is_refused_with_its_size():
    body = "x" * (MAX_SOURCE_CHARS + 1)
    assert (
        refusal(body)
        == f"The template's body is too long: {MAX_SOURCE_CHARS + 1} characters, at most {MAX_SOURCE_CHARS}."
    )
    assert "subject is too long" in refusal("ok", subject="y" * 1001)


def test_the_time_limit_leaves_no_trace_function_behind(monkeypatch):
    import sys

    monkeypatch.setenv("ORDERS_TEMPLATE_SECONDS", "0.2")
    before = sys.gettrace()
    refusal("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
    assert sys.gettrace() is before
    assert rendering.render_seconds() == 0.2
