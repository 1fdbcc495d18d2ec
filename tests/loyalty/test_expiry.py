"""Points expiry arithmetic (loyalty.expiry): when earned units expire under each policy."""

import datetime as dt

import pytest

from loyalty.expiry import earned_before, expires_at, run_cutoff
from loyalty.models import ExpiryPolicy, ExpiryRounding, LoyaltyCurrency


def policy(kind, n, rounding=ExpiryRounding.EXACT) -> LoyaltyCurrency:
    return LoyaltyCurrency(expiry_policy=kind, expiry_period=n, expiry_rounding=rounding)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("currency", "earned", "expiry"),
    [
        (policy(ExpiryPolicy.DAYS, 30), at(2026, 1, 10, 12), at(2026, 2, 9, 12)),
        (policy(ExpiryPolicy.MONTHS, 1), at(2026, 1, 31, 8), at(2026, 2, 28, 8)),
        (policy(ExpiryPolicy.MONTHS, 12), at(2024, 2, 29), at(2025, 2, 28)),
        (
            policy(ExpiryPolicy.MONTHS, 6, ExpiryRounding.END_OF_MONTH),
            at(2026, 1, 10),
            at(2026, 8, 1),
        ),
        (
            policy(ExpiryPolicy.DAYS, 10, ExpiryRounding.END_OF_MONTH),
            at(2026, 12, 25),
            at(2027, 2, 1),
        ),
        (
            policy(ExpiryPolicy.MONTHS, 12, ExpiryRounding.END_OF_YEAR),
            at(2026, 3, 5),
            at(2028, 1, 1),
        ),
    ],
)
def test_expires_at_each_policy(currency, earned, expiry):
    assert expires_at(currency, earned) == expiry


@pytest.mark.parametrize(
    "currency",
    [
        policy(ExpiryPolicy.DAYS, 30),
        policy(ExpiryPolicy.MONTHS, 3, ExpiryRounding.END_OF_MONTH),
        policy(ExpiryPolicy.MONTHS, 12, ExpiryRounding.END_OF_YEAR),
        policy(ExpiryPolicy.DAYS, 45, ExpiryRounding.END_OF_MONTH),
    ],
)
def test_earned_before_is_the_inverse_of_expires_at(currency):
    """Units have expired at a cutoff exactly when they were earned before earned_before."""
    cutoffs = [at(2026, month, day) for month in range(1, 13) for day in (1, 15, 28)]
    earnings = [at(2025, 1, 1) + dt.timedelta(hours=37 * i) for i in range(600)]
    for cutoff in cutoffs:
        threshold = earned_before(currency, cutoff)
        for earned in earnings:
            assert (expires_at(currency, earned) <= cutoff) == (earned < threshold), (
                cutoff,
                earned,
            )


def test_never_expires():
    currency = policy(ExpiryPolicy.NEVER, 0)
    assert expires_at(currency, at(2026, 1, 1)) is None
    assert earned_before(currency, at(2026, 1, 1)) is None


def test_run_cutoff_is_midnight_utc():
    moment = dt.datetime(2026, 5, 3, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert run_cutoff(moment) == at(2026, 5, 2)
