"""What every lifecycle service checks before it writes: the input (ids, dates, methods,
reasons), the rows (locked, in id order, so two bulk actions never deadlock), and whether the
order's status allows the change. Messages are translated and name the order number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar, cast, overload

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core import scope
from orders_core.db import id_chunks as id_chunks  # the services call it guards.id_chunks
from orders_core.errors import InvalidInput, OrderError, TransitionRefused
from orders_core.i18n import _, as_utc, ngettext
from orders_core.inputs import _as_id, clean_id, clean_text
from orders_core.models import Base, Event, Order, Refund
from orders_core.money import CENT
from orders_core.order_rules import require_payment_method
from orders_core.payment_state import balance_due, refund_due
from orders_core.permissions import Actor
from orders_core.status import OFFLINE_METHODS, STATUS_LABELS, Status

M = TypeVar("M", bound=Base)

MAX_REASON = 2000
MAX_REFERENCE = 200
MAX_ORDERS = 50_000
# SQLite binds at most 32,766 parameters per statement; stay well under it.
# A payment date may be "today" anywhere on Earth (UTC+14) without being in the future.
CLOCK_SLACK = timedelta(hours=14)


@dataclass(frozen=True)
class Refusal:
    """One order a bulk action left alone, and why (already translated)."""

    order_id: int
    number: int | None
    reason: str


@dataclass(frozen=True)
class OrderRow:
    """The locked columns a lifecycle decision needs (plain values, no ORM object)."""

    id: int
    number: int
    event_id: int
    status: str
    payment_mode: str
    source: str
    currency: str
    total_ttc: Decimal
    amount_paid: Decimal
    created_at: datetime
    deleted_at: datetime | None
    payment_state: str = "unpaid"
    refunded: Decimal = Decimal("0.00")  # the sum of its refunds

    @property
    def balance(self) -> Decimal:
        """Total - amount kept: what a validation pays to make the order paid (negative: overpaid)."""
        return _money(self.total_ttc) - _money(self.amount_paid)

    @property
    def balance_due(self) -> Decimal:
        """What the buyer owes by the one rule (orders_core.payment_state): total - payments."""
        return balance_due(total=_money(self.total_ttc), paid=_money(self.amount_paid) + _money(self.refunded))

    @property
    def refund_due(self) -> Decimal:
        """What is owed back to the buyer: the amount kept beyond the total."""
        return refund_due(total=_money(self.total_ttc), kept=_money(self.amount_paid))


def _money(value: float | Decimal | int | str) -> Decimal:
    # SQLite returns NUMERIC as float-backed values: go through a 2-place string, exact at this scale.
    # PostgreSQL's are Decimals already (no copy: this runs for every order a bulk action locks).
    if isinstance(value, float):
        return Decimal(f"{value:.2f}")
    return (value if isinstance(value, Decimal) else Decimal(value)).quantize(CENT)


def status_label(status: str) -> str:
    return _(STATUS_LABELS[Status(status)])


def order_ids(values: Any) -> list[int]:
    """Distinct order ids, sorted; anything that is not a whole number is refused as a whole."""
    if isinstance(values, (str, int)):
        values = [values]
    ids: set[int] = set()
    for value in values:
        number = _as_id(value)
        if number is None:
            raise InvalidInput(_("“{value}” is not an order id.").format(value=str(value).strip()[:50]))
        ids.add(number)
    if not ids:
        raise InvalidInput(_("Select at least one order."))
    if len(ids) > MAX_ORDERS:
        raise InvalidInput(_("At most {limit} orders can be changed in one action.").format(limit=MAX_ORDERS))
    return sorted(ids)


@overload
def clean_reason(reason: str | None, *, required: Literal[True]) -> str: ...
@overload
def clean_reason(reason: str | None, *, required: bool) -> str | None: ...
def clean_reason(reason: str | None, *, required: bool) -> str | None:
    text = clean_text(reason, label=_("The reason"), limit=MAX_REASON, required=required)
    return text or None


def clean_method(method: str | None, *, allowed: Sequence[str] = OFFLINE_METHODS) -> str:
    """A payment method of the list (offline by default); who may confirm it is order_rules'."""
    text = (method or "").strip()
    if not text:
        raise InvalidInput(_("Choose the payment method that was used."))
    if text not in allowed:
        raise InvalidInput(_("“{method}” is not a payment method that can be recorded here.").format(method=text[:50]))
    return text


def clean_received_at(value: date | datetime | None, *, now: datetime) -> datetime:
    """When the money arrived, in UTC. A date alone is read as noon UTC (or now, if earlier);
    a naive datetime is UTC. A date in the future is refused."""
    if value is None:
        raise InvalidInput(_("Give the date the payment was received."))
    if isinstance(value, datetime):
        received = as_utc(value).astimezone(UTC)
    elif isinstance(value, date):
        received = min(datetime.combine(value, time(12, 0), tzinfo=UTC), now)
        if value > (now + CLOCK_SLACK).date():
            raise InvalidInput(_("The payment date {date} is in the future.").format(date=value.isoformat()))
    else:
        raise InvalidInput(_("The payment date is not a date."))
    if received > now + timedelta(minutes=5):
        raise InvalidInput(_("The payment date {date} is in the future.").format(date=received.date().isoformat()))
    if received.year < 2000:
        raise InvalidInput(
            _("The payment date {date} is too far in the past.").format(date=received.date().isoformat())
        )
    return received


_COLUMNS = (
    Order.id,
    Order.number,
    Order.event_id,
    Order.status,
    Order.payment_mode,
    Order.source,
    Order.currency,
    Order.total_ttc,
    Order.amount_paid,
    Order.created_at,
    Order.deleted_at,
    Order.payment_state,
    # The refunds (few orders have any): with amount_paid, the payments the balance rule needs.
    select(func.coalesce(func.sum(Refund.amount), 0))
    .where(Refund.order_id == Order.id)
    .correlate(Order)
    .scalar_subquery()
    .label("refunded"),
)


def lock_orders(
    session: Session, ids: Sequence[int], *, actor: Actor, lock: bool = True, bulk: bool = False
) -> dict[int, OrderRow]:
    """Lock the orders (FOR UPDATE on PostgreSQL, in id order; SQLite's unit of work already
    holds the write lock) and return them by id. Unknown ids are refused as a whole: they mean
    a stale or forged request, not an order to report on. `lock=False` is for dry runs.

    Scope (domain rule 16): for a single-order service (`bulk=False`) an order outside the
    actor's events is an unknown id (same message); a bulk action on a selection (`bulk=True`)
    is refused as a whole, naming the orders outside the scope (scope.refuse_outside_scope)."""
    rows: dict[int, OrderRow] = {}
    for _part, condition in id_chunks(session, Order.id, ids):
        query = select(*_COLUMNS).where(condition).order_by(Order.id)
        for row in session.execute(query.with_for_update() if lock else query):
            rows[row.id] = OrderRow(
                row.id,
                row.number,
                row.event_id,
                row.status,
                row.payment_mode,
                row.source,
                row.currency,
                _money(row.total_ttc),
                _money(row.amount_paid),
                as_utc(row.created_at),
                row.deleted_at,
                row.payment_state,
                _money(row.refunded),
            )
    if not bulk:
        rows = {i: row for i, row in rows.items() if actor.sees_event(row.event_id)}
    missing = [i for i in ids if i not in rows]
    if missing:
        shown = ", ".join(str(i) for i in missing[:5]) + ("…" if len(missing) > 5 else "")
        raise InvalidInput(
            ngettext(
                "Unknown order id: {ids}. Nothing was changed.",
                "Unknown order ids: {ids}. Nothing was changed.",
                len(missing),
            ).format(ids=shown)
        )
    scope.refuse_outside_scope(actor, rows)
    return rows


def refusal_for(row: OrderRow, target: Status, *, allowed_from: Iterable[Status], action: str) -> str | None:
    """Why `row` may not take this action, or None. `action` is a translated verb phrase
    ("validated", "cancelled"...)."""
    from orders_core.status import can_transition

    if row.deleted_at is not None:
        return _("Order {number} is deleted: restore it first.").format(number=row.number)
    allowed_from = set(allowed_from)
    if Status(row.status) in allowed_from and can_transition(row.status, target):
        return None
    if Status(row.status) == target:
        return _("Order {number} is already “{status}”.").format(number=row.number, status=status_label(row.status))
    if not can_transition(row.status, target) and Status(row.status) in (Status.PAID, Status.CANCELLED):
        return _("Order {number} is “{status}”, a final status: it cannot be {action}.").format(
            number=row.number, status=status_label(row.status), action=action
        )
    return _("Order {number} is “{status}”: it cannot be {action}.").format(
        number=row.number, status=status_label(row.status), action=action
    )


def require_payment(actor: Actor, row: OrderRow, method: str) -> None:
    """The one rule of who confirms which payment (orders_core.order_rules), on a locked order."""
    require_payment_method(
        actor, method, number=row.number, source=row.source, payment_mode=row.payment_mode, status=row.status
    )


def payment_refusal(actor: Actor, row: OrderRow, method: str) -> str | None:
    """The same rule, as the reason a bulk action reports (None when this payment is allowed)."""
    try:
        require_payment(actor, row, method)
    except OrderError as error:
        return error.message
    return None


def refuse_one(reason: str | None) -> None:
    """Single-order services raise the refusal instead of reporting it."""
    if reason:
        raise TransitionRefused(reason)


def lock_by_id(session: Session, model: type[M], row_id: int, missing: str, *, actor: Actor) -> M:
    """The row of `model` with this id, locked until the transaction ends (FOR UPDATE on
    PostgreSQL; SQLite's unit of work already holds the write lock). `missing` is the message
    when there is no such row, or when the row belongs to an event outside the actor's scope
    (an event itself, or a row naming its event or its order)."""
    row_id = clean_id(row_id, missing=missing)
    id_column = cast(Any, model).id  # every model locked by id has an `id` primary key
    row = session.scalars(select(model).where(id_column == row_id).with_for_update()).one_or_none()
    if row is None:
        raise InvalidInput(missing)
    scope.require_row(actor, event_of(session, row), missing)
    return row


def event_of(session: Session, row: Any) -> int | None:
    """The event a row belongs to: an event is its own, a tariff / code / form field / template
    names it, an order's email or draft goes through its order (None: shared by every event)."""
    if isinstance(row, Event):
        return row.id
    if hasattr(row, "event_id"):
        return cast(int | None, row.event_id)
    order_id = getattr(row, "order_id", None)
    if order_id is None:
        return None
    return session.scalar(select(Order.event_id).where(Order.id == order_id))
