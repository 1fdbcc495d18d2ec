"""Earning rules: what a purchase or a member's activity (birthday, review...) earns, and awards.

A rule is data staff edit; `loyalty.rules` turns rules into points without the database. Every
rule the database can hold is a CheckConstraint here, so a rule that could not be evaluated (a
maximum below its minimum, a percentage above 100) cannot be stored by any path.
"""

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, new_public_id
from loyalty.models.currencies import iso4217
from loyalty.models.fx import PriceType

WEEKDAY_FIELDS = (
    "on_monday",
    "on_tuesday",
    "on_wednesday",
    "on_thursday",
    "on_friday",
    "on_saturday",
    "on_sunday",
)


def rule_id() -> str:
    """Public id of a purchase or activity rule: `rl_...`."""
    return new_public_id("rl")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            "Use an IANA time zone, e.g. Europe/Paris.", code="invalid_time_zone"
        ) from exc


class RulePeriod(models.TextChoices):
    """A calendar period in the rule's time zone (a week starts on Monday)."""

    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class RuleBase(models.Model):
    """What purchase and activity rules share: identity, on/off switch and validity window."""

    public_id = models.CharField(
        "rule id", max_length=PUBLIC_ID_MAX_LENGTH, unique=True, default=rule_id, editable=False
    )
    loyalty_currency = models.ForeignKey("loyalty.LoyaltyCurrency", on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    reason = models.CharField(
        max_length=255, blank=True, help_text="The reason written on the transactions it earns."
    )
    enabled = models.BooleanField(default=True)
    cohort = models.ForeignKey(
        "loyalty.Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only for this cohort; empty: for the owner and all its cohorts.",
    )
    valid_from = models.DateTimeField(
        null=True, blank=True, help_text="From this instant on (inclusive); empty: always."
    )
    valid_to = models.DateTimeField(
        null=True, blank=True, help_text="Until this instant (exclusive); empty: no end."
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Where days, hours and periods are counted, e.g. Europe/Paris.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


def _validity_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True)
        | Q(valid_to__isnull=True)
        | Q(valid_to__gt=models.F("valid_from")),
        name=f"{prefix}_valid_to_after_valid_from",
        violation_error_message="The end of validity must come after its start.",
    )


def _both_or_neither(prefix: str, name: str, first: str, second: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": True, f"{second}__isnull": True})
        | Q(**{f"{first}__isnull": False, f"{second}__isnull": False}),
        name=f"{prefix}_{name}",
        violation_error_message=f"Give both {first} and {second}, or neither.",
    )


_AMOUNT = {"max_digits": 20, "decimal_places": 4, "null": True, "blank": True}
_HOUR = {
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(0), MaxValueValidator(23)],
}


class PurchaseRule(RuleBase):
    """Points a purchase earns, when the purchase meets every condition the rule sets.

    Conditions left empty do not restrict. Points = amount x points_per_unit + the points worth
    `percentage` % of the amount (at the currency's `price_type` unit value), times the member's
    tier multiplier, rounded down (ROUND_FLOOR), plus `fixed_bonus`; then capped per purchase and
    per member per period. `loyalty.rules.evaluation` is the reference for the arithmetic.
    """

    tags = models.JSONField(
        default=list,
        blank=True,
        help_text="The rule runs for requests sharing one of these tags; empty: for every request.",
    )
    fiat_currency = models.CharField(
        max_length=3,
        validators=[iso4217],
        help_text="Amounts below are in this currency; purchases in another are converted.",
    )
    min_amount = models.DecimalField(
        **_AMOUNT, validators=[MinValueValidator(Decimal(0))], help_text="Inclusive."
    )
    max_amount = models.DecimalField(
        **_AMOUNT, validators=[MinValueValidator(Decimal(0))], help_text="Inclusive."
    )
    tiers = models.ManyToManyField(
        "loyalty.Tier",
        blank=True,
        related_name="purchase_rules",
        help_text="Only members of these tiers; none selected: every member.",
    )
    on_monday = models.BooleanField(default=True)
    on_tuesday = models.BooleanField(default=True)
    on_wednesday = models.BooleanField(default=True)
    on_thursday = models.BooleanField(default=True)
    on_friday = models.BooleanField(default=True)
    on_saturday = models.BooleanField(default=True)
    on_sunday = models.BooleanField(default=True)
    hour_from = models.PositiveSmallIntegerField(
        **_HOUR, help_text="First hour of the day (0-23) the rule applies, inclusive."
    )
    hour_to = models.PositiveSmallIntegerField(
        **_HOUR,
        help_text="Last hour (0-23), inclusive; before hour_from, the window spans midnight.",
    )

    points_per_unit = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Points per one unit of the fiat currency.",
    )
    percentage = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="Percentage of the amount given back in points, at the unit value below.",
    )
    price_type = models.CharField(
        max_length=32,
        choices=[c for c in PriceType.choices if c[0] != PriceType.CUSTOM_VALUE],
        default=PriceType.CUSTOMERS_PERCEIVED_VALUE,
        help_text="Which of the currency's unit values prices the percentage's points.",
    )
    fixed_bonus = models.IntegerField(
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Points added to every purchase the rule rewards.",
    )
    max_points_per_purchase = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_points_per_member = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # NULL, as for the cap itself, so that one check says "both or neither".
    member_cap_period = models.CharField(  # noqa: DJ001
        max_length=8, choices=RulePeriod.choices, null=True, blank=True
    )
    is_bonus = models.BooleanField(
        default=False, help_text="The points it earns are a bonus (the transaction's bonus flag)."
    )

    class Meta:
        ordering = ["loyalty_currency", "name"]
        constraints = [
            _validity_constraint("purchaserule"),
            models.CheckConstraint(
                condition=Q(fiat_currency__regex=r"^[A-Z]{3}$"),
                name="purchaserule_fiat_currency_iso4217",
            ),
            models.CheckConstraint(
                condition=(Q(min_amount__isnull=True) | Q(min_amount__gte=0))
                & (Q(max_amount__isnull=True) | Q(max_amount__gte=0)),
                name="purchaserule_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(max_amount__gte=models.F("min_amount")),
                name="purchaserule_max_amount_not_below_min",
                violation_error_message="The maximum amount cannot be below the minimum.",
            ),
            models.CheckConstraint(
                condition=Q(_connector=Q.OR, **{field: True for field in WEEKDAY_FIELDS}),
                name="purchaserule_some_weekday",
                violation_error_message="Choose at least one day of the week.",
            ),
            models.CheckConstraint(
                condition=(Q(hour_from__isnull=True) | Q(hour_from__gte=0, hour_from__lte=23))
                & (Q(hour_to__isnull=True) | Q(hour_to__gte=0, hour_to__lte=23)),
                name="purchaserule_hours_0_23",
            ),
            _both_or_neither("purchaserule", "hours_together", "hour_from", "hour_to"),
            models.CheckConstraint(
                condition=Q(points_per_unit__isnull=True) | Q(points_per_unit__gte=0),
                name="purchaserule_points_per_unit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | Q(percentage__gte=0, percentage__lte=100),
                name="purchaserule_percentage_0_100",
            ),
            models.CheckConstraint(
                condition=Q(
                    price_type__in=[
                        PriceType.BASE_ECONOMIC_VALUE,
                        PriceType.CUSTOMERS_PERCEIVED_VALUE,
                        PriceType.ISSUING_PARTNERS_COST,
                    ]
                ),
                name="purchaserule_price_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(fixed_bonus__gte=0), name="purchaserule_fixed_bonus_not_negative"
            ),
            models.CheckConstraint(
                # IS NOT NULL: a NULL comparison would let the check pass.
                condition=Q(points_per_unit__isnull=False, points_per_unit__gt=0)
                | Q(percentage__isnull=False, percentage__gt=0)
                | Q(fixed_bonus__gt=0),
                name="purchaserule_rewards_something",
                violation_error_message="Give points per unit, a percentage or a fixed bonus.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(max_points_per_purchase__isnull=True) | Q(max_points_per_purchase__gt=0)
                )
                & (Q(max_points_per_member__isnull=True) | Q(max_points_per_member__gt=0)),
                name="purchaserule_caps_positive",
            ),
            _both_or_neither(
                "purchaserule",
                "member_cap_with_period",
                "max_points_per_member",
                "member_cap_period",
            ),
            models.CheckConstraint(
                condition=Q(member_cap_period__isnull=True)
                | Q(member_cap_period__in=RulePeriod.values),
                name="purchaserule_member_cap_period_valid",
            ),
        ]

    @property
    def weekdays(self) -> frozenset[int]:
        """The days it applies, Monday 0 to Sunday 6 (datetime.weekday())."""
        return frozenset(day for day, field in enumerate(WEEKDAY_FIELDS) if getattr(self, field))


class PurchaseRuleMetadataMatch(models.Model):
    """The purchase's metadata[key] must equal `value` (text); several values of a key: any one."""

    rule = models.ForeignKey(
        PurchaseRule, on_delete=models.CASCADE, related_name="metadata_matches"
    )
    key = models.CharField(max_length=100, help_text="A top-level metadata key, e.g. store.")
    value = models.CharField(max_length=255, help_text="Compared as text, e.g. 42 or shoes.")

    class Meta:
        ordering = ["rule", "key", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key", "value"], name="purchaserulemetadatamatch_unique"
            ),
            models.CheckConstraint(
                condition=~Q(key=""), name="purchaserulemetadatamatch_key_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class PurchaseRuleTierMultiplier(models.Model):
    """Members of `tier` earn the rule's variable points times `multiplier` (the bonus is not)."""

    rule = models.ForeignKey(
        PurchaseRule, on_delete=models.CASCADE, related_name="tier_multipliers"
    )
    tier = models.ForeignKey("loyalty.Tier", on_delete=models.CASCADE, related_name="+")
    multiplier = models.DecimalField(
        max_digits=8, decimal_places=4, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["rule", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "tier"], name="purchaseruletiermultiplier_unique"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gte=0),
                name="purchaseruletiermultiplier_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier} x{self.multiplier}"


class ActivityRule(RuleBase):
    """Points a member earns for an activity (birthday, review, referral), within its limits."""

    activity = models.SlugField(
        max_length=64, help_text="The activity identifier partners send, e.g. birthday."
    )
    points = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    once_per_member = models.BooleanField(default=False, help_text="A member earns it once, ever.")
    max_per_member = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="A member earns it at most this many times per period.",
    )
    # NULL, as for the limit itself, so that one check says "both or neither".
    limit_period = models.CharField(  # noqa: DJ001
        max_length=8, choices=RulePeriod.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["loyalty_currency", "activity", "name"]
        constraints = [
            _validity_constraint("activityrule"),
            models.CheckConstraint(condition=Q(points__gt=0), name="activityrule_points_positive"),
            models.CheckConstraint(
                condition=~Q(activity=""), name="activityrule_activity_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(max_per_member__isnull=True) | Q(max_per_member__gt=0),
                name="activityrule_max_per_member_positive",
            ),
            _both_or_neither("activityrule", "limit_with_period", "max_per_member", "limit_period"),
            models.CheckConstraint(
                condition=Q(limit_period__isnull=True) | Q(limit_period__in=RulePeriod.values),
                name="activityrule_limit_period_valid",
            ),
            models.CheckConstraint(
                condition=Q(once_per_member=False) | Q(max_per_member__isnull=True),
                name="activityrule_once_or_per_period",
                violation_error_message="Once per member already limits it; drop the per-period "
                "limit.",
            ),
        ]


class RuleAward(models.Model):
    """Points a rule gave a member: the history behind per-member caps and activity limits."""

    purchase_rule = models.ForeignKey(
        PurchaseRule, on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    activity_rule = models.ForeignKey(
        ActivityRule, on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    member = models.ForeignKey("loyalty.Member", on_delete=models.PROTECT, related_name="awards")
    points = models.IntegerField(validators=[MinValueValidator(1)])
    transaction = models.ForeignKey(
        "loyalty.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rule_awards",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_rule__isnull=False, activity_rule__isnull=True)
                | Q(purchase_rule__isnull=True, activity_rule__isnull=False),
                name="ruleaward_exactly_one_rule",
                violation_error_message="An award comes from one purchase or one activity rule.",
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="ruleaward_points_not_negative"
            ),
        ]
        indexes = [
            # "points per member per rule since a date" and "awards per member per activity rule
            # since a date" are range scans on these.
            models.Index(
                fields=["member", "purchase_rule", "created_at"],
                name="ruleaward_member_purchase_idx",
            ),
            models.Index(
                fields=["member", "activity_rule", "created_at"],
                name="ruleaward_member_activity_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} to {self.member_id} from {self.purchase_rule or self.activity_rule}"
