"""What a gift card costs: the points for a fiat amount, or the fiat value of a loyalty amount,
at the card's price type in that currency (the fiat-convert arithmetic, loyalty.services.fx)."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from giftcards.errors import GiftCardAmountInvalid, GiftCardCurrencyNotAccepted
from giftcards.models import DenominationType, GiftCard, GiftCardPrice
from giftcards.selectors import denominations_of, prices_for
from loyalty.models import LoyaltyCurrency, Partner
from loyalty.selectors import fx_rate_get
from loyalty.services.fx import fiat_convert

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Quote:
    """fiat_amount: the card's value (None for a discount card bought whole); loyalty_amount:
    its price in points; denomination: the stock it comes from (None: an open card's)."""

    price: GiftCardPrice
    fiat_amount: Decimal | None
    loyalty_amount: int
    denomination: Decimal | None


def price_choose(
    *, partner: Partner, gift_card: GiftCard, loyalty_currency: str | None = None
) -> GiftCardPrice:
    """The price the partner sells the card at: the one in `loyalty_currency` when named, else
    the only one it may sell in."""
    prices = prices_for(partner=partner, gift_card=gift_card)
    if loyalty_currency is not None:
        prices = [p for p in prices if p.loyalty_currency.code == loyalty_currency]
    if not prices:
        raise GiftCardCurrencyNotAccepted(
            "This gift card cannot be bought with "
            + (f"{loyalty_currency}." if loyalty_currency else "a currency you sell in.")
        )
    if len(prices) > 1:
        raise GiftCardCurrencyNotAccepted(
            "You sell this gift card in several loyalty currencies: name one as "
            "loyalty_system_data.loyalty_currency.",
            code="required",
        )
    return prices[0]


def fiat_amount_check(gift_card: GiftCard, amount: Decimal) -> Decimal | None:
    """The stock denomination for `amount` on this card (None for an open card), or
    GiftCardAmountInvalid when the card does not sell that amount."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise GiftCardAmountInvalid("The fiat amount must be greater than zero, in cents.")
    if gift_card.denomination_type == DenominationType.FIXED:
        values = denominations_of(gift_card)
        if amount not in values:
            listed = ", ".join(f"{v:.2f}" for v in values) or "none"
            raise GiftCardAmountInvalid(
                f"{amount:.2f} is not a denomination of this card (it has {listed})."
            )
        return amount.quantize(CENT)
    if gift_card.denomination_type == DenominationType.OPEN_INTEGER and amount % 1:
        raise GiftCardAmountInvalid("This card takes whole amounts only.")
    low, high = gift_card.minimum_value, gift_card.maximum_value
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise GiftCardAmountInvalid(
            f"The amount must be between {low or '0.01'} and {high or 'any amount'}."
        )
    return None


def _unit_value(price: GiftCardPrice, currency: LoyaltyCurrency, on: dt.date) -> Decimal:
    """One unit's worth in the card's fiat."""
    own = getattr(currency, price.price_type)
    rate = fx_rate_get(base=price.gift_card.fiat_currency, quote=currency.fiat_currency, on=on)
    return own / rate


def quote(
    *,
    price: GiftCardPrice,
    fiat_amount: Decimal | None = None,
    loyalty_amount: int | None = None,
) -> Quote:
    """The card's fiat value and its price in points, from one of the two."""
    card, currency = price.gift_card, price.loyalty_currency
    if (fiat_amount is None) == (loyalty_amount is None):
        raise GiftCardAmountInvalid("Give either fiat_amount or loyalty_amount.")
    on = timezone.localdate()
    if loyalty_amount is not None:
        if isinstance(loyalty_amount, bool) or loyalty_amount <= 0:
            raise GiftCardAmountInvalid("The loyalty amount must be greater than zero.")
        worth = loyalty_amount * _unit_value(price, currency, on)
        step = Decimal(1) if card.denomination_type == DenominationType.OPEN_INTEGER else CENT
        fiat_amount = worth.quantize(step, rounding=ROUND_DOWN).quantize(CENT)
        if fiat_amount <= 0:
            raise GiftCardAmountInvalid(
                "The loyalty amount is worth less than the smallest amount.",
                field="loyalty_amount",
            )
        try:
            denomination = fiat_amount_check(card, fiat_amount)
        except GiftCardAmountInvalid as exc:
            raise GiftCardAmountInvalid(
                f"{loyalty_amount} {currency.code} is worth {fiat_amount:.2f} "
                f"{card.fiat_currency}: {exc.message}",
                field="loyalty_amount",
            ) from exc
        return Quote(price, fiat_amount, loyalty_amount, denomination)
    denomination = fiat_amount_check(card, fiat_amount)
    points = fiat_convert(
        loyalty_currency=currency,
        amount=fiat_amount,
        fiat_currency=card.fiat_currency,
        price_type=price.price_type,
        on=on,
    ).loyalty_amount
    if points <= 0:
        raise GiftCardAmountInvalid("The amount is worth less than one loyalty unit.")
    return Quote(price, fiat_amount.quantize(CENT), points, denomination)
