"""Partial cancellation (issue 20): finance or an admin cancels some tickets or products of a
paid order, not the whole order. The order's lines, totals (HT, tax, TTC) and ledger follow; the
money it kept beyond its new total shows as a refund due (payment state `overpaid`), and a refund
may be recorded in the same action (orders_core.services.refunds).

    with unit_of_work(engine) as session:
        outcome = cancel_tickets(session, actor=finance, order_id=42, item_ids=[7],
                                 reason="One colleague cannot come",
                                 refund=RefundRequest(amount="120.00", method="bank_transfer",
                                                      refunded_at=date(2026, 11, 20)))

One transaction, all or nothing: the order is locked; each cancelled ticket's order item leaves
its line (the line's quantity and totals are priced again by orders_core.money, its discount
kept per unit), its attendee is marked cancelled (never deleted: it keeps its name and its
order); a product line loses the chosen quantity; the order's totals are the sums of its lines;
`amount_paid` and `payment_state` are recomputed from the ledger; one history entry holds the old
and new lines, totals, balance and refund due. A second click with the same tickets finds them
already cancelled by the first and writes nothing (`duplicate`). `dry_run` computes the outcome
(for the confirmation summary) without writing or locking anything."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from orders_core import history
from orders_core.documents.automatic import after_modified
from orders_core.errors import InvalidInput, TransitionRefused
from orders_core.i18n import _, ngettext
from orders_core.inputs import _as_id, clean_quantity
from orders_core.models import Attendee, FieldValue, Order, OrderHistory, OrderItem, OrderLine
from orders_core.money import ZERO, Discount, LineInput, PricedLine, price_order, to_money
from orders_core.payment_state import PaymentState, balance_due, payment_state, refund_due
from orders_core.permissions import Actor, require
from orders_core.seating import release_seats
from orders_core.services import guards
from orders_core.services.ledger import ledger_sums, refresh_payment_state
from orders_core.services.refunds import RefundOutcome, record_refund
from orders_core.services.tickets import void_cancelled
from orders_core.status import ADMITTING_KINDS, Status

ACTION = "tickets_cancelled"
DOUBLE_CLICK = timedelta(minutes=2)


@dataclass(frozen=True)
class RefundRequest:
    """The refund recorded with the cancellation (the refund form's fields)."""

    amount: Decimal | str
    method: str
    refunded_at: date | datetime
    reference: str | None = None
    send_email: bool = False
    template_id: int | None = None


@dataclass(frozen=True)
class Cancelled:
    """What cancelling some tickets did (or, for a dry run, would do)."""

    order_id: int
    number: int
    currency: str
    lines: tuple[tuple[str, int, int], ...]  # (line name, quantity before, quantity after) of each changed line
    holders: tuple[str, ...]  # the cancelled tickets' holders
    total_ht: tuple[Decimal, Decimal]  # before, after
    total_ttc: tuple[Decimal, Decimal]
    balance_due: Decimal  # after the cancellation, before any refund
    refund_due: Decimal  # after the cancellation, before any refund
    payment_state: PaymentState  # after everything (the refund included)
    refund: RefundOutcome | None = None
    duplicate: bool = False  # a double click: already done, nothing written

    @property
    def tax(self) -> tuple[Decimal, Decimal]:
        return self.total_ttc[0] - self.total_ht[0], self.total_ttc[1] - self.total_ht[1]


def _clean_items(values: Sequence[Any]) -> list[int]:
    ids: set[int] = set()
    for value in values:
        number = _as_id(value)
        if number is None:
            raise InvalidInput(_("“{value}” is not a ticket id.").format(value=str(value).strip()[:50]))
        ids.add(number)
    return sorted(ids)


def _clean_products(values: Mapping[Any, Any]) -> dict[int, int]:
    cleaned: dict[int, int] = {}
    for key, quantity in values.items():
        line_id = _as_id(key)
        if line_id is None:
            raise InvalidInput(_("“{value}” is not an order line id.").format(value=str(key).strip()[:50]))
        count = clean_quantity(quantity)
        if count > 0:
            cleaned[line_id] = count
    return cleaned


def repriced(line: OrderLine, quantity: int) -> PricedLine:
    """The line priced again for `quantity` units by orders_core.money, keeping its discount per
    unit (a share of the discount code spread onto it when the order was made)."""
    discount = Decimal(line.discount_amount or 0)
    kept = to_money(discount * quantity / line.quantity) if line.quantity and discount else ZERO
    lines = [LineInput(Decimal(line.unit_price_ht), quantity, Decimal(line.tax_rate))]
    return price_order(lines, Discount(amount_off=kept) if kept > 0 else None).lines[0]


def _twin(session: Session, order_id: int, items: list[int], products: dict[int, int], now: datetime) -> bool:
    """The same cancellation was just recorded (a double click or a second finance user)."""
    entry = session.scalars(
        select(OrderHistory)
        .where(OrderHistory.order_id == order_id, OrderHistory.action == ACTION, OrderHistory.at >= now - DOUBLE_CLICK)
        .order_by(OrderHistory.id.desc())
        .limit(1)
    ).first()
    if entry is None or not entry.details:
        return False
    asked = {"items": items, "products": {str(k): v for k, v in sorted(products.items())}}
    return bool(entry.details.get("asked") == asked)


def cancel_tickets(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    reason: str,
    item_ids: Sequence[Any] = (),
    products: Mapping[Any, Any] | None = None,
    refund: RefundRequest | None = None,
    dry_run: bool = False,
) -> Cancelled:
    """Cancel these tickets (order item ids) and product units ({line id: quantity}) of a paid
    order (see the module doc)."""
    require(actor, "orders.cancel_tickets")
    now = datetime.now(UTC)
    reason = guards.clean_reason(reason, required=True)
    items = _clean_items(item_ids)
    product_units = _clean_products(products or {})
    if not items and not product_units:
        raise InvalidInput(_("Choose at least one ticket or product to cancel."))
    ids = guards.order_ids([order_id])
    row = guards.lock_orders(session, ids, actor=actor, lock=not dry_run)[ids[0]]
    if row.deleted_at is not None:
        raise TransitionRefused(_("Order {number} is deleted: restore it first.").format(number=row.number))
    if row.status != Status.PAID:
        raise TransitionRefused(
            _("Order {number} is not paid: only a paid order's tickets are cancelled one by one.").format(
                number=row.number
            )
        )
    lines = {
        line.id: line
        for line in session.scalars(select(OrderLine).where(OrderLine.order_id == row.id).order_by(OrderLine.id))
    }
    found = {
        item.id: item
        for item in session.scalars(select(OrderItem).where(OrderItem.order_id == row.id, OrderItem.id.in_(items)))
    }
    if not dry_run and not found and _twin(session, row.id, items, product_units, now):
        state = PaymentState(row.payment_state)
        totals = (row.total_ttc, row.total_ttc)
        return Cancelled(row.id, row.number, row.currency, (), (), totals, totals, ZERO, ZERO, state, duplicate=True)
    missing = [i for i in items if i not in found]
    if missing:
        raise InvalidInput(
            _("Ticket {id} is not in order {number} (already cancelled?): nothing was changed.").format(
                id=missing[0], number=row.number
            )
        )
    removed: dict[int, int] = {}
    for item in found.values():
        removed[item.order_line_id] = removed.get(item.order_line_id, 0) + 1
    for line_id, count in product_units.items():
        line = lines.get(line_id)
        if line is None:
            raise InvalidInput(
                _("Line {id} is not in order {number}: nothing was changed.").format(id=line_id, number=row.number)
            )
        if line.kind in ADMITTING_KINDS:
            raise InvalidInput(_("Choose the tickets of “{name}” one by one, by holder.").format(name=line.name))
        if count > line.quantity:
            raise InvalidInput(
                ngettext(
                    "Order {number} has only {count} “{name}”.",
                    "Order {number} has only {count} “{name}”.",
                    line.quantity,
                ).format(number=row.number, count=line.quantity, name=line.name)
            )
        removed[line_id] = count
    if sum(line.quantity for line in lines.values()) <= sum(removed.values()):
        raise InvalidInput(
            _(
                "That is everything order {number} holds: cancel the whole order instead "
                "(Record a refund, then “Also cancel the order”)."
            ).format(number=row.number)
        )
    new_lines = {line_id: repriced(lines[line_id], lines[line_id].quantity - n) for line_id, n in removed.items()}
    total_ht = sum(
        (new_lines[i].total_ht if i in new_lines else Decimal(line.total_ht) for i, line in lines.items()), ZERO
    )
    total_ttc = sum(
        (new_lines[i].total_ttc if i in new_lines else Decimal(line.total_ttc) for i, line in lines.items()), ZERO
    )
    paid, refunded = ledger_sums(session, [row.id])[row.id]
    kept = paid - refunded
    due, owed_back = balance_due(total=total_ttc, paid=paid), refund_due(total=total_ttc, kept=kept)
    changed = tuple((lines[i].name, lines[i].quantity, lines[i].quantity - n) for i, n in sorted(removed.items()))
    holders = tuple(
        f"{item.holder_first_name} {item.holder_last_name}".strip() or item.holder_email for item in found.values()
    )
    old_ht, old_ttc = guards._money(session.get_one(Order, row.id).total_ht), row.total_ttc
    # What the cancellation does (a dry run stops here); the state after it, before any refund.
    planned = Cancelled(
        row.id,
        row.number,
        row.currency,
        changed,
        holders,
        (old_ht, total_ht),
        (old_ttc, total_ttc),
        due,
        owed_back,
        payment_state(total=total_ttc, paid=paid, refunded=refunded, status=row.status),
    )
    if dry_run:
        return planned
    void_cancelled(session, actor=actor, item_ids=list(found), now=now)  # issue 21
    _write_lines(session, row.id, lines, new_lines, list(found), now)
    order = session.get_one(Order, row.id)
    order.total_ht, order.total_ttc = total_ht, total_ttc
    order.version += 1
    order.updated_at = now
    session.flush()
    refresh_payment_state(session, row.id)
    state_after = PaymentState(order.payment_state)
    details: dict[str, Any] = {
        "lines": history.change(
            ", ".join(f"{old} x {name}" for name, old, _new in changed),
            ", ".join(f"{new} x {name}" for name, _old, new in changed),
        ),
        "tickets_cancelled": ", ".join(holders) if holders else None,
        "total_ht": history.change(old_ht, total_ht),
        "tax": history.change(old_ttc - old_ht, total_ttc - total_ht),
        "total_ttc": history.change(old_ttc, total_ttc),
        "balance_due": history.change(balance_due(total=old_ttc, paid=paid), due),
        "refund_due": history.change(refund_due(total=old_ttc, kept=kept), owed_back),
        "payment_state": history.change(row.payment_state, state_after.value),
        "asked": {"items": items, "products": {str(k): v for k, v in sorted(product_units.items())}},
    }
    history.record(session, order_id=row.id, actor=actor, action=ACTION, details=details, reason=reason, at=now)
    after_modified(session, order, actor=actor, reason=reason, now=now)  # a credit note of what went
    outcome = None
    if refund is not None:
        outcome = record_refund(
            session,
            actor=actor,
            order_id=row.id,
            amount=refund.amount,
            method=refund.method,
            refunded_at=refund.refunded_at,
            reason=reason,
            reference=refund.reference,
            currency=row.currency,
            send_email=refund.send_email,
            template_id=refund.template_id,
        )
        state_after = outcome.payment_state
    session.flush()
    return replace(planned, payment_state=state_after, refund=outcome)


def _write_lines(
    session: Session,
    order_id: int,
    lines: Mapping[int, OrderLine],
    new_lines: Mapping[int, PricedLine],
    item_ids: list[int],
    now: datetime,
) -> None:
    """The cancelled tickets leave their lines (their attendees are marked cancelled, never
    deleted); each changed line takes its new quantity and totals."""
    if item_ids:
        session.execute(
            update(Attendee)
            .where(Attendee.order_item_id.in_(item_ids))
            .values(cancelled_at=now, order_item_id=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(FieldValue).where(FieldValue.order_item_id.in_(item_ids)))
        release_seats(session, item_ids=item_ids)  # rule 17: a cancelled ticket's seat is for sale again
        session.execute(delete(OrderItem).where(OrderItem.id.in_(item_ids)))
    for line_id, priced in new_lines.items():
        line = lines[line_id]
        if priced.quantity == 0:
            session.delete(line)
            continue
        line.quantity = priced.quantity
        line.discount_amount = priced.discount_amount
        line.total_ht = priced.total_ht
        line.total_ttc = priced.total_ttc
    session.flush()
    session.expire_all()
