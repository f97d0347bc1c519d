"""Changing an existing order: modifying a non-validated one (rule 1, rule 5), adding tickets to
a paid organiser order and recording the balance payment (rule 1's exception, second seed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from orders_core import history, scope
from orders_core.custom_fields import BUYER_FIELDS, ORDER_FORMS, fields_of, validate_values
from orders_core.delivery import usual_delivery_mode
from orders_core.documents.automatic import after_modified
from orders_core.emails.outbox import queue_email
from orders_core.errors import ConflictError, InvalidInput, TransitionRefused
from orders_core.i18n import _, as_utc
from orders_core.inputs import clean_id, clean_quantity, clean_text
from orders_core.models import Event, FieldValue, Order, OrderItem, OrderLine, Tariff
from orders_core.money import LineInput, price_order
from orders_core.order_rules import OrderFacts, payment_details_refusal, require_payment_method
from orders_core.payment_state import balance_due
from orders_core.payment_terms import Terms, due_date_after, due_date_for
from orders_core.permissions import Actor, require
from orders_core.quote import check_capacity, check_tariff_on_sale, quote_order
from orders_core.seating import claim_seats, clean_seats, release_seats
from orders_core.services import guards
from orders_core.services.attendees import items_without_attendee, register_attendees
from orders_core.services.guards import lock_by_id
from orders_core.services.ledger import Confirmed, clean_amount, confirm_payment, ledger_sums, refresh_payment_state
from orders_core.services.modification_diff import diff, holder_changes, holders_of, origins, snapshot
from orders_core.services.order_creation import (
    check_template,
    clean_buyer,
    clean_holders,
    clean_payment,
    seat_people,
    settle,
    status_for,
    write_lines,
    write_values,
)
from orders_core.status import ADMITTING_KINDS, DeliveryMode, PaymentMethod, PaymentMode, Source, Status, can_transition


def lock_order(session: Session, order_id: int, actor: Actor) -> Order:
    missing = _("Order {id} does not exist or has been deleted.").format(id=str(order_id)[:30])
    order_id = clean_id(order_id, missing=missing)
    order = session.scalars(select(Order).where(Order.id == order_id).with_for_update()).one_or_none()
    if order is None or order.deleted_at is not None or not scope.sees_row(actor, order.event_id):
        raise InvalidInput(_("Order {id} does not exist or has been deleted.").format(id=order_id))
    return order


def check_version(order: Order, expected_version: int | None) -> None:
    """Optimistic check: refuse when someone else saved the order since it was opened."""
    if expected_version is not None and order.version != int(expected_version):
        raise ConflictError(
            _(
                "Order {number} was changed by someone else since you opened it (version {opened}, now {current}). "
                "Nothing was saved: reload the order to see its new state."
            ).format(number=order.number, opened=expected_version, current=order.version)
        )


def modify_order(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    expected_version: int | None,
    quantities: Mapping[str, Any],
    codes: Sequence[str] = (),
    buyer: Mapping[str, Any],
    holders: Sequence[Mapping[str, Any]] = (),
    custom_values: Mapping[str, Any] | None = None,
    payment: Mapping[str, Any] | None = None,
    send_payment_details: bool = False,
    template_id: int | None = None,
    notify_buyer: bool = False,
    at: datetime | None = None,
) -> Order:
    """Save the wizard over a non-validated order: recompute totals, one history entry listing
    every changed field (old and new), version bumped; refused if the order changed meanwhile."""
    require(actor, "orders.modify")
    now = as_utc(at) if at else datetime.now(UTC)
    order = lock_order(session, order_id, actor)
    check_version(order, expected_version)
    if order.status in (Status.PAID, Status.CANCELLED):
        hint = (
            " " + _("Tickets can still be added to a paid order created by the organiser.")
            if (order.status == Status.PAID and order.source == Source.ORGANIZER)
            else ""
        )
        raise TransitionRefused(
            _("Order {number} is validated or cancelled: it can no longer be modified.").format(number=order.number)
            + hint
        )
    kept = dict(
        session.execute(
            select(OrderLine.tariff_id, func.sum(OrderLine.quantity))
            .where(OrderLine.order_id == order.id)
            .group_by(OrderLine.tariff_id)
        ).all()
    )
    quote = quote_order(
        session,
        event_id=order.event_id,
        quantities=quantities,
        codes=codes,
        at=now,
        lock=True,
        exclude_order_id=order.id,
        kept={k: int(v) for k, v in kept.items()},
        kept_code=order.discount_code,
    )
    clean = clean_buyer(buyer)
    order_fields = fields_of(session, order.event_id, ORDER_FORMS)
    order_values = validate_values(order_fields, custom_values or {})
    people = clean_holders(list(holders), len(quote.units), fields_of(session, order.event_id, ("badge",)))
    event = session.get_one(Event, order.event_id)
    seat_people(session, event, people)
    total = quote.total
    choice = clean_payment(payment, total.total_ttc, allow_keep=True)
    if choice.mode == "paid_offline":
        require_payment_method(
            actor,
            choice.method,
            number=order.number,
            source=order.source,
            payment_mode=order.payment_mode,
            status=order.status,
        )
    if send_payment_details:
        as_kept = replace(OrderFacts.of(order), total_ttc=total.total_ttc)  # the kept order at its new total
        if refused := payment_details_refusal(choice.mode, current=as_kept):
            raise InvalidInput(refused)
    template = check_template(session, template_id, order.event_id, send_payment_details)
    status: Status
    mode: PaymentMode
    if choice.mode == "keep":
        status, mode = order.status, order.payment_mode
    else:
        status, mode = status_for(choice)
    if status != order.status and not can_transition(order.status, status):
        raise TransitionRefused(
            _("Order {number} cannot go from {old} to {new}: choose another payment mode.").format(
                number=order.number, old=order.status, new=status
            )
        )

    before = snapshot(session, order)
    holders_before = holders_of(session, order.id)
    active_ids = [f.id for f in order_fields] + [f.id for f in fields_of(session, order.event_id, ("badge",))]
    session.execute(
        delete(FieldValue).where(
            FieldValue.order_id == order.id,
            (FieldValue.field_id.in_(active_ids)) | FieldValue.order_item_id.is_not(None),
        )
    )
    release_seats(session, order_ids=[order.id])  # its seats are its own again: the new items claim them
    session.execute(delete(OrderItem).where(OrderItem.order_id == order.id))
    session.execute(delete(OrderLine).where(OrderLine.order_id == order.id))
    session.expire(order, ["lines", "items"])
    for key, (column, _size) in BUYER_FIELDS.items():
        setattr(order, column, clean[key])
    order.language = clean["language"]
    order.discount_code = quote.code
    order.currency = quote.currency
    order.total_ht, order.total_ttc = total.total_ht, total.total_ttc
    order.due_date = due_date_after(
        order.due_date,
        before=(order.status, order.payment_mode),
        after=(status, mode),
        terms=Terms.of(event),
        at=now,
        event_starts_at=event.starts_at,
        timezone=event.timezone,
    )
    order.payment_mode = mode
    items = write_lines(session, order, quote, people, now)
    claim_seats(session, event_id=order.event_id, items=items)
    write_values(session, order.id, None, order_values)
    if status != Status.PAID:
        order.status = status
    session.flush()
    changes = diff(before, snapshot(session, order))
    came_from = dict(zip((item.id for item in items), origins(list(holders), holders_before), strict=True))
    if moved := holder_changes(holders_before, holders_of(session, order.id), came_from):
        changes["holders"] = moved
    if status == Status.PAID.value:
        changes["status"] = history.change(order.status, status)
    if send_payment_details:
        changes["payment_details_email"] = history.change(None, "queued")
    if not changes:
        raise InvalidInput(_("Nothing changed: there is nothing to save."))
    order.version += 1
    order.updated_at = now
    history.record(session, order_id=order.id, actor=actor, action="modified", details=changes, at=now)
    refresh_payment_state(session, order.id)
    after_modified(session, order, actor=actor, now=now)  # its invoice corrected, or its first one
    if status == Status.PAID.value:
        settle(session, order, actor=actor, choice=choice, now=now)  # the ledger's own entry follows
    if send_payment_details:
        queue_email(session, order=order, kind="payment_details", template_id=template)
    if notify_buyer:
        queue_email(session, order=order, kind="order_changed")
    session.flush()
    return order


# --- adding tickets to a paid organiser order ----------------------------------------------------


def check_can_add_tickets(order: Order) -> None:
    """Only paid orders created by the organiser receive added tickets; online ones stay locked."""
    if order.source != Source.ORGANIZER:
        raise TransitionRefused(
            _(
                "Order {number} was sold online: its tickets can only be changed by the ticketing platform's "
                "support, not in the back-office."
            ).format(number=order.number)
        )
    if order.status != Status.PAID:
        raise TransitionRefused(
            _("Tickets are added to paid orders only; order {number} is not validated yet: modify it instead.").format(
                number=order.number
            )
        )


def add_tickets(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    tariff_id: int,
    quantity: int,
    delivery_mode: str | None = None,
    seats: Sequence[str] = (),
    reason_note: str,
    holders: Sequence[Mapping[str, Any]] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    """Add badges/tickets to a paid organiser order. The order then owes their price (balance
    due) and the new holders become attendees once a payment settles it. Never removes anything."""
    require(actor, "orders.add_tickets")
    now = as_utc(at) if at else datetime.now(UTC)
    order = lock_order(session, order_id, actor)
    check_version(order, expected_version)
    check_can_add_tickets(order)
    # The payments so far, read before this change touches the order (a query flushes the session).
    paid = ledger_sums(session, [order.id])[order.id][0]
    note = (reason_note or "").strip()
    if not note:
        raise InvalidInput(_("Write the reason for adding tickets: it is kept with the date in the order's notes."))
    quantity = clean_quantity(quantity)
    if quantity < 1:
        raise InvalidInput(_("Add at least one ticket."))
    tariff = lock_by_id(session, Tariff, tariff_id, _("Tariff {id} does not exist.").format(id=tariff_id), actor=actor)
    check_tariff_on_sale(tariff, order.event_id, now)
    if tariff.kind not in ADMITTING_KINDS:
        raise InvalidInput(_("Only badges and tickets can be added to a paid order."))
    if tariff.currency != order.currency:
        raise InvalidInput(
            _("The tariff {name} is priced in {currency}, the order in {order_currency}.").format(
                name=tariff.name, currency=tariff.currency, order_currency=order.currency
            )
        )
    check_capacity(session, [tariff], {tariff.id: quantity})
    delivery_mode = delivery_mode or usual_delivery_mode(session, order.id)
    if delivery_mode not in {m.value for m in DeliveryMode}:
        raise InvalidInput(_("Unknown delivery mode {mode}.").format(mode=delivery_mode))
    event = session.get_one(Event, order.event_id)
    if event.seated and len(list(seats)) != quantity:
        raise InvalidInput(_("This event is seated: choose a seat for each added ticket."))
    chosen_seats = clean_seats(session, event, list(seats) if event.seated else [None] * quantity)
    buyer = {"first_name": order.buyer_first_name, "last_name": order.buyer_last_name, "email": order.buyer_email}
    people = [dict(p) if (p.get("first_name") or p.get("last_name")) else {**dict(p), **buyer} for p in holders] or [
        buyer
    ] * quantity
    people = clean_holders(
        [{**dict(p), "seat": seat, "delivery_mode": delivery_mode} for p, seat in zip(people, chosen_seats)]
        if len(people) == quantity
        else people,
        quantity,
        fields_of(session, order.event_id, ("badge",)),
    )

    priced = price_order([LineInput(Decimal(tariff.unit_price_ht), quantity, Decimal(tariff.tax_rate))]).lines[0]
    line = OrderLine(
        order_id=order.id,
        tariff_id=tariff.id,
        kind=tariff.kind,
        name=tariff.name,
        quantity=quantity,
        unit_price_ht=priced.unit_price_ht,
        tax_rate=priced.tax_rate,
        discount_amount=priced.discount_amount,
        total_ht=priced.total_ht,
        total_ttc=priced.total_ttc,
    )
    session.add(line)
    session.flush()
    items = []
    for person in people:
        item = OrderItem(
            order_id=order.id,
            order_line_id=line.id,
            holder_first_name=person["first_name"],
            holder_last_name=person["last_name"],
            holder_email=person["email"],
            seat=person["seat"],
            delivery_mode=delivery_mode,
            created_at=now,
        )
        session.add(item)
        session.flush()
        items.append(item)
        write_values(session, order.id, item.id, person["fields"])
    claim_seats(session, event_id=order.event_id, items=items)
    old_total, old_mode = Decimal(order.total_ttc), order.payment_mode
    order.total_ht = Decimal(order.total_ht) + priced.total_ht
    order.total_ttc = old_total + priced.total_ttc
    if order.payment_mode == PaymentMode.FREE and order.total_ttc > 0:
        order.payment_mode = PaymentMode.INVOICE  # no longer free: the difference is owed
    dated_note = f"{now.date().isoformat()}: {note}"
    order.notes = f"{order.notes}\n{dated_note}" if order.notes else dated_note
    order.version += 1
    order.updated_at = now
    balance = balance_due(total=order.total_ttc, paid=paid)
    details: dict[str, Any] = {
        "lines": history.change(None, f"{quantity} x {tariff.name}"),
        "items_added": quantity,
        "total_ttc": history.change(old_total, order.total_ttc),
        "balance_due": str(balance),
        "delivery_mode": delivery_mode,
    }
    if any(chosen_seats):
        details["seats"] = ", ".join(s for s in chosen_seats if s)
    if old_mode != order.payment_mode:
        details["payment_mode"] = history.change(old_mode, order.payment_mode)
    if balance > 0:  # the balance is due on the event's terms from today, not from the first due date
        due = due_date_for(Terms.of(event), ordered_at=now, event_starts_at=event.starts_at, timezone=event.timezone)
        if due != order.due_date:
            details["due_date"] = history.change(
                order.due_date.isoformat() if order.due_date else None, due.isoformat() if due else None
            )
            order.due_date = due
    history.record(
        session, order_id=order.id, actor=actor, action="tickets_added", details=details, reason=dated_note, at=now
    )
    refresh_payment_state(session, order.id)  # the total grew: a balance is due
    after_modified(session, order, actor=actor, now=now)  # an invoiced order's invoice corrected
    if balance <= 0:
        session.flush()  # nothing owed (a free tariff): holders register now
        register_attendees(session, items_without_attendee(session, [order.id]))
    session.flush()
    return order


def add_tickets_refusal(*, number: int, status: str, source: str) -> str | None:
    """Why tickets cannot be added to this order (None when they can): for pages to explain."""
    try:
        check_can_add_tickets(Order(number=number, status=status, source=source))
    except TransitionRefused as error:
        return error.message
    return None


def record_balance_payment(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    method: str,
    amount: Decimal | str,
    received_at: date | datetime | None = None,
    reference: str = "",
    resend_confirmation: bool = False,
) -> Confirmed:
    """ "Record payment" on a paid order owing a balance after added tickets: the payment is
    confirmed by the ledger (which registers the added holders as attendees when the
    balance reaches zero); then, if asked, the confirmation and the tickets are queued again."""
    require(actor, "orders.record_payment")
    # Bad input is refused first, whatever the order's state (the ledger checks it again).
    method = guards.clean_method(method, allowed=tuple(PaymentMethod))
    amount = clean_amount(amount)
    reference = clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    order = lock_order(session, order_id, actor)
    if order.status != Status.PAID:
        raise TransitionRefused(
            _("Order {number} is not validated: validate it instead of recording a balance.").format(
                number=order.number
            )
        )
    if balance_due(total=Decimal(order.total_ttc), paid=ledger_sums(session, [order.id])[order.id][0]) <= 0:
        raise InvalidInput(_("Order {number} owes nothing.").format(number=order.number))
    outcome = confirm_payment(
        session,
        actor=actor,
        order_id=order.id,
        method=method,
        amount=amount,
        received_at=received_at or datetime.now(UTC),
        reference=reference,
    )
    if outcome.balance_due == 0 and resend_confirmation:
        session.expire(order)
        queue_email(session, order=order, kind="order_confirmation")
        queue_email(session, order=order, kind="tickets")
    session.flush()
    return outcome
