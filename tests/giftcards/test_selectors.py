from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from giftcards.models import GiftCardCode
from giftcards.selectors import (
    gift_cards_below_low_stock,
    gift_cards_sellable_by,
    stock_of,
    stocks_of,
)
from giftcards.services.issuance import gift_card_direct_issue
from giftcards.services.redemption import code_cancel
from loyalty.models import Partnership, PartnershipType
from tests.factories import PartnerFactory
from tests.giftcards.fixtures import load_codes


def test_stock_per_denomination(fixed_card, retailer):
    load_codes(fixed_card, 4, denomination="10.00")
    load_codes(fixed_card, 1, denomination="5.00", prefix="FIVE")
    gift_card_direct_issue(
        partner=retailer,
        gift_card_id=fixed_card.public_id,
        external_reference="a",
        fiat_amount=Decimal("10.00"),
    )
    code_cancel(code=GiftCardCode.objects.filter(status="available", denomination=10).first())
    GiftCardCode.objects.filter(status="available", denomination=10).filter(
        pk=GiftCardCode.objects.filter(status="available", denomination=10).first().pk
    ).update(expiration_date="2000-01-01")
    stock = {s.key: (s.available, s.issued, s.unavailable, s.total) for s in stock_of(fixed_card)}
    assert stock == {"5.00": (1, 0, 0, 1), "10.00": (1, 1, 2, 4), "25.00": (0, 0, 0, 0)}


def test_cards_below_their_threshold(fixed_card):
    load_codes(fixed_card, 3, denomination="10.00")
    low = {(entry.gift_card.pk, entry.stock.key) for entry in gift_cards_below_low_stock()}
    assert low == {(fixed_card.pk, "5.00"), (fixed_card.pk, "25.00")}


def test_the_stock_of_many_cards_at_once_is_each_ones_in_two_queries(fixed_card, open_card):
    load_codes(fixed_card, 2, denomination="5.00")
    load_codes(open_card, 3, denomination="", prefix="OPEN")
    with CaptureQueriesContext(connection) as captured:
        stocks = stocks_of([fixed_card, open_card])
    assert len(captured) == 2
    assert stocks == {fixed_card.pk: stock_of(fixed_card), open_card.pk: stock_of(open_card)}
    assert [s.key for s in stocks[fixed_card.pk]] == ["5.00", "10.00", "25.00"]
    assert [(s.key, s.available) for s in stocks[open_card.pk]] == [("open", 3)]


def test_who_may_sell_a_card(currency, fixed_card, retailer):
    seller, stranger = PartnerFactory(), PartnerFactory()
    Partnership.objects.create(
        partner=seller, loyalty_currency=currency, type=PartnershipType.REDEMPTION
    )
    for partner, sees in [
        (currency.owner, True),
        (retailer, True),
        (seller, True),
        (stranger, False),
    ]:
        assert gift_cards_sellable_by(partner).filter(pk=fixed_card.pk).exists() is sees
