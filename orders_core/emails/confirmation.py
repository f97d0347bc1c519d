"""Order-confirmation emails rendered in bulk (issue 19): the orders, events, lines, items and
templates of many orders are read in a few set-based queries, each template is compiled once,
and every email is rendered with the same context `outbox.order_context` builds (a test keeps
the two equal).

A bulk validation queues its confirmations unrendered (services/confirmations.py); the sender
renders each one when it sends it (`render_deferred`), with the facts frozen when it was queued
(the moment, the order's status, payment mode and amounts then, the refunds recorded by then),
so the email reads exactly as it would have if rendered in the validation's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from orders_core.db import id_chunks
from orders_core.emails.defaults import DEFAULTS
from orders_core.emails.outbox import order_reminder, refund_values
from orders_core.emails.render import _html_env, _text_env, html_to_text
from orders_core.errors import InvalidInput
from orders_core.i18n import _, as_utc, format_datetime, format_money
from orders_core.models import EmailTemplate, Event, Order, OrderItem, OrderLine, Refund
from orders_core.payment_state import balance_due

KIND = "order_confirmation"
# A result row of any columns (SQLAlchemy 2.1 types a Row by the tuple of its columns).
AnyRow = Row[*tuple[Any, ...]]
LANGUAGES = ("en", "fr")


def _dec(value: float | Decimal | int | str) -> Decimal:
    return Decimal(f"{value:.2f}") if isinstance(value, float) else Decimal(value)


@lru_cache(maxsize=65536)
def _money_text(amount: Decimal, currency: str, language: str) -> str:
    # Babel formatting costs ~100 µs a call; amounts repeat a lot across orders.
    return format_money(amount, currency, language)


class _Lazy(dict[str, Any]):
    """A template context dict whose formatted values are computed when a template reads
    them: a confirmation rarely shows all of them, and formatting dominates a bulk render."""

    def __init__(self, values: dict[str, Any], later: dict[str, Callable[[], Any]]):
        super().__init__(values)
        self._later = later

    def __missing__(self, key: str) -> Any:
        if key not in self._later:
            raise KeyError(key)
        value = self[key] = self._later[key]()
        return value

    def materialise(self) -> dict[str, Any]:
        return {**self, **{key: self[key] for key in self._later}}


def _order_values(
    order: AnyRow, event: AnyRow, language: str, refunded: Decimal, facts: Mapping[str, Any] | None = None
) -> _Lazy:
    facts = facts or {}
    total_ht, total_ttc = _dec(order.total_ht), _dec(order.total_ttc)
    paid = _dec(facts["amount_paid"]) if "amount_paid" in facts else _dec(order.amount_paid)
    # The one balance rule (orders_core.payment_state): total - payments (kept + refunded).
    balance = balance_due(total=total_ttc, paid=paid + refunded)
    first, last, currency = order.buyer_first_name, order.buyer_last_name, order.currency
    return _Lazy(
        {
            "number": order.number,
            "buyer_first_name": first,
            "buyer_last_name": last,
            "buyer_name": f"{first} {last}".strip(),
            "buyer_email": order.buyer_email,
            "company_name": order.company_name,
            "currency": currency,
            "status": facts.get("status", order.status),
            "payment_mode": facts.get("payment_mode", order.payment_mode),
            "total_ht": total_ht,
            "total_ttc": total_ttc,
            "amount_paid": paid,
            "balance_due": balance,
        },
        {
            "total_ht_formatted": lambda: _money_text(total_ht, currency, language),
            "total_ttc_formatted": lambda: _money_text(total_ttc, currency, language),
            "amount_paid_formatted": lambda: _money_text(paid, currency, language),
            "balance_due_formatted": lambda: _money_text(balance, currency, language),
            "created_at_formatted": lambda: format_datetime(as_utc(order.created_at), event.timezone, language),
        },
    )


def _line_values(line: AnyRow, currency: str, language: str) -> _Lazy:
    total_ht, total_ttc = _dec(line.total_ht), _dec(line.total_ttc)
    return _Lazy(
        {"name": line.name, "quantity": line.quantity, "kind": line.kind},
        {
            "total_ht_formatted": lambda: _money_text(total_ht, currency, language),
            "total_ttc_formatted": lambda: _money_text(total_ttc, currency, language),
        },
    )


def materialise(context: dict[str, Any]) -> dict[str, Any]:
    """The context with every lazy value computed (to compare with outbox.order_context)."""

    def plain(value: Any) -> Any:
        if isinstance(value, _Lazy):
            return {k: plain(v) for k, v in value.materialise().items()}
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    result: dict[str, Any] = plain(context)
    return result


def contexts(
    session: Session, ids: Sequence[int], facts: Mapping[int, Mapping[str, Any]] | None = None
) -> dict[int, tuple[Any, dict[str, Any]]]:
    """order id -> (order row, template context), read in four queries per chunk. `facts`: per
    order, what was true when its email was queued (`at`, and the order's `status`,
    `payment_mode`, `amount_paid`), which the context shows instead of today's values; only the
    refunds recorded by `at` count."""
    facts = facts or {}
    orders: dict[int, AnyRow] = {}
    lines: defaultdict[int, list[AnyRow]] = defaultdict(list)
    items: defaultdict[int, list[AnyRow]] = defaultdict(list)
    for _part, condition in id_chunks(session, Order.id, ids):
        orders_query = select(
            Order.id,
            Order.number,
            Order.event_id,
            Order.language,
            Order.buyer_first_name,
            Order.buyer_last_name,
            Order.buyer_email,
            Order.company_name,
            Order.currency,
            Order.status,
            Order.payment_mode,
            Order.total_ht,
            Order.total_ttc,
            Order.amount_paid,
            Order.created_at,
            Order.due_date,
            Order.vat_number,
        )
        for row in session.execute(orders_query.where(condition)):
            orders[row.id] = row
    refunds: defaultdict[int, list[AnyRow]] = defaultdict(list)
    for _part, condition in id_chunks(session, Refund.order_id, ids):
        refunds_query = (
            select(Refund.order_id, Refund.amount, Refund.method, Refund.refunded_at, Refund.created_at)
            .where(condition)
            .order_by(Refund.id)
        )
        for refund in session.execute(refunds_query):
            at = facts.get(refund.order_id, {}).get("at")
            if at is None or as_utc(refund.created_at) <= at:
                refunds[refund.order_id].append(refund)
    for _part, condition in id_chunks(session, OrderLine.order_id, ids):
        lines_query = (
            select(
                OrderLine.order_id,
                OrderLine.name,
                OrderLine.quantity,
                OrderLine.kind,
                OrderLine.total_ht,
                OrderLine.total_ttc,
            )
            .where(condition)
            .order_by(OrderLine.id)
        )
        for line in session.execute(lines_query):
            lines[line.order_id].append(line)
    for _part, condition in id_chunks(session, OrderItem.order_id, ids):
        items_query = (
            select(
                OrderItem.order_id,
                OrderItem.holder_first_name,
                OrderItem.holder_last_name,
                OrderItem.holder_email,
                OrderItem.seat,
                OrderLine.name.label("tariff"),
            )
            .join(OrderLine, OrderLine.id == OrderItem.order_line_id)
            .where(condition)
            .order_by(OrderItem.id)
        )
        for item in session.execute(items_query):
            items[item.order_id].append(item)
    event_ids = {row.event_id for row in orders.values()}
    events = {e.id: e for e in session.execute(select(Event.__table__).where(Event.id.in_(event_ids)))}
    event_values: dict[tuple[int, str], dict[str, Any]] = {}
    result = {}
    for order_id, order in orders.items():
        event = events[order.event_id]
        language = facts.get(order_id, {}).get("language") or (order.language if order.language in LANGUAGES else "en")
        if (event.id, language) not in event_values:
            event_values[(event.id, language)] = {
                "name": event.name,
                "bank_details": event.bank_details,
                "timezone": event.timezone,
                "starts_at_formatted": format_datetime(as_utc(event.starts_at), event.timezone, language),
            }
        result[order_id] = (
            order,
            {
                "refund": refund_values(
                    refunds[order_id][-1] if refunds[order_id] else None, order.currency, event.timezone, language
                ),
                "order": _order_values(
                    order,
                    event,
                    language,
                    sum((_dec(r.amount) for r in refunds[order_id]), Decimal("0.00")),
                    facts.get(order_id),
                ),
                "event": event_values[(event.id, language)],
                "lines": [_line_values(line, order.currency, language) for line in lines[order_id]],
                "items": [
                    {
                        "tariff": item.tariff,
                        "holder_first_name": item.holder_first_name,
                        "holder_last_name": item.holder_last_name,
                        "holder_email": item.holder_email,
                        "seat": item.seat,
                    }
                    for item in items[order_id]
                ],
                "reminder": order_reminder(order, event, language, None, facts.get(order_id, {}).get("at")),
            },
        )
    return result


class Templates:
    """The template of each (event, language), found once and compiled once; or the one an email
    was queued with (`by_id`: None is the built-in default)."""

    def __init__(self, session: Session):
        self.session = session
        self.found: dict[tuple[int, str], tuple[int | None, Any, Any, bool]] = {}
        self.chosen: dict[tuple[int | None, str], tuple[int | None, Any, Any, bool]] = {}

    def get(self, event_id: int, language: str) -> tuple[int | None, Any, Any, bool]:
        key = (event_id, language)
        if key not in self.found:
            template = None
            for scope in (event_id, None):
                template = self.session.execute(
                    select(EmailTemplate.id, EmailTemplate.subject, EmailTemplate.body, EmailTemplate.is_html)
                    .where(
                        EmailTemplate.kind == KIND,
                        EmailTemplate.language == language,
                        EmailTemplate.event_id.is_(None) if scope is None else EmailTemplate.event_id == scope,
                    )
                    .order_by(EmailTemplate.id)
                ).first()
                if template:
                    break
            self.found[key] = _compiled(template, language)
        return self.found[key]

    def by_id(self, template_id: int | None, event_id: int, language: str) -> tuple[int | None, Any, Any, bool]:
        key = (template_id, language)
        if key not in self.chosen:
            template = None
            if template_id is not None:
                template = self.session.execute(
                    select(EmailTemplate.id, EmailTemplate.subject, EmailTemplate.body, EmailTemplate.is_html).where(
                        EmailTemplate.id == template_id
                    )
                ).first()
                if template is None:  # deleted since: the one the email would get now
                    return self.get(event_id, language)
            self.chosen[key] = _compiled(template, language)
        return self.chosen[key]


def _compiled(template: Any, language: str) -> tuple[int | None, Any, Any, bool]:
    if template is not None:
        template_id, subject, body, is_html = template
    else:
        (subject, body), template_id, is_html = DEFAULTS[(KIND, language)], None, False
    try:
        compiled = (_text_env.from_string(subject), (_html_env if is_html else _text_env).from_string(body))
    except TemplateError as error:
        raise InvalidInput(
            _("The order-confirmation template does not render: {reason}").format(reason=str(error))
        ) from error
    return (template_id, *compiled, is_html)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str | None


def render(order: Any, context: dict[str, Any], compiled: tuple[int | None, Any, Any, bool]) -> Rendered:
    """One confirmation, as the outbox stores it (subject on one line, at most 300 characters)."""
    _template_id, subject, body, is_html = compiled
    try:
        rendered_subject = " ".join(subject.render(context).strip().replace("\r", " ").split("\n"))
        rendered_body = body.render(context)
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise InvalidInput(
            _("The order-confirmation email of order {number} does not render: {reason}").format(
                number=order.number, reason=str(error)
            )
        ) from error
    return Rendered(
        rendered_subject[:300],
        html_to_text(rendered_body) if is_html else rendered_body,
        rendered_body if is_html else None,
    )


def frozen_facts(
    at: datetime, language: str, status: str, payment_mode: str, amount_paid: float | Decimal
) -> dict[str, Any]:
    """What `outbox_emails.to_render` keeps of the moment a confirmation is queued (JSON)."""
    return {
        "at": at.isoformat(),
        "language": language,
        "status": str(status),
        "payment_mode": str(payment_mode),
        "amount_paid": str(_dec(amount_paid)),
    }


def _facts(stored: Mapping[str, Any]) -> dict[str, Any]:
    facts = dict(stored)
    facts["at"] = as_utc(datetime.fromisoformat(stored["at"]))
    if "amount_paid" in facts:
        facts["amount_paid"] = Decimal(facts["amount_paid"])
    return facts


def render_deferred(
    session: Session, emails: Sequence[tuple[int, int | None, Mapping[str, Any]]]
) -> dict[int, Rendered]:
    """(order id, template id, to_render) of unrendered confirmations -> order id -> the email,
    rendered from the facts frozen when it was queued; raises InvalidInput when one cannot be."""
    facts = {order_id: _facts(stored) for order_id, _template, stored in emails}
    found = contexts(session, list(facts), facts)
    templates = Templates(session)
    rendered = {}
    for order_id, template_id, _stored in emails:
        if order_id not in found:
            raise InvalidInput(_("The order of this email no longer exists."))
        order, context = found[order_id]
        language = facts[order_id]["language"]
        rendered[order_id] = render(order, context, templates.by_id(template_id, order.event_id, language))
    return rendered
