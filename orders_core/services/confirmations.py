"""Order-confirmation emails for many orders at once, queued in the caller's transaction.

`emails.outbox.queue_email` renders one email with ~5 queries; validating 10,000 orders that
way would take longer than the validation itself. Here the orders, events, lines, items and
templates are read in a few set-based queries, each template is compiled once, every email is
rendered per order with the same context `outbox.order_context` builds (a test keeps the two
equal), and the outbox rows are inserted in one executemany."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from orders_core import bulk
from orders_core.documents.automatic import standing_invoice_ids
from orders_core.emails.defaults import DEFAULTS
from orders_core.emails.outbox import new_message_id, order_reminder, refund_values
from orders_core.emails.render import _html_env, _text_env, html_to_text
from orders_core.errors import InvalidInput
from orders_core.i18n import _, as_utc, format_datetime, format_money
from orders_core.models import EmailTemplate, Event, Order, OrderItem, OrderLine, OutboxEmail, Refund
from orders_core.payment_state import balance_due
from orders_core.services.guards import id_chunks

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


def _order_values(order: AnyRow, event: AnyRow, language: str, refunded: Decimal) -> _Lazy:
    total_ht, total_ttc, paid = _dec(order.total_ht), _dec(order.total_ttc), _dec(order.amount_paid)
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
            "status": order.status,
            "payment_mode": order.payment_mode,
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


def contexts(session: Session, ids: Sequence[int]) -> dict[int, tuple[Any, dict[str, Any]]]:
    """order id -> (order row, template context), read in four queries per chunk."""
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
            select(Refund.order_id, Refund.amount, Refund.method, Refund.refunded_at)
            .where(condition)
            .order_by(Refund.id)
        )
        for refund in session.execute(refunds_query):
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
        language = order.language if order.language in LANGUAGES else "en"
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
                    order, event, language, sum((_dec(r.amount) for r in refunds[order_id]), Decimal("0.00"))
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
                "reminder": order_reminder(order, event, language, None, None),
            },
        )
    return result


class _Templates:
    """The template of each (event, language), found once and compiled once."""

    def __init__(self, session: Session):
        self.session = session
        self.found: dict[tuple[int, str], tuple[int | None, Any, Any, bool]] = {}

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
            self.found[key] = (template_id, *compiled, is_html)
        return self.found[key]


def queue_confirmations(session: Session, ids: Sequence[int], *, now: datetime) -> int:
    """Render and queue one order-confirmation email per order; returns how many were queued."""
    if not ids:
        return 0
    templates = _Templates(session)
    invoices = standing_invoice_ids(session, list(ids))  # each attached (issue 21)
    has_name = "recipient_name" in OutboxEmail.__table__.c
    rows = []
    for order_id, (order, context) in sorted(contexts(session, ids).items()):
        language = order.language if order.language in LANGUAGES else "en"
        template_id, subject, body, is_html = templates.get(order.event_id, language)
        try:
            rendered_subject = " ".join(subject.render(context).strip().replace("\r", " ").split("\n"))
            rendered_body = body.render(context)
        except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
            raise InvalidInput(
                _("The order-confirmation email of order {number} does not render: {reason}").format(
                    number=order.number, reason=str(error)
                )
            ) from error
        row = dict(
            order_id=order_id,
            template_id=template_id,
            kind=KIND,
            recipient=order.buyer_email.strip(),
            subject=rendered_subject[:300],
            body_text=html_to_text(rendered_body) if is_html else rendered_body,
            body_html=rendered_body if is_html else None,
            status="queued",
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            created_at=now,
            sent_at=None,
            message_id=new_message_id(),
            attachments=[{"kind": "invoice", "id": invoices[order_id]}] if order_id in invoices else [],
        )
        if has_name:
            row["recipient_name"] = f"{order.buyer_first_name} {order.buyer_last_name}".strip() or None
        rows.append(row)
    bulk.insert_rows(session.connection(), "outbox_emails", rows)
    return len(rows)
