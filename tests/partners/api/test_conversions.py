"""POST /loyalty-currencies/fiat-convert (contract operation 16)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty.models import FxRate


@pytest.fixture
def priced(currency):
    currency.base_economic_value = Decimal("0.005")
    currency.customers_perceived_value = Decimal("0.01")
    currency.issuing_partners_cost = Decimal("0.008")
    currency.save()
    return currency


def convert(client, **body):
    return client.post(
        "/loyalty-currencies/fiat-convert",
        {"amount": "10.00", "fiat_currency": "EUR", "loyalty_currency": "EXAMPLE_POINTS", **body},
    )


def test_default_price_type_is_customers_perceived_value(issuer_client, priced):
    response = convert(issuer_client)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "loyalty_amount": 1000,
        "exact_fiat_cost": "10.0000",
        "loyalty_system_amount": "0.01",
    }


@pytest.mark.parametrize(
    ("price_type", "units"),
    [("base_economic_value", 2000), ("issuing_partners_cost", 1250)],
)
def test_price_types(issuer_client, priced, price_type, units):
    assert convert(issuer_client, price_type=price_type).json()["loyalty_amount"] == units


@pytest.mark.parametrize(
    ("rounding", "units"), [("round_down", 333), ("round_up", 334), ("bankers_rounding", 333)]
)
def test_rounding_modes(issuer_client, priced, rounding, units):
    response = convert(
        issuer_client, price_type="custom_value", custom_value="0.03", rounding=rounding
    )
    assert response.json()["loyalty_amount"] == units


def test_other_fiat_goes_through_the_fx_table(issuer_client, priced):
    FxRate.objects.create(base="USD", quote="EUR", date=timezone.localdate(), rate=Decimal("0.9"))
    response = convert(issuer_client, fiat_currency="USD")
    assert response.status_code == 200
    assert response.json()["loyalty_amount"] == 900


def test_missing_rate_is_a_clear_400(issuer_client, priced):
    FxRate.objects.create(
        base="GBP", quote="EUR", date=timezone.localdate() - dt.timedelta(days=30), rate=1
    )
    response = convert(issuer_client, fiat_currency="GBP")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "fiat_currency"
    assert "GBP/EUR" in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1e999999"}, "amount"),
        ({"fiat_currency": "euro"}, "fiat_currency"),
        ({"price_type": "cheapest"}, "price_type"),
        ({"rounding": "sideways"}, "rounding"),
        ({"price_type": "custom_value"}, "custom_value"),
        ({"loyalty_currency": "NOPE"}, "loyalty_currency"),
    ],
)
def test_bad_requests(issuer_client, priced, body, field):
    response = convert(issuer_client, **body)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_needs_a_partnership(stranger_client, priced):
    assert convert(stranger_client).status_code == 403
