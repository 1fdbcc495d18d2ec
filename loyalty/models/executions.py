"""Purchase rule executions (`pre_...`): one purchase a partner sent through the purchase rules.

The execution keeps the request as it was received so that it can be read back, cancelled or
retriggered, and links the ledger transactions it created (none when no rule fired). What each
rule earned is in RuleAward, through those transactions.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, new_public_id
from loyalty.models.currencies import iso4217
from loyalty.models.partners import ExecutionMode


def purchase_rule_execution_id() -> str:
    return new_public_id("pre")


class ExecutionStatus(models.TextChoices):
    """completed: units posted (or nothing fired); pending: units held until the release date."""

    COMPLETED = "completed", "Completed"
    PENDING = "pending", "Pending"
    CANCELLED = "cancelled", "Cancelled"


class PurchaseRuleExecution(models.Model):
    public_id = models.CharField(
        "execution id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        unique=True,
        default=purchase_rule_execution_id,
        editable=False,
    )
    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, related_name="purchase_rule_executions"
    )
    member = models.ForeignKey(
        "loyalty.Member", on_delete=models.PROTECT, related_name="purchase_rule_executions"
    )
    loyalty_currency = models.ForeignKey("loyalty.LoyaltyCurrency", on_delete=models.PROTECT)
    fiat_amount = models.DecimalField(max_digits=20, decimal_places=4)
    fiat_currency = models.CharField(max_length=3, validators=[iso4217])
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    external_reference = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    release_date = models.DateTimeField(null=True, blank=True)
    execution_mode = models.CharField(max_length=32, choices=ExecutionMode.choices)
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices)
    transactions = models.ManyToManyField(
        "loyalty.Transaction", blank=True, related_name="purchase_rule_executions"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiat_amount__gt=0), name="purchaseruleexecution_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(execution_mode__in=ExecutionMode.values),
                name="purchaseruleexecution_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExecutionStatus.values),
                name="purchaseruleexecution_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id
