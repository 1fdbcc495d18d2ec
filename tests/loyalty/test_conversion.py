"""Fiat to loyalty conversion: the pure arithmetic, FX rate lookup and the fiat-convert service."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from loyalty.conversion import fiat_to_loyalty
from loyalty.errors import (
    FxRateMissing,
    InvalidCurrencyCode,
    InvalidCustomValue,
    InvalidFiatAmount,
    InvalidPriceType,
    InvalidRounding,
    InvalidUnitValue,
)
from loyalty.models import FxRate, PriceType, Rounding
from loyalty.selectors import FX_RATE_MAX_AGE_DAYS, fx_rate_get
from loyalty.services.fx import fiat_convert
from tests.factories import LoyaltyCurrencyFactory

DAY = dt.date(2026, 11, 20)
D = Decimal


# The pure arithmetic -----------------------------------------------------------------------


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


# The FxRate model ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("base", "quote", "rate"),
    [("EUR", "USD", "0"), ("EUR", "USD", "-1.2"), ("EUR", "EUR", "1"), ("eur", "USD", "1.1")],
)
def test_the_database_refuses_invalid_rates(base, quote, rate):
    with pytest.raises(IntegrityError):
        FxRate.objects.create(base=base, quote=quote, date=DAY, rate=D(rate))


@pytest.mark.django_db
def test_one_rate_per_pair_and_date():
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=D("1.08"))
    FxRate.objects.create(base="USD", quote="EUR", date=DAY, rate=D("0.92"))
    with pytest.raises(IntegrityError):
        FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=D("1.09"))


# Rate lookup ---------------------------------------------------------------------------------


def rate(base, quote, value, date=DAY):
    return FxRate.objects.create(base=base, quote=quote, date=date, rate=D(value))


@pytest.mark.django_db
def test_identical_currencies_need_no_rate():
    assert fx_rate_get(base="EUR", quote="EUR", on=DAY) == 1


@pytest.mark.django_db
def test_the_latest_rate_on_or_before_the_date_is_used():
    rate("USD", "EUR", "0.90", DAY - dt.timedelta(days=2))
    rate("USD", "EUR", "0.91", DAY - dt.timedelta(days=1))
    rate("USD", "EUR", "0.99", DAY + dt.timedelta(days=1))
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.91")
    rate("USD", "EUR", "0.92", DAY)
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.92")


@pytest.mark.django_db
def test_only_the_inverse_pair_gives_one_over_its_rate():
    rate("EUR", "USD", "1.25")
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.8")


@pytest.mark.django_db
def test_the_pair_as_asked_wins_on_the_same_date_and_the_newest_rate_wins_otherwise():
    rate("EUR", "USD", "1.25")
    rate("USD", "EUR", "0.81")
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.81")
    assert fx_rate_get(base="EUR", quote="USD", on=DAY) == D("1.25")
    rate("EUR", "USD", "2", DAY + dt.timedelta(days=1))
    assert fx_rate_get(base="USD", quote="EUR", on=DAY + dt.timedelta(days=1)) == D("0.5")


@pytest.mark.django_db
def test_a_rate_older_than_the_maximum_age_is_stale():
    rate("USD", "EUR", "0.9", DAY - dt.timedelta(days=FX_RATE_MAX_AGE_DAYS))
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.9")
    later = DAY + dt.timedelta(days=1)
    with pytest.raises(FxRateMissing) as exc:
        fx_rate_get(base="USD", quote="EUR", on=later)
    assert exc.value.message == (
        "No USD/EUR exchange rate published between 2026-11-14 and 2026-11-21."
    )
    assert fx_rate_get(base="USD", quote="EUR", on=later, max_age_days=8) == D("0.9")


@pytest.mark.django_db
def test_a_missing_rate_names_the_pair_and_the_date():
    rate("GBP", "EUR", "1.15")
    with pytest.raises(FxRateMissing, match=r"No USD/EUR exchange rate .* and 2026-11-20\."):
        fx_rate_get(base="USD", quote="EUR", on=DAY)


# The fiat-convert service --------------------------------------------------------------------


@pytest.fixture
def points(db):
    """A EUR currency whose three unit values differ, so each price type shows in the result."""
    return LoyaltyCurrencyFactory(
        code="FX_POINTS",
        fiat_currency="EUR",
        base_economic_value=D("0.01"),
        customers_perceived_value=D("0.02"),
        issuing_partners_cost=D("0.005"),
    )


def convert(currency, amount, fiat="EUR", **options):
    return fiat_convert(
        loyalty_currency=currency, amount=D(amount), fiat_currency=fiat, on=DAY, **options
    )


@pytest.mark.parametrize(
    ("price_type", "units", "unit_value"),
    [
        (PriceType.BASE_ECONOMIC_VALUE, 1000, "0.01"),
        (PriceType.CUSTOMERS_PERCEIVED_VALUE, 500, "0.02"),
        (PriceType.ISSUING_PARTNERS_COST, 2000, "0.005"),
    ],
)
def test_each_price_type_uses_its_unit_value(points, price_type, units, unit_value):
    conversion = convert(points, "10.00", price_type=price_type)
    assert conversion.loyalty_amount == units
    assert str(conversion.exact_fiat_cost) == "10.0000"
    assert conversion.loyalty_system_amount == D(unit_value)


def test_the_default_price_type_is_customers_perceived_value(points):
    assert convert(points, "10.00").loyalty_amount == 500


def test_rounding_defaults_to_the_currencys_and_can_be_overridden(points):
    assert convert(points, "0.05").loyalty_amount == 2  # 2.5 units, banker's rounding
    points.default_rounding = Rounding.UP
    assert convert(points, "0.05").loyalty_amount == 3
    assert convert(points, "0.05", rounding=Rounding.DOWN).loyalty_amount == 2


def test_an_unknown_price_type_is_refused(points):
    with pytest.raises(InvalidPriceType) as exc:
        convert(points, "10", price_type="default_redemption_partners_value")
    assert exc.value.field == "price_type"


def test_a_zero_unit_value_is_refused(points):
    points.issuing_partners_cost = D(0)
    with pytest.raises(InvalidUnitValue) as exc:
        convert(points, "10", price_type=PriceType.ISSUING_PARTNERS_COST)
    assert exc.value.field == "price_type"


def test_custom_value_is_in_the_requests_currency_by_default(points):
    rate("USD", "EUR", "0.8")
    conversion = convert(
        points, "10.00", fiat="USD", price_type=PriceType.CUSTOM_VALUE, custom_value=D("0.25")
    )
    # 10 USD = 8 EUR; one unit is worth 0.25 USD = 0.20 EUR.
    assert (conversion.loyalty_amount, str(conversion.exact_fiat_cost)) == (40, "10.0000")
    assert str(conversion.loyalty_system_amount) == "0.20"


def test_custom_value_is_ignored_for_another_price_type(points):
    conversion = convert(
        points,
        "10.00",
        price_type=PriceType.BASE_ECONOMIC_VALUE,
        custom_value=D("10.12345678"),
        custom_value_currency="USD",
    )
    assert conversion.loyalty_amount == 1000


def test_custom_value_in_another_currency_is_converted_at_the_days_rate(points):
    rate("USD", "EUR", "0.5")
    conversion = convert(
        points,
        "10.00",
        price_type=PriceType.CUSTOM_VALUE,
        custom_value=D("0.10"),
        custom_value_currency="USD",
    )
    assert conversion.loyalty_amount == 200  # one unit is worth 0.10 USD = 0.05 EUR
    assert str(conversion.exact_fiat_cost) == "10.0000"
    assert str(conversion.loyalty_system_amount) == "0.05"


@pytest.mark.parametrize("custom_value", [None, D(0), D("-0.1"), D("NaN")])
def test_custom_value_must_be_given_and_positive(points, custom_value):
    with pytest.raises(InvalidCustomValue) as exc:
        convert(points, "10", price_type=PriceType.CUSTOM_VALUE, custom_value=custom_value)
    assert exc.value.field == "custom_value"


def test_custom_value_currency_without_a_rate_is_blamed_on_that_field(points):
    with pytest.raises(FxRateMissing) as exc:
        convert(
            points,
            "10",
            price_type=PriceType.CUSTOM_VALUE,
            custom_value=D("0.1"),
            custom_value_currency="USD",
        )
    assert exc.value.field == "custom_value_currency"
    assert "USD/EUR" in exc.value.message


def test_another_fiat_currency_is_converted_and_the_cost_expressed_back_in_it(points):
    rate("USD", "EUR", "0.8")
    # 10.01 USD = 8.008 EUR = 400.4 units of 0.02 EUR.
    down = convert(points, "10.01", fiat="USD", rounding=Rounding.BANKERS)
    assert (down.loyalty_amount, str(down.exact_fiat_cost)) == (400, "10.0000")
    up = convert(points, "10.01", fiat="USD", rounding=Rounding.UP)
    # 401 units = 8.02 EUR = 10.025 USD.
    assert (up.loyalty_amount, str(up.exact_fiat_cost)) == (401, "10.0250")
    assert str(up.loyalty_system_amount) == "0.02"


def test_only_the_inverse_rate_stored_gives_the_same_conversion(points):
    rate("EUR", "USD", "1.25")
    up = convert(points, "10.01", fiat="USD", rounding=Rounding.UP)
    assert (up.loyalty_amount, str(up.exact_fiat_cost)) == (401, "10.0250")


def test_a_missing_or_stale_rate_is_blamed_on_fiat_currency(points):
    rate("USD", "EUR", "0.8", DAY - dt.timedelta(days=FX_RATE_MAX_AGE_DAYS + 1))
    with pytest.raises(FxRateMissing) as exc:
        convert(points, "10", fiat="USD")
    assert exc.value.field == "fiat_currency"
    assert exc.value.code == "fx_rate_missing"
    assert "USD/EUR" in exc.value.message


@pytest.mark.parametrize("fiat", ["usd", "EURO", ""])
def test_the_fiat_currency_must_be_an_iso_code(points, fiat):
    with pytest.raises(InvalidCurrencyCode) as exc:
        convert(points, "10", fiat=fiat)
    assert exc.value.field == "fiat_currency"


def test_a_negative_amount_is_refused(points):
    with pytest.raises(InvalidFiatAmount) as exc:
        convert(points, "-1")
    assert exc.value.field == "amount"


def test_the_date_defaults_to_today(points):
    rate("USD", "EUR", "0.8", timezone.localdate())
    conversion = fiat_convert(loyalty_currency=points, amount=D("1.00"), fiat_currency="USD")
    assert conversion.loyalty_amount == 40
