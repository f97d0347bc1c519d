"""Rendering templates in a sandbox. Buyer-supplied values are data, never template code: a
name like `{{ 7*7 }}` or `<script>` is printed as typed (and escaped in HTML bodies)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from orders_core.errors import InvalidInput
from orders_core.i18n import _

_text_env = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
_html_env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str | None


def render(subject: str, body: str, context: dict[str, Any], *, is_html: bool = False) -> Rendered:
    """Render subject and body; a template that does not render raises InvalidInput with the reason
    (which part, the line for a syntax error, and Jinja's own explanation)."""
    rendered_subject = _render_part(_text_env, subject, context, _("subject")).strip().replace("\r", " ")
    rendered_subject = " ".join(rendered_subject.split("\n"))
    if is_html:
        html = _render_part(_html_env, body, context, _("body"))
        return Rendered(rendered_subject, html_to_text(html), html)
    return Rendered(rendered_subject, _render_part(_text_env, body, context, _("body")), None)


def _render_part(env: ImmutableSandboxedEnvironment, source: str, context: dict[str, Any], part: str) -> str:
    try:
        return env.from_string(source).render(context)
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
