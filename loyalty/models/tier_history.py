"""A member's tier history: each change of tier, by the recompute or by staff, with its reason."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class TierChange(models.Model):
    """One change of a member's tier. Rows are written by loyalty.services.tiers and never edited.

    `from_tier` or `to_tier` is empty when the member had, or is given, no tier at all.
    """

    member = models.ForeignKey(
        "loyalty.Member", on_delete=models.CASCADE, related_name="tier_changes"
    )
    from_tier = models.ForeignKey(
        "loyalty.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        "loyalty.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=255)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tier_changes",
        help_text="The staff user who set the tier; empty for the periodic recompute.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_tier=F("to_tier")), name="tier_change_changes_tier"
            ),
            models.CheckConstraint(
                condition=Q(from_tier__isnull=False) | Q(to_tier__isnull=False),
                name="tier_change_has_a_tier",
            ),
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="tier_change_member_idx")]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_tier or '-'} → {self.to_tier or '-'}"
