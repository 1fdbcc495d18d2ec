"""Standard redemptions: where a redemption partner's members may pay with points, and at what
price per category (contract operations 17-20)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from loyalty.models.currencies import Rounding
from loyalty.models.fx import PriceType
from loyalty.models.partners import Partnership, PartnershipType

_UNIT_VALUE = {"max_digits": 20, "decimal_places": 8, "validators": [MinValueValidator(Decimal(0))]}


class RedemptionCategory(models.TextChoices):
    """The contract's RedemptionCategory; `general` when a partner sends no category."""

    CAR_RENTAL = "car_rental", "Car rental"
    DIGITAL_MEDIA = "digital_media", "Digital media"
    EDUCATIONAL_CONTENT = "educational_content", "Educational content"
    EXPERIENCES = "experiences", "Experiences"
    FLIGHT = "flight", "Flight"
    FOOD_AND_BEVERAGE = "food_and_beverage", "Food and beverage"
    GENERAL = "general", "General"
    GIFTCARDS_AND_EVOUCHERS = "giftcards_and_evouchers", "Gift cards and e-vouchers"
    HEALTH_AND_WELLNESS = "health_and_wellness", "Health and wellness"
    HOTEL = "hotel", "Hotel"
    INSURANCE = "insurance", "Insurance"
    RETAIL = "retail", "Retail"
    TRAVEL_OTHER = "travel_other", "Other travel"


class RedemptionPartnershipManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(type=PartnershipType.REDEMPTION)


class RedemptionPartnership(Partnership):
    """A redemption partnership (a Partnership of type redemption) seen with its prices.

    The partner accepts the currency as payment in the categories of its `prices` rows, at each
    row's price of a point; the Partnership row itself carries the minimum and maximum units per
    redemption (minimum/maximum_member_transaction_amount) and whether redemptions may be
    adjusted and cancelled (adjustment_allowed, as GET /partners/redemption shows it).
    """

    objects = RedemptionPartnershipManager()

    class Meta:
        proxy = True
        verbose_name = "redemption partnership"


class RedemptionPrice(models.Model):
    """The price of one point in one category of a redemption partnership.

    A point is worth the currency's value for `price_type` (base economic value, customer's
    perceived value, issuing partner's cost) or `custom_value`, both in the currency's own fiat;
    a fiat amount costs amount / value points, rounded per `rounding`. Members of a tier with a
    RedemptionTierPrice pay at that tier's value instead (a higher value: fewer points).
    """

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="redemption_prices",
        limit_choices_to={"type": PartnershipType.REDEMPTION},
    )
    category = models.CharField(max_length=32, choices=RedemptionCategory.choices)
    price_type = models.CharField(
        max_length=32, choices=PriceType.choices, default=PriceType.CUSTOMERS_PERCEIVED_VALUE
    )
    custom_value = models.DecimalField(
        **_UNIT_VALUE,
        null=True,
        blank=True,
        help_text="With price type custom value: the fiat value of one point, in the "
        "currency's own fiat.",
    )
    rounding = models.CharField(
        max_length=20,
        choices=Rounding.choices,
        default=Rounding.UP,
        help_text="How a fiat amount's points are rounded (up: the member pays at least the "
        "price).",
    )

    class Meta:
        ordering = ["partnership", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "category"], name="redemption_price_one_per_category"
            ),
            models.CheckConstraint(
                condition=Q(category__in=RedemptionCategory.values),
                name="redemption_price_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(price_type__in=PriceType.values),
                name="redemption_price_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(rounding__in=Rounding.values), name="redemption_price_rounding_valid"
            ),
            models.CheckConstraint(
                # custom_value > 0 alone would let NULL through (a CHECK passes on unknown).
                condition=(
                    Q(price_type=PriceType.CUSTOM_VALUE)
                    & Q(custom_value__isnull=False, custom_value__gt=0)
                )
                | (~Q(price_type=PriceType.CUSTOM_VALUE) & Q(custom_value__isnull=True)),
                name="redemption_price_custom_value_iff_custom",
                violation_error_message="Give a custom value (above zero) with price type "
                "custom value, and only then.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class RedemptionTierPrice(models.Model):
    """A tier's own value of a point in one category: its members pay fewer points."""

    price = models.ForeignKey(RedemptionPrice, on_delete=models.CASCADE, related_name="tier_prices")
    tier = models.ForeignKey("loyalty.Tier", on_delete=models.CASCADE, related_name="+")
    unit_value = models.DecimalField(
        **_UNIT_VALUE,
        help_text="The fiat value of one point for this tier's members, in the currency's own "
        "fiat.",
    )

    class Meta:
        ordering = ["price", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["price", "tier"], name="redemption_tier_price_unique"),
            models.CheckConstraint(
                condition=Q(unit_value__gt=0), name="redemption_tier_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {self.unit_value}"
