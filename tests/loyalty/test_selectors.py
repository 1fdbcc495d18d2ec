"""Read-side queries (loyalty.selectors): the FX rate lookup."""

import datetime as dt
from decimal import Decimal

import pytest

from loyalty.errors import FxRateMissing
from loyalty.selectors import FX_RATE_MAX_AGE_DAYS, fx_rate_get
from tests.loyalty.helpers import DAY, rate

D = Decimal


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
