from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

iso4217 = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")
_UNIT_VALUE = {"max_digits": 20, "decimal_places": 8, "validators": [MinValueValidator(Decimal(0))]}


class Rounding(models.TextChoices):
    BANKERS = "bankers_rounding", "Banker's rounding (half to even)"
    UP = "round_up", "Round up"
    DOWN = "round_down", "Round down"


class ExpiryPolicy(models.TextChoices):
    NEVER = "never", "Never"
    DAYS = "days", "Days after they were earned"
    MONTHS = "months", "Months after they were earned"


class ExpiryRounding(models.TextChoices):
    EXACT = "exact", "On that day"
    END_OF_MONTH = "end_of_month", "At the end of that month"
    END_OF_YEAR = "end_of_year", "At the end of that year"


class LoyaltyCurrency(models.Model):
    """A loyalty programme's unit (points, miles), e.g. EXAMPLE_POINTS.

    A hosted currency is one we are the points bank for (balances live in our ledger); an external
    one belongs to a partner programme reached through a connector (Avios, KrisFlyer). The three
    unit values are the fiat worth of one unit behind the contract's fiat-convert price types.
    """

    code = models.CharField(
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9_]+$", "Use capitals, digits and underscores.")],
        help_text="The identifier partners send as loyalty_currency, e.g. EXAMPLE_POINTS.",
    )
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, related_name="owned_currencies"
    )
    is_hosted = models.BooleanField(
        default=True,
        help_text="We hold the balances (points bank) rather than a partner programme.",
    )
    fiat_currency = models.CharField(max_length=3, validators=[iso4217])
    base_economic_value = models.DecimalField(
        **_UNIT_VALUE, default=Decimal("0.01"), help_text="Fiat value of one unit to the programme."
    )
    customers_perceived_value = models.DecimalField(
        **_UNIT_VALUE, default=Decimal("0.01"), help_text="Fiat value of one unit to a member."
    )
    issuing_partners_cost = models.DecimalField(
        **_UNIT_VALUE, default=Decimal("0.01"), help_text="What an issuing partner pays per unit."
    )
    default_rounding = models.CharField(
        max_length=20, choices=Rounding.choices, default=Rounding.BANKERS
    )
    balances_visible_to_partners = models.BooleanField(
        default=False, help_text="Partners see members' balances on lookup."
    )
    tier_window_days = models.PositiveSmallIntegerField(
        default=365,
        help_text="Tiers are recomputed from the points earned in this many past days.",
    )
    # Points expiry (loyalty.expiry): units earned at t expire at t + expiry_period days or
    # months, moved on to the end of that month or year when expiry_rounding says so.
    expiry_policy = models.CharField(
        max_length=16,
        choices=ExpiryPolicy.choices,
        default=ExpiryPolicy.NEVER,
        help_text="Whether earned points expire, counted in days or in months.",
    )
    expiry_period = models.PositiveIntegerField(
        default=0, help_text="How many days or months after they were earned points expire."
    )
    expiry_rounding = models.CharField(
        max_length=16,
        choices=ExpiryRounding.choices,
        default=ExpiryRounding.EXACT,
        help_text="Expire on that day, or at the end of its month or year.",
    )

    class Meta:
        verbose_name_plural = "loyalty currencies"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiat_currency__regex=r"^[A-Z]{3}$"),
                name="currency_fiat_currency_iso4217",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    base_economic_value__gte=0,
                    customers_perceived_value__gte=0,
                    issuing_partners_cost__gte=0,
                ),
                name="currency_unit_values_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(default_rounding__in=Rounding.values),
                name="currency_default_rounding_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(tier_window_days__gte=1),
                name="currency_tier_window_days_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_policy__in=ExpiryPolicy.values),
                name="currency_expiry_policy_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_rounding__in=ExpiryRounding.values),
                name="currency_expiry_rounding_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_policy=ExpiryPolicy.NEVER)
                | models.Q(expiry_period__gte=1),
                name="currency_expiry_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Tier(models.Model):
    """A membership tier of one currency (e.g. silver, gold); a higher level ranks higher.

    `threshold` is what a member must have earned in the currency's rolling tier window to be
    placed in the tier by the recompute (loyalty.services.tiers); the highest tier reached wins.
    """

    loyalty_currency = models.ForeignKey(
        LoyaltyCurrency, on_delete=models.CASCADE, related_name="tiers"
    )
    code = models.SlugField(max_length=64, help_text="The tier id partners see, e.g. gold.")
    name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()
    threshold = models.PositiveBigIntegerField(
        default=0,
        help_text="Points earned in the currency's tier window needed to reach this tier.",
    )

    class Meta:
        ordering = ["loyalty_currency", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["loyalty_currency", "code"], name="tier_code_unique_per_currency"
            ),
            models.UniqueConstraint(
                fields=["loyalty_currency", "level"], name="tier_level_unique_per_currency"
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0), name="tier_threshold_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name
