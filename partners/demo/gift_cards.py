"""The demo's gift cards: Example Shop's fixed card (5, 10 and 25 in the currency's fiat) and
its open card, each with codes in stock, sold for EXAMPLE_POINTS. Created once, through the
catalogue and import services; the codes are fixed demo values (never use them for real)."""

from giftcards.models import GiftCard, GiftCardPriceType, GiftCardType
from giftcards.services.catalogue import gift_card_create
from giftcards.services.imports import codes_import
from loyalty.models import LoyaltyCurrency, Partner
from partners.demo import catalogue


def gift_cards_ensure(*, currency: LoyaltyCurrency, retailer: Partner) -> list[GiftCard]:
    cards = []
    for number, spec in enumerate(catalogue.GIFT_CARDS, start=1):
        card = GiftCard.objects.filter(partner=retailer, name=spec.name).first()
        if card is None:
            card = gift_card_create(
                partner=retailer,
                name=spec.name,
                type=GiftCardType.FIXED_VALUE,
                denomination_type=spec.denomination_type,
                fiat_currency=currency.fiat_currency,
                countries=["ESP", "FRA", "DEU"],
                minimum_value=spec.minimum_value,
                maximum_value=spec.maximum_value,
                denominations=spec.denominations,
                prices=[(currency, GiftCardPriceType.CUSTOMERS_PERCEIVED_VALUE)],
                low_stock_threshold=catalogue.GIFT_CARD_LOW_STOCK,
                expiration_policy="12 months",
                barcode_format="code-128",
                description="<p>Spend it in any Example Shop, in store or online.</p>",
                redeem_instructions_html="<p>Show the code and PIN at the till.</p>",
            )
            codes_import(gift_card=card, data=_codes_file(number, spec))
        cards.append(card)
    return cards


def _codes_file(number: int, spec: catalogue.GiftCardSpec) -> bytes:
    lines = ["code,pin,denomination"]
    for value in spec.denominations or (None,):
        for n in range(spec.codes_per_denomination):
            face = "" if value is None else f"{value:.2f}"
            tag = "OPEN" if value is None else f"{int(value):02d}"
            lines.append(f"DEMO{number}-{tag}-{n + 1:04d},{1000 + n},{face}")
    return "\n".join(lines).encode()
