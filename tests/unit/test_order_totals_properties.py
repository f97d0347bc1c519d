"""Order totals exact to the cent, checked by hypothesis against an independent computation in
fractions (several lines, tax rates with three decimals, percent / amount / 100 % codes)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from orders_core.money import Discount, LineInput, price_order

CENT = Fraction(1, 100)

prices = st.integers(min_value=0, max_value=500_000).map(lambda cents: Decimal(cents) / 100)
rates = st.sampled_from(["0", "2.1", "5.5", "7.7", "10", "14.975", "20", "21"]).map(Decimal)
lines = st.lists(
    st.builds(LineInput, unit_price_ht=prices, quantity=st.integers(1, 40), tax_rate=rates, discountable=st.booleans()),
    min_size=1,
    max_size=6,
)
percents = st.integers(min_value=1, max_value=10_000).map(lambda bp: Decimal(bp) / 100)  # 0.01 % .. 100 %
amounts = st.integers(min_value=1, max_value=2_000_000).map(lambda cents: Decimal(cents) / 100)


def half_up(value: Fraction) -> Fraction:
    """Round a non-negative fraction to the cent, halves up (the domain's rule 7)."""
    cents = value / CENT
    whole = cents.numerator // cents.denominator
    return (whole + (1 if cents - whole >= Fraction(1, 2) else 0)) * CENT


def frac(value: Decimal) -> Fraction:
    return Fraction(value)


def check_lines_and_totals(priced, inputs, discounts: list[Fraction]) -> None:
    total_ht = total_ttc = Fraction(0)
    for line, given_line, discount in zip(priced.lines, inputs, discounts, strict=True):
        gross = frac(given_line.unit_price_ht) * given_line.quantity
        ht = gross - discount
        tax = half_up(ht * frac(given_line.tax_rate) / 100)
        assert frac(line.discount_amount) == discount
        assert frac(line.total_ht) == ht
        assert frac(line.total_ttc) == ht + tax
        assert line.total_ttc.as_tuple().exponent == -2  # exactly to the cent, never more digits
        total_ht += ht
        total_ttc += ht + tax
    assert frac(priced.total_ht) == total_ht
    assert frac(priced.total_ttc) == total_ttc
    assert priced.total_ttc >= priced.total_ht >= 0


@settings(max_examples=300, deadline=None)
@given(lines)
def test_without_code_each_line_is_price_times_quantity_plus_its_rounded_tax(inputs):
    priced = price_order(inputs)
    check_lines_and_totals(priced, inputs, [Fraction(0)] * len(inputs))


@settings(max_examples=300, deadline=None)
@given(lines, percents)
def test_a_percentage_code_takes_its_rounded_share_of_each_eligible_line(inputs, percent):
    priced = price_order(inputs, Discount(percent_off=percent))
    expected = [
        half_up(frac(i.unit_price_ht) * i.quantity * frac(percent) / 100) if i.discountable else Fraction(0)
        for i in inputs
    ]
    check_lines_and_totals(priced, inputs, expected)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_a_100_percent_code_makes_every_eligible_line_free(inputs):
    priced = price_order(inputs, Discount(percent_off=Decimal("100")))
    for line, given_line in zip(priced.lines, inputs, strict=True):
        if given_line.discountable:
            assert line.total_ht == line.total_ttc == 0
    if all(i.discountable for i in inputs):
        assert priced.total_ttc == 0


@settings(max_examples=300, deadline=None)
@given(lines, amounts)
def test_an_amount_code_is_spread_exactly_and_never_exceeds_what_it_applies_to(inputs, amount):
    priced = price_order(inputs, Discount(amount_off=amount))
    gross = [frac(i.unit_price_ht) * i.quantity for i in inputs]
    base = sum((g for g, i in zip(gross, inputs) if i.discountable), Fraction(0))
    discounts = [frac(line.discount_amount) for line in priced.lines]
    assert sum(discounts) == min(frac(amount), base)  # to the cent, no cent lost or invented
    for discount, g, given_line in zip(discounts, gross, inputs, strict=True):
        assert 0 <= discount <= g
        if not given_line.discountable:
            assert discount == 0
        elif base:
            # each share is the proportional one, up to the rounding of the lines
            assert abs(discount - min(frac(amount), base) * g / base) <= CENT * len(inputs)
    check_lines_and_totals(priced, inputs, discounts)
