"""Fixtures of the admin tests."""

import pytest

from tests.factories import TierFactory
from tests.giftcards.fixtures import fixed_card, retailer  # noqa: F401 (the front page's tiles)


@pytest.fixture
def tier(currency):
    return TierFactory(loyalty_currency=currency, code="gold", name="Gold", level=2)
