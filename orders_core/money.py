"""Exact money: Decimal, half-up to the cent per line, discounts spread onto lines (rule 7).

Pure functions; the services, the demo generator and `orders check` all price with these, so
a total computed anywhere agrees with a total computed everywhere else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def to_money(value: Decimal | int | str) -> Decimal:
    """A Decimal rounded half-up to the cent; floats are refused (they are never exact)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or a Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_of(amount_ht: Decimal, tax_rate_percent: Decimal) -> Decimal:
    return to_money(amount_ht * Decimal(tax_rate_percent) / HUNDRED)


@dataclass(frozen=True)
class LineInput:
    unit_price_ht: Decimal
    quantity: int
    tax_rate: Decimal  # percent, e.g. Decimal("20") or Decimal("14.975")
    discountable: bool = True  # whether the order's discount code applies to this line


@dataclass(frozen=True)
class PricedLine:
    unit_price_ht: Decimal
    quantity: int
    tax_rate: Decimal
    gross_ht: Decimal
    discount_amount: Decimal
    total_ht: Decimal
    tax: Decimal
    total_ttc: Decimal


@dataclass(frozen=True)
class Discount:
    """A discount code's reduction: exactly one of percent_off / amount_off is set."""

    percent_off: Decimal | None = None
    amount_off: Decimal | None = None


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    total_ht: Decimal
    total_tax: Decimal
    total_ttc: Decimal
    total_discount: Decimal


def spread_discount(gross: Sequence[Decimal], discountable: Sequence[bool], discount: Discount | None) -> list[Decimal]:
    """The discount of each line. A percentage is applied per line (half-up); a fixed amount is
    capped at what it applies to and split in proportion to the lines' amounts, the rounding
    remainder going to the largest line, so the parts always add up to the amount exactly."""
    parts = [ZERO] * len(gross)
    if discount is None:
        return parts
    eligible = [i for i, ok in enumerate(discountable) if ok and gross[i] > 0]
    if not eligible:
        return parts
    if discount.percent_off is not None:
        for i in eligible:
            parts[i] = min(gross[i], to_money(gross[i] * discount.percent_off / HUNDRED))
        return parts
    base = sum((gross[i] for i in eligible), ZERO)
    amount = min(to_money(discount.amount_off or ZERO), base)
    for i in eligible:
        parts[i] = to_money(amount * gross[i] / base)
    remainder = amount - sum(parts, ZERO)
    largest = max(eligible, key=lambda i: (gross[i], -i))
    parts[largest] += remainder
    return parts


def price_order(lines: Sequence[LineInput], discount: Discount | None = None) -> PricedOrder:
    """Price every line after its share of the discount, then add up (totals = sums of lines)."""
    gross = [to_money(Decimal(line.unit_price_ht) * line.quantity) for line in lines]
    discounts = spread_discount(gross, [line.discountable for line in lines], discount)
    priced = []
    for line, line_gross, line_discount in zip(lines, gross, discounts, strict=True):
        total_ht = line_gross - line_discount
        tax = tax_of(total_ht, line.tax_rate)
        priced.append(
            PricedLine(
                unit_price_ht=to_money(line.unit_price_ht),
                quantity=line.quantity,
                tax_rate=Decimal(line.tax_rate),
                gross_ht=line_gross,
                discount_amount=line_discount,
                total_ht=total_ht,
                tax=tax,
                total_ttc=total_ht + tax,
            )
        )
    total_ht = sum((p.total_ht for p in priced), ZERO)
    total_tax = sum((p.tax for p in priced), ZERO)
    return PricedOrder(
        lines=tuple(priced),
        total_ht=total_ht,
        total_tax=total_tax,
        total_ttc=total_ht + total_tax,
        total_discount=sum(discounts, ZERO),
    )
