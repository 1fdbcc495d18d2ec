"""Fiat to loyalty units: the arithmetic behind the contract's fiat-convert, without the database.

The quotient amount / unit value is taken as an exact fraction, so a rounding boundary (x.5 for
banker's rounding, a whole number for round up and round down) is never misjudged by a Decimal
division cut to the context's 28 significant digits.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from loyalty.errors import InvalidFiatAmount, InvalidRounding, InvalidUnitValue
from loyalty.models.currencies import Rounding

# Each mode as the decimal module names it; the amounts are never negative.
_ROUNDERS: dict[str, Callable[[Fraction], int]] = {
    Rounding.BANKERS: round,  # ROUND_HALF_EVEN: Fraction rounds half to even
    Rounding.UP: math.ceil,  # ROUND_CEILING
    Rounding.DOWN: math.floor,  # ROUND_FLOOR
}


@dataclass(frozen=True)
class Conversion:
    """The contract's LoyaltyCurrencyConversionResponse.

    loyalty_amount: whole units the amount buys, rounded per the requested mode.
    exact_fiat_cost: what those units are worth, to 4 places (above or below the amount).
    loyalty_system_amount: the fiat value of one unit the conversion used.
    """

    loyalty_amount: int
    exact_fiat_cost: Decimal
    loyalty_system_amount: Decimal


def fiat_to_loyalty(*, amount: Decimal, unit_value: Decimal, rounding: str) -> Conversion:
    """Convert `amount` of fiat into units worth `unit_value` each, in the same fiat currency."""
    _require_decimal(amount=amount, unit_value=unit_value)
    if not amount.is_finite() or amount < 0:
        raise InvalidFiatAmount("The amount must be a number of zero or more.")
    if not unit_value.is_finite() or unit_value <= 0:
        raise InvalidUnitValue("The value of one loyalty unit must be greater than zero.")
    if rounding not in _ROUNDERS:
        raise InvalidRounding(f"Use one of {', '.join(Rounding.values)} for rounding.")
    loyalty_amount = _ROUNDERS[rounding](Fraction(amount) / Fraction(unit_value))
    return Conversion(
        loyalty_amount=loyalty_amount,
        exact_fiat_cost=four_places(loyalty_amount * Fraction(unit_value)),
        loyalty_system_amount=_at_least_cents(unit_value),
    )


def four_places(value: Fraction) -> Decimal:
    """An exact value rounded half to even to 4 decimal places, as the contract's "99.0000"."""
    return Decimal(f"{round(value * 10_000)}E-4")


def _at_least_cents(value: Decimal) -> Decimal:
    """Without trailing zeros but with at least two decimals: 0.10000000 -> 0.10, 0.0125 stays."""
    normal = value.normalize()
    return normal if normal.as_tuple().exponent <= -2 else normal.quantize(Decimal("0.01"))


def _require_decimal(**values: object) -> None:
    for name, value in values.items():
        if not isinstance(value, Decimal):
            raise TypeError(f"{name} must be a decimal.Decimal, not {type(value).__name__}.")
