"""Pricing an order before it exists: the wizard's live totals and the checks every save repeats.

`quote_order` validates the tariffs (of the event, active, on sale, capacity left) and the
discount code (of the event, active, in its dates, uses left), then prices exactly with
`orders_core.money.price_order`. With `lock=True` (inside a saving transaction) it locks the
tariff and code rows before counting what is already held, so two concurrent saves cannot both
take the last unit or the last use of a code on PostgreSQL; SQLite serialises writers anyway."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders_core.discount_codes import applicable_tariff_ids, resolve_discount_code
from orders_core.errors import InvalidInput
from orders_core.i18n import _, as_utc
from orders_core.inputs import clean_id, clean_int, clean_quantity
from orders_core.models import DiscountCode, Event, Order, OrderLine, Tariff
from orders_core.money import ZERO, Discount, LineInput, price_order
from orders_core.status import ADMITTING_KINDS, HOLDING_STATUSES

# A code is refused past this many characters (the column holds 64).
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class QuoteLine:
    tariff_id: int
    kind: str
    name: str
    currency: str
    quantity: int
    unit_price_ht: Decimal
    tax_rate: Decimal
    discount_amount: Decimal
    total_ht: Decimal
    tax: Decimal
    total_ttc: Decimal

    @property
    def admits(self) -> bool:
        return self.kind in ADMITTING_KINDS


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    quantity: int
    total_ht: Decimal
    total_tax: Decimal
    total_ttc: Decimal
    total_discount: Decimal


@dataclass(frozen=True)
class Quote:
    """The priced selection: lines in tariff order, totals per currency (never added up)."""

    event_id: int
    lines: tuple[QuoteLine, ...]
    totals: dict[str, CurrencyTotals]
    code: str | None

    @property
    def currency(self) -> str:
        return next(iter(self.totals))

    @property
    def total(self) -> CurrencyTotals:
        return self.totals[self.currency]

    @property
    def units(self) -> list[QuoteLine]:
        """One entry per badge/ticket unit: the holder forms of step 3, in this order."""
        return [line for line in self.lines if line.admits for _unit in range(line.quantity)]


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


def clean_quantities(quantities: Mapping[str, Any]) -> dict[int, int]:
    """Tariff id -> whole quantity >= 0; anything else is refused with a readable message."""
    clean: dict[int, int] = {}
    for tariff_id, quantity in quantities.items():
        key = clean_id(tariff_id, missing=_("Tariff {id} does not exist.").format(id=str(tariff_id)[:30]))
        try:
            number = clean_int(quantity, label=_("A quantity"), minimum=-(10**6), maximum=10**6)
        except InvalidInput:
            raise InvalidInput(_("Quantities must be whole numbers.")) from None
        if number < 0:
            raise InvalidInput(_("A quantity cannot be negative."))
        if number:
            clean[key] = clean_quantity(clean.get(key, 0) + number)
    return clean


def held_units(session: Session, tariff_ids: Sequence[int], *, exclude_order_id: int | None = None) -> dict[int, int]:
    """Units of each tariff held by orders (paid or awaiting a payment, not deleted): the same
    count as the catalogue's "remaining" column."""
    if not tariff_ids:
        return {}
    query = (
        select(OrderLine.tariff_id, func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.tariff_id.in_(list(tariff_ids)), Order.status.in_(HOLDING_STATUSES), Order.deleted_at.is_(None)
        )
        .group_by(OrderLine.tariff_id)
    )
    if exclude_order_id is not None:
        query = query.where(Order.id != exclude_order_id)
    return {tariff_id: int(total) for tariff_id, total in session.execute(query)}


def get_event(session: Session, event_id: int) -> Event:
    event_id = clean_id(event_id, missing=_("Event {id} does not exist.").format(id=str(event_id)[:30]))
    event = session.get(Event, event_id)
    if event is None:
        raise InvalidInput(_("Event {id} does not exist.").format(id=event_id))
    return event


def check_tariff_on_sale(tariff: Tariff, event_id: int, at: datetime) -> None:
    if tariff.event_id != event_id:
        raise InvalidInput(_("The tariff {name} is not a tariff of this event.").format(name=tariff.name))
    if not tariff.active:
        raise InvalidInput(_("The tariff {name} is no longer active.").format(name=tariff.name))
    if tariff.sales_start is not None and at < as_utc(tariff.sales_start):
        raise InvalidInput(_("The tariff {name} is not on sale yet.").format(name=tariff.name))
    if tariff.sales_end is not None and at > as_utc(tariff.sales_end):
        raise InvalidInput(_("The sales of the tariff {name} have ended.").format(name=tariff.name))


def check_capacity(
    session: Session, tariffs: Sequence[Tariff], wanted: Mapping[int, int], *, exclude_order_id: int | None = None
) -> None:
    """Refuse when a tariff's capacity would be exceeded (count what other orders hold)."""
    limited = [(t, t.capacity) for t in tariffs if t.capacity is not None]
    held = held_units(session, [t.id for t, _capacity in limited], exclude_order_id=exclude_order_id)
    for tariff, capacity in limited:
        left = max(capacity - held.get(tariff.id, 0), 0)
        if wanted[tariff.id] > left:
            raise InvalidInput(
                _("Only {left} left of {name}: {wanted} asked.").format(
                    left=left, name=tariff.name, wanted=wanted[tariff.id]
                )
            )


def resolve_code(
    session: Session, *, event_id: int, code: str, at: datetime, lock: bool = False, exclude_order_id: int | None = None
) -> DiscountCode:
    """The usable code of this event, or a refusal saying why (the catalogue's rules); with
    `lock`, the code row is locked first so its uses are counted by one saver at a time."""
    value = normalise_code(code)
    if lock and value and len(value) <= MAX_CODE_LENGTH:
        session.scalars(
            select(DiscountCode).where(DiscountCode.event_id == event_id, DiscountCode.code == value).with_for_update()
        ).one_or_none()
    return resolve_discount_code(
        session, event_id=event_id, code=value[: MAX_CODE_LENGTH + 1], at=at, exclude_order_id=exclude_order_id
    )


def quote_order(
    session: Session,
    *,
    event_id: int,
    quantities: Mapping[str, Any],
    codes: Sequence[str] = (),
    at: datetime | None = None,
    lock: bool = False,
    exclude_order_id: int | None = None,
    allow_mixed_currencies: bool = False,
    require_units: bool = True,
    kept: Mapping[int, int] | None = None,
    kept_code: str | None = None,
) -> Quote:
    """Validate a selection and price it exactly; raises InvalidInput with the first problem.

    `exclude_order_id`: the order being modified (its own units and code use do not count).
    `allow_mixed_currencies`: for live totals only; an order always has a single currency.
    `kept` / `kept_code`: what the modified order already holds; keeping it (not adding to it) is
    not refused because a tariff's sales or a code's dates have ended since."""
    at = as_utc(at) if at is not None else datetime.now(UTC)
    get_event(session, event_id)
    wanted = clean_quantities(quantities)
    if require_units and not wanted:
        raise InvalidInput(_("Choose at least one badge, ticket or product (every quantity is zero)."))
    tariff_query = select(Tariff).where(Tariff.id.in_(list(wanted))).order_by(Tariff.id)
    if lock:
        tariff_query = tariff_query.with_for_update()
    tariffs = session.scalars(tariff_query).all()
    missing = set(wanted) - {t.id for t in tariffs}
    if missing:
        raise InvalidInput(_("Tariff {id} does not exist.").format(id=min(missing)))
    kept = kept or {}
    for tariff in tariffs:
        if wanted[tariff.id] <= kept.get(tariff.id, 0) and tariff.event_id == event_id:
            continue
        check_tariff_on_sale(tariff, event_id, at)
    check_capacity(session, tariffs, wanted, exclude_order_id=exclude_order_id)

    chosen = list(dict.fromkeys(normalise_code(c) for c in codes if normalise_code(c)))
    if len(chosen) > 1:
        # Say first what is wrong with a code itself (unknown, expired...): "an order takes a
        # single code" beside an unknown one sent the user to remove the valid one.
        for value in chosen:
            if not (kept_code and normalise_code(kept_code) == value):
                resolve_code(session, event_id=event_id, code=value, at=at, exclude_order_id=exclude_order_id)
        raise InvalidInput(
            _("An order takes a single discount code: remove {code} or the other one.").format(code=chosen[-1])
        )
    code = None
    applies_to: set[int] | None = None
    if chosen:
        if kept_code and normalise_code(kept_code) == chosen[0]:
            code = session.scalars(
                select(DiscountCode).where(DiscountCode.event_id == event_id, DiscountCode.code == chosen[0])
            ).one_or_none()
        if code is None:
            code = resolve_code(
                session, event_id=event_id, code=chosen[0], at=at, lock=lock, exclude_order_id=exclude_order_id
            )
        applies_to = set(applicable_tariff_ids(session, code.id)) or None
        if applies_to is not None and wanted and not applies_to & set(wanted):
            raise InvalidInput(
                _("The discount code {code} applies to none of the chosen tariffs.").format(code=code.code)
            )

    currencies = list(dict.fromkeys(t.currency for t in tariffs))
    if len(currencies) > 1 and not allow_mixed_currencies:
        raise InvalidInput(
            _("An order has a single currency: these tariffs are priced in {currencies}.").format(
                currencies=", ".join(currencies)
            )
        )
    discount = Discount(percent_off=code.percent_off, amount_off=code.amount_off) if code else None
    lines: list[QuoteLine] = []
    totals: dict[str, CurrencyTotals] = {}
    for currency in currencies:
        group = [t for t in tariffs if t.currency == currency]
        priced = price_order(
            [
                LineInput(
                    Decimal(t.unit_price_ht),
                    wanted[t.id],
                    Decimal(t.tax_rate),
                    discountable=applies_to is None or t.id in applies_to,
                )
                for t in group
            ],
            discount,
        )
        for tariff, line in zip(group, priced.lines, strict=True):
            lines.append(
                QuoteLine(
                    tariff.id,
                    tariff.kind,
                    tariff.name,
                    currency,
                    line.quantity,
                    line.unit_price_ht,
                    line.tax_rate,
                    line.discount_amount,
                    line.total_ht,
                    line.tax,
                    line.total_ttc,
                )
            )
        totals[currency] = CurrencyTotals(
            currency,
            sum(wanted[t.id] for t in group),
            priced.total_ht,
            priced.total_tax,
            priced.total_ttc,
            priced.total_discount,
        )
    return Quote(event_id=event_id, lines=tuple(lines), totals=totals, code=code.code if code else None)


def empty_totals(currency: str) -> CurrencyTotals:
    return CurrencyTotals(currency, 0, ZERO, ZERO, ZERO, ZERO)
