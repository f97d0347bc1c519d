"""Email templates: admins create, edit and delete them, per event or global, per language and
kind. A template is checked against a sample order before it is saved, so a template that does
not render never reaches the outbox; `preview_template` renders one against a real order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.emails.choices import TemplateChoice, list_templates  # noqa: F401  (re-exported for pages)
from orders_core.emails.defaults import DEFAULTS, KINDS
from orders_core.emails.labels import KIND_LABELS  # noqa: F401  (re-exported for pages)
from orders_core.emails.outbox import LANGUAGES, order_context, sample_context
from orders_core.emails.render import Rendered, render
from orders_core.errors import InvalidInput
from orders_core.i18n import _
from orders_core.inputs import clean_id
from orders_core.models import EmailTemplate, Event, Order, OutboxEmail
from orders_core.permissions import Actor, require
from orders_core.services.guards import lock_by_id


def check_template(*, subject: str, body: str, is_html: bool, language: str = "en") -> Rendered:
    """Render against the sample order; raises InvalidInput with the reason when it does not."""
    if not subject.strip():
        raise InvalidInput(_("The subject is required."))
    if not body.strip():
        raise InvalidInput(_("The body is required."))
    rendered = render(subject, body, sample_context(language), is_html=is_html)
    if len(rendered.subject) > 300:
        raise InvalidInput(_("The subject is too long once rendered (300 characters at most)."))
    return rendered


def _clean(
    session: Session,
    *,
    actor: Actor,
    event_id: int | None,
    kind: str,
    language: str,
    name: str,
    subject: str,
    body: str,
    is_html: bool,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidInput(_("Unknown email kind: {kind}.").format(kind=kind))
    if language not in LANGUAGES:
        raise InvalidInput(_("The language must be English or French."))
    if event_id is None:  # a template shared by every event
        scope.require_all_events(actor)
    if event_id is not None:
        event_id = clean_id(event_id, missing=_("This event does not exist."))
        if not actor.sees_event(event_id) or session.get(Event, event_id) is None:
            raise InvalidInput(_("This event does not exist."))
    name = name.strip()
    if not name:
        raise InvalidInput(_("The template needs a name."))
    if len(name) > 200:
        raise InvalidInput(_("The name is too long (200 characters at most)."))
    if len(subject) > 300:
        raise InvalidInput(_("The subject is too long (300 characters at most)."))
    check_template(subject=subject, body=body, is_html=is_html, language=language)
    return dict(
        event_id=event_id,
        kind=kind,
        language=language,
        name=name,
        subject=subject.strip(),
        body=body,
        is_html=bool(is_html),
    )


def create_template(
    session: Session,
    *,
    actor: Actor,
    event_id: int | None,
    kind: str,
    language: str,
    name: str,
    subject: str,
    body: str,
    is_html: bool = False,
) -> EmailTemplate:
    """Add a template (global when `event_id` is None); refused with the reason if it does not render."""
    require(actor, "emails.templates")
    values = _clean(
        session,
        actor=actor,
        event_id=event_id,
        kind=kind,
        language=language,
        name=name,
        subject=subject,
        body=body,
        is_html=is_html,
    )
    template = EmailTemplate(**values, updated_at=datetime.now(UTC))
    session.add(template)
    session.flush()
    return template


def _locked(session: Session, template_id: int, actor: Actor) -> EmailTemplate:
    return lock_by_id(
        session, EmailTemplate, template_id, _("This email template does not exist (any more)."), actor=actor
    )


def update_template(
    session: Session,
    *,
    actor: Actor,
    template_id: int,
    event_id: int | None,
    kind: str,
    language: str,
    name: str,
    subject: str,
    body: str,
    is_html: bool = False,
) -> EmailTemplate:
    """Change a template; emails already queued keep the text they were rendered with."""
    require(actor, "emails.templates")
    template = _locked(session, template_id, actor)
    values = _clean(
        session,
        actor=actor,
        event_id=event_id,
        kind=kind,
        language=language,
        name=name,
        subject=subject,
        body=body,
        is_html=is_html,
    )
    for key, value in values.items():
        setattr(template, key, value)
    template.updated_at = datetime.now(UTC)
    session.flush()
    return template


def delete_template(session: Session, *, actor: Actor, template_id: int) -> None:
    """Delete a template; the outbox keeps the emails rendered from it (their link is cleared)."""
    require(actor, "emails.templates")
    template = _locked(session, template_id, actor)
    session.execute(update(OutboxEmail).where(OutboxEmail.template_id == template.id).values(template_id=None))
    session.delete(template)
    session.flush()


def default_text(kind: str, language: str) -> tuple[str, str]:
    """The built-in subject and body, a starting point for a new template."""
    return DEFAULTS[(kind, language if language in LANGUAGES else "en")]


def preview_template(
    session: Session,
    *,
    actor: Actor,
    order_id: int | None,
    subject: str,
    body: str,
    is_html: bool = False,
    language: str | None = None,
) -> Rendered:
    """Render a (possibly unsaved) template against a real order, or the sample order without one.
    Raises InvalidInput with the reason when it does not render."""
    require(actor, "emails.templates")
    if order_id is None:
        return check_template(subject=subject, body=body, is_html=is_html, language=language or "en")
    order = session.get(Order, order_id)
    if order is None or not scope.sees_row(actor, order.event_id):
        raise InvalidInput(_("This order does not exist."))
    # amounts and dates formatted in the template's language (sending uses the order's)
    context = order_context(session, order, language=language if language in LANGUAGES else None)
    return render(subject, body, context, is_html=is_html)
