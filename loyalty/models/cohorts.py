"""Cohorts: groups of businesses under a currency owner, each with its own accounts.

A cohort is a Partner row of its own (so its accounts, ids `part_...` and ledger entries work like
any partner's) linked to the owner that manages it. Its enabled/disabled status is that partner's
active/suspended status. The owner's rules apply to its cohorts unless a rule names another
cohort; `CohortRuleSetting` switches a rule off (or back on) for one cohort only, and
`CohortChange` records every change an owner makes through the API.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from loyalty.models.partners import Partner, PartnerStatus


class CohortStatus(models.TextChoices):
    """The contract's cohort status, kept as the cohort partner's active/suspended status."""

    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Disabled"


class Cohort(models.Model):
    partner = models.OneToOneField(
        "loyalty.Partner",
        on_delete=models.PROTECT,
        related_name="cohort",
        help_text="The cohort's partner row: its id, name, status and accounts.",
    )
    owner = models.ForeignKey(
        "loyalty.Partner",
        on_delete=models.PROTECT,
        related_name="cohorts",
        help_text="The currency owner that manages the cohort.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(partner=models.F("owner")), name="cohort_not_its_own_owner"
            ),
        ]

    def __str__(self) -> str:
        return str(self.partner)

    @property
    def status(self) -> str:
        active = self.partner.status == PartnerStatus.ACTIVE
        return CohortStatus.ENABLED if active else CohortStatus.DISABLED


class CohortRuleSetting(models.Model):
    """One cohort's switch for one purchase or activity rule; no row means the rule's own."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="rule_settings")
    purchase_rule = models.ForeignKey(
        "loyalty.PurchaseRule",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cohort_settings",
    )
    activity_rule = models.ForeignKey(
        "loyalty.ActivityRule",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cohort_settings",
    )
    enabled = models.BooleanField()

    class Meta:
        ordering = ["cohort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_rule__isnull=False, activity_rule__isnull=True)
                | Q(purchase_rule__isnull=True, activity_rule__isnull=False),
                name="cohortrulesetting_exactly_one_rule",
            ),
            models.UniqueConstraint(
                fields=["cohort", "purchase_rule"],
                condition=Q(purchase_rule__isnull=False),
                name="cohortrulesetting_one_per_purchase_rule",
            ),
            models.UniqueConstraint(
                fields=["cohort", "activity_rule"],
                condition=Q(activity_rule__isnull=False),
                name="cohortrulesetting_one_per_activity_rule",
            ),
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.purchase_rule or self.activity_rule} {state} for {self.cohort}"


class CohortChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    PURCHASE_RULE = "purchase_rule", "Purchase rule switched"
    ACTIVITY_RULE = "activity_rule", "Activity rule switched"


class CohortChange(models.Model):
    """Who changed a cohort through the API, when, and each changed field as [before, after]."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="changes")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", help_text="Who made the change."
    )
    action = models.CharField(max_length=16, choices=CohortChangeAction.choices)
    rule_id = models.CharField(
        max_length=32, blank=True, help_text="The rule switched, for rule changes."
    )
    changes = models.JSONField(default=dict, help_text='{"field": [before, after]}')
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=CohortChangeAction.values), name="cohortchange_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.cohort} by {self.partner}"
