"""Gift-card fixtures (imported by the conftests of the tests that use them): a retailer with a
fixed card (5/10/25 EUR) and an open one (5-100 EUR), both sold for EXAMPLE_POINTS at the
customer's perceived value (0.01 EUR a point)."""

from decimal import Decimal

import pytest

from giftcards.models import DenominationType, GiftCardPriceType, GiftCardType
from giftcards.services.catalogue import gift_card_create
from giftcards.services.imports import codes_import
from loyalty import ledger
from loyalty.models import TransactionType
from tests.factories import PartnerFactory


@pytest.fixture
def retailer(db):
    return PartnerFactory(company_name="Example Shop", api_identifier="example-shop")


@pytest.fixture
def fixed_card(retailer, currency):
    return gift_card_create(
        partner=retailer,
        name="Example Shop gift card",
        type=GiftCardType.FIXED_VALUE,
        denomination_type=DenominationType.FIXED,
        fiat_currency="EUR",
        countries=["ESP"],
        denominations=[Decimal("5.00"), Decimal("10.00"), Decimal("25.00")],
        prices=[(currency, GiftCardPriceType.CUSTOMERS_PERCEIVED_VALUE)],
        low_stock_threshold=3,
    )


@pytest.fixture
def open_card(retailer, currency):
    return gift_card_create(
        partner=retailer,
        name="Example Shop open card",
        type=GiftCardType.FIXED_VALUE,
        denomination_type=DenominationType.OPEN,
        fiat_currency="EUR",
        minimum_value=Decimal("5.00"),
        maximum_value=Decimal("100.00"),
        prices=[(currency, GiftCardPriceType.CUSTOMERS_PERCEIVED_VALUE)],
    )


def csv_of(*rows: str, header: str = "code,pin,denomination") -> bytes:
    return "\n".join([header, *rows]).encode()


def load_codes(card, count: int, *, denomination: str = "10.00", prefix: str = "CODE", pin=""):
    rows = [f"{prefix}-{n:06d},{pin},{denomination}" for n in range(count)]
    report = codes_import(gift_card=card, data=csv_of(*rows))
    assert report.ok, report.errors
    return [f"{prefix}-{n:06d}" for n in range(count)]


@pytest.fixture
def funded_member(member, member_acc, mint):
    ledger.post(origin=mint, destination=member_acc, amount=10_000, type=TransactionType.ACCRUAL)
    return member
