"""Fixtures of the admin tests."""

import pytest

from tests.factories import TierFactory


@pytest.fixture
def tier(currency):
    return TierFactory(loyalty_currency=currency, code="gold", name="Gold", level=2)
