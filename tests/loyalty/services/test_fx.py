"""FX services (loyalty.services.fx): fiat-convert at each price type and rate, and the CSV import
of rates."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loyalty.errors import (
    FxRateMissing,
    InvalidCurrencyCode,
    InvalidCustomValue,
    InvalidFiatAmount,
    InvalidPriceType,
    InvalidUnitValue,
)
from loyalty.models import FxRate, PriceType, Rounding
from loyalty.selectors import FX_RATE_MAX_AGE_DAYS
from loyalty.services.fx import RowError, fiat_convert, fx_rates_import_csv
from tests.factories import LoyaltyCurrencyFactory
from tests.loyalty.helpers import DAY, rate, stored

pytestmark = pytest.mark.django_db

D = Decimal


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


# The CSV import service ----------------------------------------------------------------------


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_a_good_file_creates_every_rate():
    result = fx_rates_import_csv(
        file=csv_file(
            "date,base,quote,rate\n2026-11-20,EUR,USD,1.0823\r\n2026-11-19, usd , eur ,0.9240\n"
        ),
        source="ECB",
    )
    assert (result.created, result.updated, result.errors, result.imported) == (2, 0, (), 2)
    assert stored() == {
        ("EUR", "USD", DAY, Decimal("1.0823"), "ECB"),
        ("USD", "EUR", DAY - dt.timedelta(days=1), Decimal("0.924"), "ECB"),
    }


def test_an_existing_rate_is_updated_with_the_new_rate_and_source():
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.05"), source="old")
    result = fx_rates_import_csv(
        file=csv_file("date,base,quote,rate\n2026-11-20,EUR,USD,1.0823\n2026-11-20,EUR,GBP,0.87\n"),
        source="ECB",
    )
    assert (result.created, result.updated) == (1, 1)
    assert stored() == {
        ("EUR", "USD", DAY, Decimal("1.0823"), "ECB"),
        ("EUR", "GBP", DAY, Decimal("0.87"), "ECB"),
    }


def test_one_bad_row_imports_nothing_and_every_error_is_listed_by_line():
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.05"))
    before = stored()
    result = fx_rates_import_csv(
        file=csv_file(
            "date,base,quote,rate\n"
            "2026-11-20,EUR,USD,1.0823\n"  # line 2: good, but not imported
            "2026-11-31,EUR,GBP,0.87\n"  # line 3: no such date
            "2026-11-20,EUR,EU,abc\n"  # line 4: two bad values
            "2026-11-20,EUR,EUR,1\n"  # line 5: same currency
            "2026-11-20,EUR,JPY,0\n"  # line 6: zero rate
            "2026-11-20,EUR,JPY\n"  # line 7: a value missing
            "2026-11-20,eur,usd,1.09\n"  # line 8: line 2 again
            "2026-11-20,EUR,CHF,1.123456789012\n"  # line 9: too many decimal places
        ),
        source="ECB",
    )
    assert (result.created, result.updated, result.imported) == (0, 0, 0)
    assert [error.row for error in result.errors] == [3, 4, 4, 5, 6, 7, 8, 9]
    messages = [error.message for error in result.errors]
    assert messages[0].startswith("date: ") and "invalid date" in messages[0]
    assert messages[1] == "quote: Use a three-letter ISO 4217 code, e.g. EUR."
    assert messages[2].startswith("rate: ") and "decimal number" in messages[2]
    assert messages[3] == "Base and quote must be different currencies."
    assert messages[4] == "rate: The rate must be greater than zero."
    assert messages[5] == "Expected 4 values (date,base,quote,rate), found 3."
    assert messages[6] == "Repeats the rate of line 2."
    assert messages[7] == "rate: Ensure that there are no more than 10 decimal places."
    assert stored() == before


HEADER_ERROR = RowError(1, "The first line must be the header date,base,quote,rate.")


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", HEADER_ERROR),
        (b"date,quote,base,rate\n", HEADER_ERROR),
        (b"date,base,quote,rate,source\n", HEADER_ERROR),
        (b"date,base,quote,rate\n\n", RowError(1, "The file holds no rates.")),
        (
            b"date,base,quote,rate\n2026-11-20,EUR,USD,1\n\xff\n",
            RowError(3, "The file is not UTF-8 text."),
        ),
    ],
)
def test_a_file_that_is_not_a_rate_list_is_refused(content, error):
    assert fx_rates_import_csv(file=io.BytesIO(content), source="").errors == (error,)
    assert not FxRate.objects.exists()


def test_a_byte_order_mark_and_a_capitalised_header_are_accepted():
    result = fx_rates_import_csv(
        file=io.BytesIO("\ufeffDate,Base,Quote,Rate\n2026-11-20,EUR,USD,1.08\n".encode()),
        source="",
    )
    assert (result.created, result.errors) == (1, ())


def test_a_source_longer_than_the_field_is_refused():
    with pytest.raises(ValidationError):
        fx_rates_import_csv(file=csv_file("date,base,quote,rate\n"), source="x" * 101)
