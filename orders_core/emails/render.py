"""Rendering templates in a sandbox. Buyer-supplied values are data, never template code: a
name like `{{ 7*7 }}` or `<script>` is printed as typed (and escaped in HTML bodies)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError
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
    """Render subject and body; a template that does not render raises InvalidInput with the reason."""
    try:
        rendered_subject = _text_env.from_string(subject).render(context).strip().replace("\n", " ")
        if is_html:
            html = _html_env.from_string(body).render(context)
            return Rendered(rendered_subject, _strip_tags(html), html)
        return Rendered(rendered_subject, _text_env.from_string(body).render(context), None)
    except TemplateError as error:
        raise InvalidInput(_("The template does not render: {reason}").format(reason=str(error))) from error


def _strip_tags(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>|</p>", "\n", html)))
