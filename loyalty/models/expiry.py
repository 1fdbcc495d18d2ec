from django.db import models
from django.db.models import Q


class PointsExpiration(models.Model):
    """One member account's expiry run at one cutoff: the marker that makes expiry exactly once.

    The expiry service inserts this row (the unique constraint on account and cutoff, ON CONFLICT
    DO NOTHING) before it computes and posts the `loyalty_currency_expiration` transaction, in the
    same database transaction: of two runs for the same account and cutoff, the second waits for
    the first's commit and then finds the row, so it posts nothing. `amount` is what expired (0
    when nothing was left to expire once the account was locked).
    """

    account = models.ForeignKey(
        "loyalty.Account", on_delete=models.PROTECT, related_name="expirations"
    )
    cutoff = models.DateTimeField(help_text="Points that expire at or before this moment.")
    amount = models.BigIntegerField(default=0)
    transaction = models.OneToOneField(
        "loyalty.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expiration",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-cutoff", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "cutoff"], name="points_expiration_once_per_account_and_cutoff"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="points_expiration_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount=0) | Q(transaction__isnull=False),
                name="points_expiration_amount_has_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} at {self.cutoff:%Y-%m-%d}"
