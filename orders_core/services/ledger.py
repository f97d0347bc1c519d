"""One money ledger (issue 20, domain rule 12): confirming a payment is the only way an order
becomes paid. Bulk validation, the wizard's paid offline, the balance payment after added
tickets, the reconciliation confirm, an admin's approval, the provider's callback, `orders demo`
and the test factories all call `confirm_payment` (one order) or `confirm_payments` (many).

    with unit_of_work(engine) as session:
        outcome = confirm_payment(session, actor=actor, order_id=42, amount="50.00", method="cheque",
                                  received_at=date(2026, 11, 20), reference="CHQ 123")

What one confirmation does, in the caller's transaction, all or nothing:
- the order is locked (FOR UPDATE, in id order) and checked: status, deletion, and the one rule
  of who confirms which payment (orders_core/order_rules.py);
- a `payments` row is inserted (never an edit of an earlier row); a second click with the same
  order, amount, method and reference finds that row under the lock and writes nothing;
- `amount_paid` is recomputed from the ledger (sum of payments - sum of refunds) and with it
  `payment_state` (orders_core/payment_state.py);
- when the payments first cover the total, the order becomes paid once: status `paid`, `paid_at`
  the moment the money arrived (never before the order existed), that payment is its settlement
  (one per order, the database refuses a second), one attendee per badge/ticket unit, one queued
  confirmation email. A later payment covering a balance (added tickets) registers the new
  holders only;
- the settlement sets how the order was paid: an organiser order settled at the desk (cash, card,
  cheque) and not an invoice waiting for its payment becomes `box_office` (the one rule:
  order_rules.settled_payment_mode); any other keeps its payment mode;
- one history entry per order, with the old and new balance and payment state.

Speed: a few statements whatever the number of orders (`validate_orders` of 10,000 orders)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import DateTime, case, func, literal, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from orders_core import bulk, inputs, scope
from orders_core.documents.automatic import after_paid
from orders_core.errors import ConflictError, InvalidInput
from orders_core.history import change
from orders_core.i18n import _, format_money
from orders_core.models import Order, Payment, Refund
from orders_core.order_rules import settled_payment_mode
from orders_core.payment_state import PaymentState, payment_state, state_sql
from orders_core.permissions import SYSTEM, Actor, require
from orders_core.services import guards
from orders_core.services.attendees import items_without_attendee, register_attendees
from orders_core.services.confirmations import queue_confirmations
from orders_core.services.guards import OrderRow
from orders_core.status import PaymentMethod, PaymentMode, Status

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# A second click without a reference is the same payment only if it comes this soon.
DOUBLE_CLICK = timedelta(minutes=2)
# Above this many distinct dates received in one call, orders are settled by the general UPDATE.
MAX_DATE_GROUPS = 8
# Statuses a payment may make paid (anything else is refused); `paid` only takes a balance.
PAYABLE = (Status.AWAITING_PAYMENT, Status.CART_INCOMPLETE, Status.FAILED, Status.PENDING_ONLINE)


@dataclass(frozen=True)
class Incoming:
    """One payment to confirm on a locked, checked order (amount zero: a free order)."""

    row: OrderRow
    amount: Decimal
    method: str
    received_at: datetime
    reference: str = ""
    recorded_at: datetime | None = None  # when it was recorded (default: now; the demo's past)


# One payment's plan: (payment, amount kept before, kept after, becomes paid, state after, the
# order items that get their attendee).
Plan = tuple[Incoming, Decimal, Decimal, bool, PaymentState, Sequence[int]]


@dataclass(frozen=True)
class Confirmed:
    """What confirming one payment did."""

    order_id: int
    number: int
    currency: str
    amount: Decimal  # the payment recorded (zero: none, the order was free or owed nothing)
    balance_due: Decimal  # after it (negative: overpaid)
    payment_state: PaymentState
    became_paid: bool  # this payment made the order paid
    attendees: int  # attendees it created
    duplicate: bool = False  # a double click: the same payment was already there, nothing written

    @property
    def order_number(self) -> int:
        return self.number

    @property
    def attendees_created(self) -> int:
        return self.attendees


def clean_amount(value: object, *, label: str | None = None) -> Decimal:
    """A positive amount with at most two decimals, from a Decimal, int or text ("12,50")."""
    if isinstance(value, float):
        raise InvalidInput(_("Give the amount as text or a decimal number, not a float."))
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("“{value}” is not an amount.").format(value=str(value)[:50])) from None
    if not amount.is_finite():
        raise InvalidInput(_("“{value}” is not an amount.").format(value=str(value)[:50]))
    if amount <= 0:
        raise InvalidInput(_("The amount must be more than zero."))
    if amount >= inputs.MAX_AMOUNT:
        raise InvalidInput(_("{field}: {value} is too large.").format(field=_("The amount"), value=str(value)[:50]))
    if amount != amount.quantize(CENT):
        raise InvalidInput(_("The amount has more than two decimals."))
    return amount.quantize(CENT)


def _money(value: object) -> Decimal:
    if isinstance(value, float):
        return Decimal(f"{value:.2f}")
    return Decimal(str(value or 0)).quantize(CENT)


def ledger_sums(session: Session, ids: Sequence[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """order id -> (sum of its payments, sum of its refunds), read in two queries per chunk."""
    paid: dict[int, Decimal] = {}
    refunded: dict[int, Decimal] = {}
    for target, model in ((paid, Payment), (refunded, Refund)):
        for _part, condition in guards.id_chunks(session, model.order_id, ids):
            query = select(model.order_id, func.sum(model.amount)).where(condition).group_by(model.order_id)
            target.update({order_id: _money(total) for order_id, total in session.execute(query)})
    return {i: (paid.get(i, ZERO), refunded.get(i, ZERO)) for i in ids}


def payment_refusal(
    actor: Actor, row: OrderRow, method: str, *, from_statuses: tuple[Status, ...] = PAYABLE
) -> str | None:
    """Why this actor may not confirm this payment on this locked order now (None: allowed)."""
    return status_refusal(row, from_statuses=from_statuses) or guards.payment_refusal(actor, row, method)


def status_refusal(row: OrderRow, *, from_statuses: tuple[Status, ...] = PAYABLE) -> str | None:
    """Why this locked order takes no payment in its state (None: it takes one)."""
    if row.deleted_at is not None:
        return _("Order {number} is deleted: restore it first.").format(number=row.number)
    status = Status(row.status)
    if status == Status.PAID and row.balance_due <= 0:
        return _("Order {number} is “{status}” and owes nothing: no payment can be recorded.").format(
            number=row.number, status=guards.status_label(row.status)
        )
    if status != Status.PAID and status not in from_statuses:
        return _("Order {number} is “{status}”: no payment can be recorded.").format(
            number=row.number, status=guards.status_label(row.status)
        )
    return None


def confirm_payment(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    amount: Decimal | str,
    method: str,
    received_at: date | datetime,
    reference: str | None = None,
    allow_overpayment: bool = False,
    action: str = "payment_recorded",
    from_statuses: tuple[Status, ...] = PAYABLE,
) -> Confirmed:
    """Confirm money received for one order (see the module doc). An amount above the balance due
    is refused unless `allow_overpayment` (the order is then overpaid, flagged for a refund).
    `from_statuses`: the statuses a payment may make paid (the order being modified in the
    wizard may also be pending an administrator, whose "paid offline" approves it)."""
    require(actor, "orders.provider_callback" if actor.role == SYSTEM else "orders.record_payment")
    now = datetime.now(UTC)
    method = guards.clean_method(method, allowed=tuple(PaymentMethod))
    amount = clean_amount(amount)
    received = guards.clean_received_at(received_at, now=now)
    reference = inputs.clean_text(reference, label=_("The reference"), limit=guards.MAX_REFERENCE)
    ids = guards.order_ids([order_id])
    row = guards.lock_orders(session, ids, actor=actor)[ids[0]]
    # A double click (or a second finance user) finds the first payment under the lock.
    twin = (
        None
        if row.deleted_at
        else _same_payment(session, row.id, amount=amount, method=method, reference=reference, now=now)
    )
    if twin is not None:
        state = PaymentState(row.payment_state)
        return Confirmed(row.id, row.number, row.currency, twin, row.balance, state, False, 0, duplicate=True)
    guards.refuse_one(status_refusal(row, from_statuses=from_statuses))
    guards.require_payment(actor, row, method)  # the one rule of who confirms which payment
    if amount > row.balance_due and not allow_overpayment:
        raise InvalidInput(
            _("{amount} is more than the balance due of order {number} ({balance}).").format(
                amount=format_money(amount, row.currency),
                number=row.number,
                balance=format_money(row.balance_due, row.currency),
            )
        )
    incoming = Incoming(row, amount, method, received, reference)
    return confirm_payments(session, actor=actor, incoming=[incoming], action=action, now=now)[0]


def _same_payment(
    session: Session, order_id: int, *, amount: Decimal, method: str, reference: str, now: datetime
) -> Decimal | None:
    """The amount of an identical payment already in the ledger (a double click), or None."""
    query = select(Payment.amount).where(
        Payment.order_id == order_id, Payment.amount == amount, Payment.method == method
    )
    if reference:
        query = query.where(Payment.reference == reference)
    else:
        query = query.where(Payment.reference == "", Payment.created_at >= now - DOUBLE_CLICK)
    found = session.execute(query.limit(1)).scalar_one_or_none()
    return None if found is None else _money(found)


def confirm_payments(
    session: Session,
    *,
    actor: Actor,
    incoming: Sequence[Incoming],
    action: str,
    now: datetime,
    reason: str | None = None,
    dry_run: bool = False,
    emails: bool = True,
) -> list[Confirmed]:
    """Confirm these payments on locked orders the caller has checked (`payment_refusal`): the
    set-based core every path shares (see the module doc). One payment per order. `emails=False`
    only for the demo loader's past orders, whose confirmations went out long ago."""
    if not incoming:
        return []
    scope.refuse_outside_scope(actor, [p.row for p in incoming])  # the callers locked them in scope
    ids = [p.row.id for p in incoming]
    if len(set(ids)) != len(ids):
        raise InvalidInput(_("One payment per order in one action."))
    sums = ledger_sums(session, ids)
    missing_items = items_without_attendee(session, ids)
    plans: list[Plan] = []
    for p in incoming:
        paid, refunded = sums[p.row.id]
        paid_after = paid + p.amount
        kept = paid_after - refunded
        covered = kept >= p.row.total_ttc
        became_paid = covered and p.row.status != Status.PAID
        status_after = Status.PAID.value if became_paid else p.row.status
        state = payment_state(total=p.row.total_ttc, paid=paid_after, refunded=refunded, status=status_after)
        items = missing_items.get(p.row.id, []) if covered and status_after == Status.PAID else []
        plans.append((p, paid - refunded, kept, became_paid, state, items))
    confirmed = [
        Confirmed(p.row.id, p.row.number, p.row.currency, p.amount, p.row.total_ttc - kept, state, became, len(items))
        for p, _old, kept, became, state, items in plans
    ]
    if dry_run:
        return confirmed
    try:
        _write(session, actor=actor, plans=plans, action=action, now=now, reason=reason, emails=emails)
    except IntegrityError as error:
        raise ConflictError(
            _("These orders were paid by someone else at the same time: nothing was changed. Reload and check them.")
        ) from error
    return confirmed


def _cents(expression: str) -> str:
    return f"CAST(ROUND(({expression}) * 100) AS BIGINT)"


# The ledger of `orders`, in whole cents (SQLite keeps NUMERIC as binary floats).
_PAID = _cents("(SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.order_id = orders.id)")
_REFUNDED = _cents("(SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.order_id = orders.id)")
_SETTLED_AT = "(SELECT MAX(s.received_at) FROM payments s WHERE s.order_id = orders.id AND s.purpose = 'settlement')"


def _recompute(session: Session, ids: Sequence[int], *, became_paid: bool, now: datetime) -> None:
    """amount_paid and payment_state of these orders recomputed from the ledger, in one UPDATE
    per chunk; `became_paid`: they also become paid, on the day their settlement arrived (never
    before they were created; a free order, which has none, now)."""
    status = "'paid'" if became_paid else "orders.status"
    values = dict(
        amount_paid=literal_column(f"({_PAID} - {_REFUNDED}) / 100.0"),
        payment_state=literal_column(state_sql(_cents("orders.total_ttc"), _PAID, _REFUNDED, status)),
        updated_at=now,
        version=Order.version + 1,
    )
    if became_paid:
        settled_at: ColumnElement[datetime] = func.coalesce(
            literal_column(_SETTLED_AT), literal(now, DateTime(timezone=True))
        )
        values.update(
            status=Status.PAID.value,
            paid_at=case((Order.created_at > settled_at, Order.created_at), else_=settled_at),
        )
    for _part, condition in guards.id_chunks(session, Order.id, ids):
        statement = update(Order).where(condition).values(**values).execution_options(synchronize_session=False)
        session.execute(statement)


def _settle_exactly(session: Session, ids: Sequence[int], *, received_at: datetime, now: datetime) -> None:
    """Orders whose new payment covers their total exactly (no refund) become paid: amount_paid
    is their total, the state `paid`, paid_at when the money arrived (never before creation)."""
    received = literal(received_at, DateTime(timezone=True))
    values = dict(
        status=Status.PAID.value,
        paid_at=case((Order.created_at > received, Order.created_at), else_=received),
        amount_paid=Order.total_ttc,
        payment_state=PaymentState.PAID.value,
        updated_at=now,
        version=Order.version + 1,
    )
    for _part, condition in guards.id_chunks(session, Order.id, ids):
        statement = update(Order).where(condition).values(**values).execution_options(synchronize_session=False)
        session.execute(statement)


def _settled_modes(plans: Sequence[Plan]) -> dict[int, PaymentMode]:
    """order id -> its new payment mode, for the orders this settlement changes the mode of."""
    modes: dict[int, PaymentMode] = {}
    for p, _old, _kept, became, _state, _att in plans:
        if not became or p.amount <= 0:
            continue
        mode = settled_payment_mode(
            source=p.row.source, payment_mode=p.row.payment_mode, status=p.row.status, method=p.method
        )
        if mode != p.row.payment_mode:
            modes[p.row.id] = mode
    return modes


def _set_mode(session: Session, ids: Sequence[int], mode: PaymentMode) -> None:
    for _part, condition in guards.id_chunks(session, Order.id, ids):
        statement = (
            update(Order).where(condition).values(payment_mode=mode.value).execution_options(synchronize_session=False)
        )
        session.execute(statement)


def refresh_payment_state(session: Session, order_id: int) -> None:
    """After an order's total changed (tickets added, order modified): its amount paid and
    payment state recomputed from the ledger, in the caller's transaction (no version bump: the
    change that moved the total made its own)."""
    session.flush()
    statement = (
        update(Order)
        .where(Order.id == order_id)
        .values(
            amount_paid=literal_column(f"({_PAID} - {_REFUNDED}) / 100.0"),
            payment_state=literal_column(state_sql(_cents("orders.total_ttc"), _PAID, _REFUNDED, "orders.status")),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)
    loaded = session.get(Order, order_id)  # the caller's object, reloaded with its new amounts
    if loaded is not None:
        session.refresh(loaded, ["amount_paid", "payment_state"])


def _write(
    session: Session,
    *,
    actor: Actor,
    plans: Sequence[Plan],
    action: str,
    now: datetime,
    reason: str | None,
    emails: bool,
) -> None:
    payments = [
        dict(
            order_id=p.row.id,
            method=p.method,
            amount=p.amount,
            currency=p.row.currency,
            received_at=p.received_at,
            reference=p.reference,
            recorded_by=actor.email,
            created_at=p.recorded_at or now,
            purpose="settlement" if became else "payment",
        )
        for p, _old, _kept, became, _state, _att in plans
        if p.amount > 0
    ]
    if payments:
        bulk.insert_rows(session.connection(), "payments", payments)
    paying = [p.row.id for p, _old, _kept, became, _state, _att in plans if became]
    # The common case (a validation): paid exactly, nothing refunded, one date received. Its new
    # amounts are the order's own total, without reading the ledger again.
    exact: dict[datetime, list[int]] = {}
    for p, old, kept, became, state, _att in plans:
        if became and kept == p.row.total_ttc and state == PaymentState.PAID and old == p.row.amount_paid:
            exact.setdefault(p.received_at, []).append(p.row.id)
    if len(exact) > MAX_DATE_GROUPS:
        exact = {}
    for received, ids in exact.items():
        _settle_exactly(session, ids, received_at=received, now=now)
    done = {i for ids in exact.values() for i in ids}
    rest = [i for i in paying if i not in done]
    others = [p.row.id for p, _old, _kept, became, _state, _att in plans if not became]
    if rest:
        _recompute(session, rest, became_paid=True, now=now)
    if others:
        _recompute(session, others, became_paid=False, now=now)
    modes = _settled_modes(plans)
    for mode in set(modes.values()):
        _set_mode(session, [i for i, m in modes.items() if m == mode], mode)
    register_attendees(session, {p.row.id: items for p, *_rest, items in plans})
    history = []
    for p, old, kept, became, state, items in plans:
        details = {
            "amount_paid": change(old, kept),
            "balance_due": change(p.row.total_ttc - old, p.row.total_ttc - kept),
            "payment_state": change(p.row.payment_state, state.value),
            "attendees_created": len(items),
        }
        if became:
            details["status"] = change(p.row.status, Status.PAID.value)
        if p.row.id in modes:
            details["payment_mode"] = change(p.row.payment_mode, modes[p.row.id].value)
        if p.amount > 0:
            details["payment"] = {
                "method": p.method,
                "amount": str(p.amount),
                "currency": p.row.currency,
                "received_at": p.received_at.isoformat(),
                "reference": p.reference,
            }
        history.append(
            dict(order_id=p.row.id, at=now, actor=actor.email, action=action, details=details, reason=reason)
        )
    bulk.insert_rows(session.connection(), "order_history", history)
    after_paid(session, paying, actor=actor, now=now)  # their invoices, before the confirmations
    if emails:
        queue_confirmations(session, paying, now=now)
    # ORM objects loaded earlier in this session must not show stale amounts or statuses.
    session.expire_all()
