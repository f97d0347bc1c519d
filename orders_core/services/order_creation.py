"""Creating an order in the back-office (rule 5): the wizard's four steps end here.

`create_order` re-checks everything the wizard checked (a page is never trusted), takes the next
order number under the counter's row lock, writes the order, its lines, items, custom values and
its `created` history entry, pays it at once when asked (paid offline or free) and queues the
payment-details email: one transaction, so leaving the wizard half-way saves nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from orders_core import history, scope
from orders_core.custom_fields import BUYER_FIELDS, ORDER_FORMS, FieldSpec, fields_of, is_valid_email, validate_values
from orders_core.documents.automatic import after_invoice_order_placed
from orders_core.emails.outbox import queue_email
from orders_core.errors import InvalidInput
from orders_core.i18n import LANGUAGES, N_, _, as_utc
from orders_core.inputs import clean_id
from orders_core.models import (
    Counter,
    EmailTemplate,
    Event,
    FieldValue,
    Order,
    OrderItem,
    OrderLine,
)
from orders_core.order_rules import payment_details_refusal, require_payment_method
from orders_core.payment_terms import Terms, due_date_after
from orders_core.permissions import Actor, require
from orders_core.quote import Quote, get_event, quote_order
from orders_core.seating import claim_seats, clean_seats
from orders_core.services import guards
from orders_core.services.ledger import PAYABLE, Incoming, confirm_payment, confirm_payments
from orders_core.status import OFFLINE_METHODS, DeliveryMode, PaymentMethod, PaymentMode, Source, Status

__all__ = ["quote_order", "create_order", "clean_buyer", "clean_holders", "clean_payment", "PAYMENT_CHOICES"]

# What the wizard offers in step 4 (free is chosen by the service itself when the total is zero).
PAYMENT_CHOICES = {
    "invoice": N_("On invoice (awaiting payment)"),
    "paid_offline": N_("Paid offline (validated now)"),
    "undecided": N_("Not decided yet (payment mode undefined)"),
    "free": N_("Free"),
}


# --- input checks shared by the wizard's steps and by the services -----------------------------


def clean_buyer(buyer: Mapping[str, Any]) -> dict[str, str]:
    """Buyer and billing details, trimmed and checked: names and a valid email are mandatory."""
    clean = {key: str(buyer.get(key) or "").strip() for key in BUYER_FIELDS}
    clean["email"] = clean["email"].lower()
    clean["billing_country"] = clean["billing_country"].upper()
    if not clean["email"]:
        raise InvalidInput(_("The buyer's email is mandatory."))
    if not is_valid_email(clean["email"]):
        raise InvalidInput(_("'{email}' is not a valid email address.").format(email=clean["email"]))
    if not clean["first_name"] or not clean["last_name"]:
        raise InvalidInput(_("The buyer's first and last names are mandatory."))
    if clean["billing_country"] and (len(clean["billing_country"]) != 2 or not clean["billing_country"].isalpha()):
        raise InvalidInput(_("The country is a two-letter code (FR, CA, CH...)."))
    for key, (_column, size) in BUYER_FIELDS.items():
        if len(clean[key]) > size:
            raise InvalidInput(
                _("'{value}' is too long ({size} characters at most).").format(value=clean[key][:30], size=size)
            )
    language = str(buyer.get("language") or "en")
    clean["language"] = language if language in LANGUAGES else "en"
    return clean


def clean_holders(
    holders: Sequence[Mapping[str, Any]], units: int, badge_fields: Sequence[FieldSpec]
) -> list[dict[str, Any]]:
    """One holder per badge/ticket unit: names mandatory, email optional but valid."""
    if len(holders) != units:
        raise InvalidInput(
            _("Fill in one holder per badge or ticket: {units} expected, {given} given.").format(
                units=units, given=len(holders)
            )
        )
    clean = []
    for number, holder in enumerate(holders, start=1):
        first = str(holder.get("first_name") or "").strip()
        last = str(holder.get("last_name") or "").strip()
        email = str(holder.get("email") or "").strip().lower()
        if not first or not last:
            raise InvalidInput(_("Holder {n}: first and last names are mandatory.").format(n=number))
        if email and not is_valid_email(email):
            raise InvalidInput(_("Holder {n}: '{email}' is not a valid email address.").format(n=number, email=email))
        if len(first) > 100 or len(last) > 100 or len(email) > 254:
            raise InvalidInput(_("Holder {n}: a value is too long.").format(n=number))
        try:
            values = validate_values(badge_fields, holder.get("fields") or {})
        except InvalidInput as error:
            raise InvalidInput(_("Holder {n}: {problem}").format(n=number, problem=error.message)) from None
        clean.append(
            {
                "first_name": first,
                "last_name": last,
                "email": email,
                "fields": values,
                "seat": (str(holder.get("seat") or "").strip() or None),
                "delivery_mode": holder.get("delivery_mode") or DeliveryMode.E_TICKET.value,
            }
        )
    return clean


@dataclass(frozen=True)
class PaymentChoice:
    mode: str  # one of PAYMENT_CHOICES, or "keep" when modifying
    method: str | None = None
    reference: str = ""
    received_at: datetime | None = None


def clean_payment(payment: Mapping[str, Any] | None, total_ttc: Decimal, *, allow_keep: bool = False) -> PaymentChoice:
    """The payment choice of step 4; a zero total is always free (and a non-zero one never)."""
    payment = payment or {}
    mode = payment.get("mode") or "invoice"
    if mode == "awaiting":
        mode = "undecided"
    if total_ttc == 0:
        return PaymentChoice("free")
    allowed = set(PAYMENT_CHOICES) | ({"keep"} if allow_keep else set())
    if mode not in allowed:
        raise InvalidInput(_("Unknown payment mode {mode}.").format(mode=mode))
    if mode == "free":
        raise InvalidInput(_("The order is free only when its total is zero."))
    if mode != "paid_offline":
        return PaymentChoice(mode)
    method = payment.get("method")
    if method not in OFFLINE_METHODS:  # who may take which method: order_rules, checked by the services
        raise InvalidInput(_("Choose how the order was paid (bank transfer, cheque, cash, card or other)."))
    received_at = payment.get("received_at") or None
    if isinstance(received_at, str):
        try:
            received_at = datetime.fromisoformat(received_at)
        except ValueError:
            raise InvalidInput(_("The payment date is not a date.")) from None
    # The ledger's one rule for "when the money arrived" (a date alone, a naive time, the future).
    now = datetime.now(UTC)
    received_at = guards.clean_received_at(received_at, now=now) if received_at is not None else now
    reference = str(payment.get("reference") or "").strip()
    if len(reference) > 200:
        raise InvalidInput(_("The payment reference is too long (200 characters at most)."))
    return PaymentChoice(mode, method, reference, received_at)


def check_template(session: Session, template_id: int | None, event_id: int, send: bool) -> int | None:
    """The chosen payment-details template (of this event or global), when sending."""
    if not send:
        return None
    if template_id is None:
        return None
    missing = _("Choose a payment-details template of this event.")
    template = session.get(EmailTemplate, clean_id(template_id, missing=missing))
    if template is None or template.kind != "payment_details" or template.event_id not in (None, event_id):
        raise InvalidInput(_("Choose a payment-details template of this event."))
    return template.id


def status_for(choice: PaymentChoice) -> tuple[Status, PaymentMode]:
    """(status, payment_mode) an organiser order gets for a payment choice."""
    return {
        "invoice": (Status.AWAITING_PAYMENT, PaymentMode.INVOICE),
        "paid_offline": (Status.PAID, PaymentMode.INVOICE),
        "undecided": (Status.CART_INCOMPLETE, PaymentMode.UNDEFINED),
        "free": (Status.PAID, PaymentMode.FREE),
    }[choice.mode]


def seat_people(session: Session, event: Event, people: list[dict[str, Any]]) -> None:
    """Each holder's seat checked against the event's plan (none on an event without seats)."""
    for person, seat in zip(people, clean_seats(session, event, [p.get("seat") for p in people])):
        person["seat"] = seat


# --- writing -----------------------------------------------------------------------------------


def next_order_number(session: Session) -> int:
    """The next 7-digit number, from the counter under its row lock (never reused)."""
    number = session.execute(
        update(Counter).where(Counter.name == "order_number").values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one_or_none()
    if number is None:
        raise InvalidInput(_("The order number counter is missing: run the migrations."))
    return int(number)


def write_lines(
    session: Session, order: Order, quote: Quote, holders: Sequence[dict[str, Any]], now: datetime
) -> list[OrderItem]:
    """The order's lines and one item per badge/ticket unit, holders in the quote's unit order."""
    items: list[OrderItem] = []
    remaining = list(holders)
    for quoted in quote.lines:
        line = OrderLine(
            order_id=order.id,
            tariff_id=quoted.tariff_id,
            kind=quoted.kind,
            name=quoted.name,
            quantity=quoted.quantity,
            unit_price_ht=quoted.unit_price_ht,
            tax_rate=quoted.tax_rate,
            discount_amount=quoted.discount_amount,
            total_ht=quoted.total_ht,
            total_ttc=quoted.total_ttc,
        )
        session.add(line)
        session.flush()
        if not quoted.admits:
            continue
        for _unit in range(quoted.quantity):
            holder = remaining.pop(0)
            item = OrderItem(
                order_id=order.id,
                order_line_id=line.id,
                holder_first_name=holder["first_name"],
                holder_last_name=holder["last_name"],
                holder_email=holder["email"],
                seat=holder.get("seat"),
                delivery_mode=holder.get("delivery_mode") or "e_ticket",
                created_at=now,
            )
            session.add(item)
            items.append(item)
    session.flush()
    for item, holder in zip(items, holders):
        write_values(session, order.id, item.id, holder.get("fields") or {})
    return items


def write_values(session: Session, order_id: int, item_id: int | None, values: Mapping[int, str]) -> None:
    for field_id, value in values.items():
        if value != "":
            session.add(FieldValue(order_id=order_id, order_item_id=item_id, field_id=field_id, value=value))


def settle(session: Session, order: Order, *, actor: Actor, choice: PaymentChoice, now: datetime) -> None:
    """Pay the order at once, through the ledger (the one path to paid): paid offline confirms
    its total as a payment (who may take which method: order_rules); a free order owes nothing
    and becomes paid without one. The order keeps its status until then."""
    session.flush()
    if choice.mode == "paid_offline":
        confirm_payment(
            session,
            actor=actor,
            order_id=order.id,
            amount=order.total_ttc,
            method=choice.method or "",
            received_at=choice.received_at or now,
            reference=choice.reference,
            action="validated",
            from_statuses=(*PAYABLE, Status.PENDING_ADMIN),  # the caller checked the transition
        )
    else:
        row = guards.lock_orders(session, [order.id], actor=actor)[order.id]
        incoming = Incoming(row, Decimal("0.00"), PaymentMethod.OTHER.value, now, "")
        confirm_payments(session, actor=actor, incoming=[incoming], action="validated", now=now)
    session.refresh(order)


def create_order(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    quantities: Mapping[str, Any],
    codes: Sequence[str] = (),
    buyer: Mapping[str, Any],
    holders: Sequence[Mapping[str, Any]] = (),
    custom_values: Mapping[str, Any] | None = None,
    payment: Mapping[str, Any] | None = None,
    send_payment_details: bool = False,
    template_id: int | None = None,
    at: datetime | None = None,
) -> Order:
    """Create an organiser order (source `organizer`) with everything in the caller's transaction."""
    require(actor, "orders.create")
    now = as_utc(at) if at else datetime.now(UTC)
    event: Event = get_event(session, event_id)
    scope.require_event(actor, event.id)  # another event is one that does not exist
    quote = quote_order(session, event_id=event_id, quantities=quantities, codes=codes, at=now, lock=True)
    clean = clean_buyer(buyer)
    order_values = validate_values(fields_of(session, event_id, ORDER_FORMS), custom_values or {})
    people = clean_holders(list(holders), len(quote.units), fields_of(session, event_id, ("badge",)))
    seat_people(session, event, people)
    total = quote.total
    choice = clean_payment(payment, total.total_ttc)
    if choice.mode == "paid_offline":
        require_payment_method(
            actor, choice.method, number=None, source=Source.ORGANIZER, payment_mode=PaymentMode.UNDEFINED, status=None
        )
    if send_payment_details and (refused := payment_details_refusal(choice.mode)):
        raise InvalidInput(refused)
    template = check_template(session, template_id, event_id, send_payment_details)
    status, mode = status_for(choice)

    order = Order(
        number=next_order_number(session),
        event_id=event.id,
        status=Status.CART_INCOMPLETE if status == Status.PAID else status,
        payment_mode=mode,
        source=Source.ORGANIZER,
        **{column: clean[key] for key, (column, _size) in BUYER_FIELDS.items()},
        discount_code=quote.code,
        currency=quote.currency,
        total_ht=total.total_ht,
        total_ttc=total.total_ttc,
        amount_paid=Decimal("0.00"),
        terms_accepted=False,
        language=clean["language"],
        created_at=now,
        updated_at=now,
        paid_at=None,
        notes="",
        version=1,
        due_date=due_date_after(
            None,
            before=None,
            after=(status.value, mode.value),
            terms=Terms.of(event),
            at=now,
            event_starts_at=event.starts_at,
            timezone=event.timezone,
        ),
    )
    session.add(order)
    session.flush()
    claim_seats(session, event_id=event.id, items=write_lines(session, order, quote, people, now))
    write_values(session, order.id, None, order_values)
    details: dict[str, Any] = {
        "status": history.change(None, Status.CART_INCOMPLETE.value if status == Status.PAID.value else status),
        "payment_mode": history.change(None, mode),
        "total_ttc": history.change(None, total.total_ttc),
        "currency": total.currency,
        "lines": [f"{line.quantity} x {line.name}" for line in quote.lines],
    }
    if quote.code:
        details["discount_code"] = history.change(None, quote.code)
    if order.due_date is not None:
        details["due_date"] = history.change(None, order.due_date.isoformat())
    history.record(session, order_id=order.id, actor=actor, action="created", details=details, at=now)
    if status == Status.PAID:
        settle(session, order, actor=actor, choice=choice, now=now)  # the ledger invoices it
    else:
        after_invoice_order_placed(session, order, actor=actor, now=now)  # before its email
    if send_payment_details:
        queue_email(session, order=order, kind="payment_details", template_id=template)
    session.flush()
    return order
