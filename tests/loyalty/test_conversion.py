"""Fiat to loyalty conversion (loyalty.conversion): the pure arithmetic."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.conversion import fiat_to_loyalty
from loyalty.errors import InvalidFiatAmount, InvalidRounding, InvalidUnitValue
from loyalty.models import Rounding

D = Decimal


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        # 2.5 units: half to even goes down to 2.
        ("0.25", Rounding.BANKERS, 2),
        ("0.25", Rounding.UP, 3),
        ("0.25", Rounding.DOWN, 2),
        # 3.5 units: half to even goes up to 4.
        ("0.35", Rounding.BANKERS, 4),
        ("0.35", Rounding.UP, 4),
        ("0.35", Rounding.DOWN, 3),
        # Just either side of a half.
        ("0.2499", Rounding.BANKERS, 2),
        ("0.2501", Rounding.BANKERS, 3),
        # A whole number of units is the same in every mode.
        ("0.30", Rounding.BANKERS, 3),
        ("0.30", Rounding.UP, 3),
        ("0.30", Rounding.DOWN, 3),
        ("0", Rounding.UP, 0),
    ],
)
def test_rounding_modes_on_half_boundaries(amount, rounding, expected):
    conversion = fiat_to_loyalty(amount=D(amount), unit_value=D("0.10"), rounding=rounding)
    assert conversion.loyalty_amount == expected
    assert conversion.exact_fiat_cost == D(expected) * D("0.10")


def test_the_contract_example():
    conversion = fiat_to_loyalty(
        amount=D("99.00"), unit_value=D("9.90000000"), rounding=Rounding.BANKERS
    )
    assert conversion.loyalty_amount == 10
    assert str(conversion.exact_fiat_cost) == "99.0000"
    assert str(conversion.loyalty_system_amount) == "9.90"


@pytest.mark.parametrize(
    ("unit_value", "shown"),
    [("0.10000000", "0.10"), ("0.01250000", "0.0125"), ("3", "3.00"), ("100", "100.00")],
)
def test_loyalty_system_amount_is_the_unit_value_with_at_least_cents(unit_value, shown):
    conversion = fiat_to_loyalty(amount=D("1"), unit_value=D(unit_value), rounding=Rounding.DOWN)
    assert str(conversion.loyalty_system_amount) == shown


def test_exact_fiat_cost_has_four_places_and_may_differ_from_the_amount():
    conversion = fiat_to_loyalty(amount=D("10"), unit_value=D("0.03"), rounding=Rounding.UP)
    assert conversion.loyalty_amount == 334
    assert str(conversion.exact_fiat_cost) == "10.0200"
    down = fiat_to_loyalty(amount=D("10"), unit_value=D("0.00012345"), rounding=Rounding.DOWN)
    assert down.loyalty_amount == 81004
    # 81004 * 0.00012345 = 9.9999438: rounded to four places, half to even.
    assert str(down.exact_fiat_cost) == "9.9999"


def test_the_quotient_is_exact_beyond_28_digits():
    # 1 + 1e-28 units: a Decimal division cut to 28 digits would give exactly 1 and round up to 1.
    amount = D("1.0000000000000000000000000001")
    assert fiat_to_loyalty(amount=amount, unit_value=D(1), rounding=Rounding.UP).loyalty_amount == 2
    assert (
        fiat_to_loyalty(amount=amount, unit_value=D(1), rounding=Rounding.DOWN).loyalty_amount == 1
    )


@pytest.mark.parametrize("unit_value", ["0", "0.00000000", "-0.01", "NaN", "Infinity"])
def test_a_unit_value_that_is_not_positive_is_refused(unit_value):
    with pytest.raises(InvalidUnitValue) as exc:
        fiat_to_loyalty(amount=D("10"), unit_value=D(unit_value), rounding=Rounding.BANKERS)
    assert exc.value.field == "price_type"


@pytest.mark.parametrize("amount", ["-0.01", "NaN", "-Infinity", "Infinity"])
def test_a_negative_or_non_finite_amount_is_refused(amount):
    with pytest.raises(InvalidFiatAmount) as exc:
        fiat_to_loyalty(amount=D(amount), unit_value=D("0.10"), rounding=Rounding.BANKERS)
    assert exc.value.field == "amount"


def test_an_unknown_rounding_is_refused():
    with pytest.raises(InvalidRounding) as exc:
        fiat_to_loyalty(amount=D("1"), unit_value=D("0.10"), rounding="round_half_up")
    assert exc.value.field == "rounding"
    assert "bankers_rounding" in exc.value.message


def test_floats_are_refused():
    with pytest.raises(TypeError, match=r"amount must be a decimal\.Decimal, not float"):
        fiat_to_loyalty(amount=0.3, unit_value=D("0.10"), rounding=Rounding.BANKERS)
    with pytest.raises(TypeError, match=r"unit_value must be a decimal\.Decimal"):
        fiat_to_loyalty(amount=D("0.3"), unit_value=0.1, rounding=Rounding.BANKERS)


amounts = st.decimals(min_value=0, max_value=10**9, places=4)
unit_values = st.decimals(min_value=D("0.00000001"), max_value=D(10_000), places=8)


@given(amount=amounts, unit_value=unit_values)
def test_rounding_modes_bracket_the_amount(amount, unit_value):
    results = {
        mode: fiat_to_loyalty(amount=amount, unit_value=unit_value, rounding=mode)
        for mode in Rounding.values
    }
    down, bankers, up = (results[m] for m in (Rounding.DOWN, Rounding.BANKERS, Rounding.UP))
    assert 0 <= down.loyalty_amount <= bankers.loyalty_amount <= up.loyalty_amount
    assert up.loyalty_amount - down.loyalty_amount <= 1
    for conversion in results.values():
        exact_cost = conversion.loyalty_amount * Fraction(unit_value)
        assert abs(exact_cost - Fraction(amount)) < Fraction(unit_value)
        assert abs(Fraction(conversion.exact_fiat_cost) - exact_cost) <= Fraction(1, 20_000)
        assert conversion.exact_fiat_cost.as_tuple().exponent == -4
    assert down.loyalty_amount * Fraction(unit_value) <= Fraction(amount)
    assert up.loyalty_amount * Fraction(unit_value) >= Fraction(amount)
