"""The email templates offered in a choice (e.g. the wizard's "send the payment details" step)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from orders_core.models import EmailTemplate
from orders_core.status import EmailKind

# The kinds of template the refund email may be rendered with (issue 20): a refund template, or an
# "order changed" one (the refund changes what the order has kept). One rule, used by the refund
# form's choice (queries/ledger.py) and checked by the refund service (services/refunds.py).
REFUND_TEMPLATE_KINDS: tuple[str, ...] = (EmailKind.REFUND.value, EmailKind.ORDER_CHANGED.value)


@dataclass(frozen=True)
class TemplateChoice:
    """A template offered in a choice (the wizard's "send the payment details" step)."""

    id: int
    name: str
    language: str
    event_id: int | None

    @property
    def is_global(self) -> bool:
        return self.event_id is None


def list_templates(
    session: Session, event_id: int | None, kind: str, language: str | None = None
) -> list[TemplateChoice]:
    """The templates of that kind usable for the event: the event's own first, then the global
    ones, each by name. Without any, queue_email falls back to the built-in text."""
    query = select(EmailTemplate).where(EmailTemplate.kind == kind)
    if event_id is None:
        query = query.where(EmailTemplate.event_id.is_(None))
    else:
        query = query.where((EmailTemplate.event_id == event_id) | EmailTemplate.event_id.is_(None))
    if language:
        query = query.where(EmailTemplate.language == language)
    rows = session.scalars(query).all()
    rows = sorted(rows, key=lambda t: (t.event_id is None, t.name.lower(), t.id))
    return [TemplateChoice(t.id, t.name, t.language, t.event_id) for t in rows]
