"""The gift-card catalogue: brands (GiftCard, `gcb_...`), their denominations and their prices."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from giftcards.ids import gift_card_id
from loyalty.ids import PUBLIC_ID_MAX_LENGTH
from loyalty.models.currencies import iso4217

FIAT = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}


class GiftCardType(models.TextChoices):
    DISCOUNT = "discount", "Discount"
    FIXED_VALUE = "fixed_value", "Fixed value"
    OTHER = "other", "Other"


class DenominationType(models.TextChoices):
    FIXED = "fixed", "Fixed denominations"
    OPEN = "open", "Open amount (cents)"
    OPEN_INTEGER = "open_integer", "Open amount (whole units)"


class Provider(models.TextChoices):
    CURRENCY_ALLIANCE = "currency_alliance", "Our own code inventory"
    MERIT = "merit", "Merit"
    WEGIFT = "wegift", "WeGift"


class BarcodeFormat(models.TextChoices):
    CODE_128 = "code-128", "Code 128"
    CODE_39 = "code-39", "Code 39"
    EAN_13 = "ean-13", "EAN-13"
    PDF417 = "pdf417", "PDF417"
    QR = "QR", "QR"


class GiftCardPriceType(models.TextChoices):
    """Which stored fiat value of one loyalty unit prices the card (the fiat-convert types)."""

    BASE_ECONOMIC_VALUE = "base_economic_value", "Base economic value"
    CUSTOMERS_PERCEIVED_VALUE = "customers_perceived_value", "Customer's perceived value"
    ISSUING_PARTNERS_COST = "issuing_partners_cost", "Issuing partner's cost"


class GiftCard(models.Model):
    """A gift-card brand of one retailer (its `partner`, whose codes these are).

    Fixed cards list their denominations (GiftCardDenomination); open ones take any amount
    between minimum_value and maximum_value (open_integer: whole units only). A discount card
    carries its discount_value and is redeemed whole. Members buy it with the loyalty
    currencies of its prices (GiftCardPrice). Below `low_stock_threshold` available codes of a
    denomination, the admin warns.
    """

    public_id = models.CharField(
        "gift card id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        unique=True,
        default=gift_card_id,
        editable=False,
    )
    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, related_name="gift_cards"
    )
    name = models.CharField(max_length=200)
    type = models.CharField(
        max_length=16, choices=GiftCardType.choices, default=GiftCardType.FIXED_VALUE
    )
    denomination_type = models.CharField(
        max_length=16, choices=DenominationType.choices, default=DenominationType.FIXED
    )
    fiat_currency = models.CharField(max_length=3, validators=[iso4217])
    countries = models.JSONField(
        default=list, blank=True, help_text='ISO 3166-1 alpha-3 codes, e.g. ["USA", "ESP"].'
    )
    minimum_value = models.DecimalField(**FIAT, null=True, blank=True)
    maximum_value = models.DecimalField(**FIAT, null=True, blank=True)
    discount_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The discount a discount card gives (e.g. 15.00 for 15%).",
    )
    expiration_policy = models.CharField(max_length=200, blank=True)
    barcode_format = models.CharField(
        max_length=16, choices=BarcodeFormat.choices, blank=True, default=""
    )
    image = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="HTML; sanitised on save.")
    redeem_instructions_html = models.TextField(blank=True, help_text="HTML; sanitised on save.")
    terms_and_conditions_html = models.TextField(blank=True, help_text="HTML; sanitised on save.")
    terms_and_conditions_url = models.URLField(blank=True)
    provider = models.CharField(
        max_length=32, choices=Provider.choices, default=Provider.CURRENCY_ALLIANCE
    )
    enabled = models.BooleanField(default=True)
    redeemable_in_store = models.BooleanField(default=True)
    redeemable_online = models.BooleanField(default=True)
    low_stock_threshold = models.PositiveIntegerField(
        default=10, help_text="Warn when a denomination has fewer available codes than this."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=GiftCardType.values), name="giftcard_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(denomination_type__in=DenominationType.values),
                name="giftcard_denomination_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(provider__in=Provider.values), name="giftcard_provider_valid"
            ),
            models.CheckConstraint(
                condition=Q(fiat_currency__regex=r"^[A-Z]{3}$"),
                name="giftcard_fiat_currency_iso4217",
            ),
            models.CheckConstraint(
                condition=Q(minimum_value__isnull=True)
                | Q(maximum_value__isnull=True)
                | Q(minimum_value__lte=F("maximum_value")),
                name="giftcard_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GiftCardDenomination(models.Model):
    """One face value of a fixed gift card, in the card's fiat currency."""

    gift_card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="denominations")
    value = models.DecimalField(**FIAT)

    class Meta:
        ordering = ["gift_card", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["gift_card", "value"], name="giftcard_denomination_unique"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="giftcard_denomination_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.gift_card.fiat_currency}"


class GiftCardPrice(models.Model):
    """A loyalty currency that may buy the card, priced at one of its stored unit values (the
    points for a fiat amount, rounded as the currency rounds)."""

    gift_card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="prices")
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.CASCADE, related_name="gift_card_prices"
    )
    price_type = models.CharField(
        max_length=32,
        choices=GiftCardPriceType.choices,
        default=GiftCardPriceType.CUSTOMERS_PERCEIVED_VALUE,
    )

    class Meta:
        ordering = ["gift_card", "loyalty_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["gift_card", "loyalty_currency"], name="giftcard_price_unique_per_currency"
            ),
            models.CheckConstraint(
                condition=Q(price_type__in=GiftCardPriceType.values),
                name="giftcard_price_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loyalty_currency} ({self.get_price_type_display()})"
