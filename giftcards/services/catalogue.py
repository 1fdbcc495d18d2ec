"""The catalogue's writes: cards with their denominations and prices, HTML sanitised."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import nh3
from django.core.exceptions import ValidationError

from giftcards.errors import GiftCardInvalid
from giftcards.models import DenominationType, GiftCard, GiftCardDenomination, GiftCardPrice
from loyalty.models import LoyaltyCurrency
from loyalty.services.accounts import partner_account_get_or_create
from loyalty.unit_of_work import atomic

HTML_FIELDS = ("description", "redeem_instructions_html", "terms_and_conditions_html")


def sanitise_html(card: GiftCard) -> None:
    """Keep only nh3's safe tags and attributes in the card's HTML fields (no scripts, no event
    handlers, no javascript: links)."""
    for name in HTML_FIELDS:
        setattr(card, name, nh3.clean(getattr(card, name) or ""))


def gift_card_clean(card: GiftCard) -> None:
    sanitise_html(card)
    try:
        card.full_clean()
    except ValidationError as exc:
        raise GiftCardInvalid("; ".join(exc.messages)) from exc
    if card.denomination_type != DenominationType.FIXED and (
        card.minimum_value is None or card.maximum_value is None
    ):
        raise GiftCardInvalid("An open gift card needs a minimum and a maximum value.")


@atomic
def gift_card_create(
    *,
    denominations: Iterable[Decimal] = (),
    prices: Iterable[tuple[LoyaltyCurrency, str]] = (),
    **values: Any,
) -> GiftCard:
    """A card with its denominations and its prices ((currency, price type) pairs)."""
    card = GiftCard(**values)
    gift_card_clean(card)
    card.save()
    for value in denominations:
        GiftCardDenomination.objects.create(gift_card=card, value=Decimal(value))
    for currency, price_type in prices:
        gift_card_price_set(gift_card=card, loyalty_currency=currency, price_type=price_type)
    return card


@atomic
def gift_card_price_set(
    *, gift_card: GiftCard, loyalty_currency: LoyaltyCurrency, price_type: str
) -> GiftCardPrice:
    """Let `loyalty_currency` buy the card; the retailer gets an account in it to be paid into."""
    partner_account_get_or_create(partner=gift_card.partner, loyalty_currency=loyalty_currency)
    price, _ = GiftCardPrice.objects.update_or_create(
        gift_card=gift_card, loyalty_currency=loyalty_currency, defaults={"price_type": price_type}
    )
    return price


@atomic
def gift_card_save(*, gift_card: GiftCard) -> GiftCard:
    """Save a card edited in the admin: HTML sanitised, the whole entry checked."""
    gift_card_clean(gift_card)
    gift_card.save()
    return gift_card
