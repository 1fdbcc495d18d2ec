"""Fixtures shared by the loyalty tests: the tiers of EXAMPLE_POINTS."""

import pytest

from tests.factories import TierFactory


@pytest.fixture
def silver(currency):
    return TierFactory(loyalty_currency=currency, code="silver", name="Silver", level=1)


@pytest.fixture
def gold(currency):
    return TierFactory(
        loyalty_currency=currency, code="gold", name="Gold", level=2, threshold=1_000
    )


@pytest.fixture
def platinum(currency):
    return TierFactory(
        loyalty_currency=currency, code="platinum", name="Platinum", level=3, threshold=5_000
    )


@pytest.fixture
def tiers(silver, gold, platinum):
    return silver, gold, platinum
