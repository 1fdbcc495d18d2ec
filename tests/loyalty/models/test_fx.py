"""The FxRate model: the database refuses invalid rates and a second rate of a pair on one date."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from loyalty.models import FxRate
from tests.loyalty.helpers import DAY

D = Decimal


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
