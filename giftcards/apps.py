from django.apps import AppConfig


class GiftcardsConfig(AppConfig):
    name = "giftcards"
    verbose_name = "Gift cards"

    def ready(self) -> None:
        from giftcards.models import GiftCard, GiftCardDenomination, GiftCardPrice
        from loyalty import caching

        # The catalogue is reference data the API caches per process (giftcards.selectors).
        caching.watch(GiftCard, GiftCardDenomination, GiftCardPrice)
