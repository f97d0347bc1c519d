"""Pricing (orders_core/money.py): half-up per line, discounts spread onto lines with the
remainder on the largest, taxes such as Québec's 14.975 %, checked against an independent
computation in integer cents and exact fractions."""

from __future__ import annotations

import math
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_core.money import Discount, LineInput, price_order, spread_discount, tax_of, to_money


def test_to_money_rounds_half_up_to_the_cent_and_refuses_floats():
    assert to_money("0.005") == D("0.01")
    assert to_money("0.0049") == D("0.00")
    assert to_money("2.675") == D("2.68")  # a float would give 2.67
    assert to_money(D("-1.005")) == D("-1.01")
    with pytest.raises(TypeError):
        to_money(0.1)


def test_tax_is_rounded_half_up_per_line():
    order = price_order([LineInput(D("0.05"), 1, D("10")), LineInput(D("0.05"), 1, D("10"))])
    assert [line.tax for line in order.lines] == [D("0.01"), D("0.01")]  # 0.005 each, rounded up per line
    assert order.total_tax == D("0.02") and order.total_ttc == D("0.12")


def test_quebec_tax_of_14_975_percent():
    assert tax_of(D("100.00"), D("14.975")) == D("14.98")  # 14.975 -> half-up
    assert tax_of(D("200.00"), D("14.975")) == D("29.95")
    assert tax_of(D("33.33"), D("14.975")) == D("4.99")
    order = price_order([LineInput(D("100.00"), 3, D("14.975"))])
    assert (order.total_ht, order.total_tax, order.total_ttc) == (D("300.00"), D("44.93"), D("344.93"))


def test_a_percentage_discount_is_applied_to_each_line_half_up():
    order = price_order(
        [LineInput(D("33.33"), 1, D("20")), LineInput(D("10.00"), 1, D("20"))], Discount(percent_off=D("15"))
    )
    assert [line.discount_amount for line in order.lines] == [D("5.00"), D("1.50")]  # 4.9995 -> 5.00
    assert [line.total_ht for line in order.lines] == [D("28.33"), D("8.50")]
    assert order.total_discount == D("6.50")
    assert order.total_ht == D("36.83") and order.total_ttc == D("44.20")  # 28.33+5.67 + 8.50+1.70


def test_a_fixed_discount_is_spread_in_proportion_and_adds_up_exactly():
    parts = spread_discount([D("290.00"), D("22.50")], [True, True], Discount(amount_off=D("50.00")))
    assert parts == [D("46.40"), D("3.60")]


def test_the_rounding_remainder_of_a_fixed_discount_goes_to_the_largest_line():
    parts = spread_discount([D("1.00"), D("1.00"), D("2.00")], [True, True, True], Discount(amount_off=D("0.10")))
    assert parts == [D("0.03"), D("0.03"), D("0.04")]  # 0.025 -> 0.03 twice, 0.05 - 0.01 over-rounding
    equal = spread_discount([D("10.00")] * 3, [True] * 3, Discount(amount_off=D("10.00")))
    assert equal == [D("3.34"), D("3.33"), D("3.33")]  # a tie: the first of the largest


def test_a_fixed_discount_is_capped_at_what_it_applies_to():
    order = price_order(
        [LineInput(D("20.00"), 1, D("20")), LineInput(D("15.00"), 1, D("20"), discountable=False)],
        Discount(amount_off=D("50.00")),
    )
    assert [line.discount_amount for line in order.lines] == [D("20.00"), D("0.00")]
    assert order.total_ht == D("15.00") and order.total_ttc == D("18.00")


def test_a_100_percent_code_makes_the_order_free():
    order = price_order(
        [LineInput(D("290.00"), 2, D("20")), LineInput(D("22.50"), 3, D("10"))], Discount(percent_off=D("100"))
    )
    assert order.total_ht == order.total_tax == order.total_ttc == D("0.00")
    assert order.total_discount == D("647.50")


def test_no_discount_leaves_lines_whole_and_totals_are_sums_of_lines():
    order = price_order([LineInput(D("19.99"), 3, D("20")), LineInput(D("0.01"), 7, D("5.5"))])
    assert [line.gross_ht for line in order.lines] == [D("59.97"), D("0.07")]
    assert order.total_ht == D("60.04")
    assert order.total_tax == D("11.99") + D("0.00")  # 11.994 -> 11.99; 0.00385 -> 0.00
    assert order.total_ttc == sum((line.total_ttc for line in order.lines), D(0))


# ---- property: price_order agrees with an independent computation in cents and fractions ----


def _half_up(x: Fraction) -> int:
    """Round a non-negative fraction of cents to whole cents, half up."""
    return math.floor(x + Fraction(1, 2))


def _reference(lines: list[tuple[int, int, Fraction, bool]], percent: Fraction | None, amount: int | None):
    """(price in cents, quantity, tax rate %, discountable) -> (per-line ht, tax, ttc) in cents."""
    gross = [price * quantity for price, quantity, _, _ in lines]
    eligible = [i for i, (_, _, _, ok) in enumerate(lines) if ok and gross[i] > 0]
    discount = [0] * len(lines)
    if eligible and percent is not None:
        for i in eligible:
            discount[i] = min(gross[i], _half_up(Fraction(gross[i]) * percent / 100))
    elif eligible and amount is not None:
        base = sum(gross[i] for i in eligible)
        capped = min(amount, base)
        for i in eligible:
            discount[i] = _half_up(Fraction(capped * gross[i], base))
        largest = max(eligible, key=lambda i: (gross[i], -i))
        discount[largest] += capped - sum(discount)
    result = []
    for (_, _, rate, _), g, d in zip(lines, gross, discount, strict=True):
        ht = g - d
        tax = _half_up(Fraction(ht) * rate / 100)
        result.append((ht, tax, ht + tax, d))
    return result


RATES = [D("0"), D("2.5"), D("5.5"), D("7.7"), D("8.1"), D("10"), D("14.975"), D("20"), D("21")]

line_strategy = st.tuples(
    st.integers(min_value=0, max_value=500_000),  # unit price HT in cents
    st.integers(min_value=1, max_value=50),
    st.sampled_from(RATES),
    st.booleans(),
)
discount_strategy = st.one_of(
    st.none(),
    st.builds(lambda p: Discount(percent_off=D(p) / 10), st.integers(min_value=1, max_value=1000)),
    st.builds(lambda c: Discount(amount_off=D(c) / 100), st.integers(min_value=1, max_value=2_000_000)),
)


def _cents(value: D) -> int:
    assert value == value.quantize(D("0.01")), value
    return int(value * 100)


@settings(max_examples=400, deadline=None)
@given(st.lists(line_strategy, min_size=1, max_size=6), discount_strategy)
def test_price_order_agrees_with_an_independent_computation_in_cents(lines, discount):
    priced = price_order(
        [LineInput(D(price) / 100, quantity, rate, ok) for price, quantity, rate, ok in lines], discount
    )
    percent = Fraction(discount.percent_off) if discount and discount.percent_off is not None else None
    amount = _cents(discount.amount_off) if discount and discount.amount_off is not None else None
    expected = _reference([(p, q, Fraction(r), ok) for p, q, r, ok in lines], percent, amount)

    got = [
        (_cents(ln.total_ht), _cents(ln.tax), _cents(ln.total_ttc), _cents(ln.discount_amount)) for ln in priced.lines
    ]
    assert got == expected
    assert _cents(priced.total_ht) == sum(e[0] for e in expected)
    assert _cents(priced.total_ttc) == sum(e[2] for e in expected)
    assert _cents(priced.total_discount) == sum(e[3] for e in expected)
    assert all(line.total_ht >= 0 and line.total_ttc >= line.total_ht for line in priced.lines)
