"""Rendering templates in a sandbox. Buyer-supplied values are data, never template code: a
name like `{{ 7*7 }}` or `<script>` is printed as typed (and escaped in HTML bodies).

Templates are written by administrators, but one slip (or one stolen admin session) must not
hog the server (issue 13 item 8), so every render runs under limits, each refused with a clear
message and nothing queued:
- the source: `MAX_SOURCE_CHARS` for a body, `MAX_SUBJECT_CHARS` for a subject;
- the output: rendering is consumed piece by piece and stops past `MAX_OUTPUT_CHARS`;
- the time: `render_seconds()` (`ORDERS_TEMPLATE_SECONDS`, default 2). A trace function, set
  for the rendering thread only and only for the template's own compiled code, checks the clock
  on every line the template runs, so even loops that print nothing stop in time;
- sizes built without printing: `*` and `**` are intercepted (`"x" * 10**9`, `9**9**9`), and a
  call with an integer argument above the output limit is refused (`"x"|center(10**9)`).
Jinja's sandbox already caps `range()` at 100,000 items and refuses unsafe attributes."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.settings import number_setting

# What sys.settrace takes: called per frame event, returns the local tracer (or None).
TraceFunction = Callable[[FrameType, str, Any], Any]

MAX_SOURCE_CHARS = 100_000
MAX_SUBJECT_CHARS = 1_000
MAX_OUTPUT_CHARS = 1_000_000  # an email body; a real one is a few kilobytes
MAX_EXPONENT = 64
DEFAULT_SECONDS = 2.0
_TEMPLATE_CODE = "<template>"  # the file name Jinja compiles `from_string` templates under


def render_seconds() -> float:
    """`ORDERS_TEMPLATE_SECONDS` (default 2): how long one part of a template may render."""
    return number_setting("ORDERS_TEMPLATE_SECONDS", DEFAULT_SECONDS)


class _TooSlow(Exception):
    """Raised inside the template's code when its time is up."""


class _TooLarge(Exception):
    """The rendered text passed MAX_OUTPUT_CHARS."""


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


class _LimitedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus refusals of values that would exhaust memory without printing."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError("exponent too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if _sized(sequence) and isinstance(count, int) and count * _sized(sequence) > MAX_OUTPUT_CHARS:
                    raise _TooLarge
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT_CHARS:
                raise _TooLarge
        return super().call(__context, __obj, *args, **kwargs)


_text_env = _LimitedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
_html_env = _LimitedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str | None


def render(subject: str, body: str, context: dict[str, Any], *, is_html: bool = False) -> Rendered:
    """Render subject and body; a template that does not render raises InvalidInput with the reason
    (which part, the line for a syntax error, and Jinja's own explanation)."""
    rendered_subject = (
        _render_part(_text_env, subject, context, _("subject"), MAX_SUBJECT_CHARS).strip().replace("\r", " ")
    )
    rendered_subject = " ".join(rendered_subject.split("\n"))
    if is_html:
        html = _render_part(_html_env, body, context, _("body"))
        return Rendered(rendered_subject, html_to_text(html), html)
    return Rendered(rendered_subject, _render_part(_text_env, body, context, _("body")), None)


def _limited(env: ImmutableSandboxedEnvironment, source: str, context: dict[str, Any]) -> str:
    """Render under the time and output limits (see the module's docstring)."""
    template = env.from_string(source)
    deadline = time.monotonic() + render_seconds()

    def line_check(frame: FrameType, event: str, arg: Any) -> TraceFunction:
        if time.monotonic() > deadline:
            raise _TooSlow
        return line_check

    def only_templates(frame: FrameType, event: str, arg: Any) -> TraceFunction | None:
        return line_check if frame.f_code.co_filename == _TEMPLATE_CODE else None

    pieces: list[str] = []
    size = 0
    previous = sys.gettrace()
    sys.settrace(only_templates)
    try:
        for piece in template.generate(context):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise _TooLarge
            pieces.append(piece)
    finally:
        sys.settrace(previous)
    return "".join(pieces)


def _render_part(
    env: ImmutableSandboxedEnvironment, source: str, context: dict[str, Any], part: str, limit: int = MAX_SOURCE_CHARS
) -> str:
    if len(source) > limit:
        raise InvalidInput(
            _("The template's {part} is too long: {size} characters, at most {limit}.").format(
                part=part, size=len(source), limit=limit
            )
        )
    try:
        return _limited(env, source, context)
    except _TooSlow:
        raise InvalidInput(
            _("The template's {part} takes too long to render (over {seconds} s): simplify its loops.").format(
                part=part, seconds=f"{render_seconds():g}"
            )
        ) from None
    except _TooLarge:
        raise InvalidInput(
            _("The template's {part} renders too much text (over {limit} characters).").format(
                part=part, limit=MAX_OUTPUT_CHARS
            )
        ) from None
    except TemplateSyntaxError as error:
        reason = _("{part}, line {line}: {error}").format(part=part, line=error.lineno, error=error.message)
    except TemplateError as error:
        reason = _("{part}: {error}").format(part=part, error=str(error))
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        # e.g. `{{ order.number + "x" }}` or a filter given a wrong value
        reason = _("{part}: {error}").format(part=part, error=str(error))
    raise InvalidInput(_("The template does not render: {reason}").format(reason=reason))


def html_to_text(html: str) -> str:
    """The plain-text alternative of an HTML body: tags dropped, entities decoded."""
    text = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</tr>|</h[1-6]>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", unescape(text))
