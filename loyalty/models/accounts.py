from django.db import models
from django.db.models import F, Q

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, account_id


class Account(models.Model):
    """Units of one currency held by a member or a partner.

    `balance` is spendable; `pending_balance` holds units of pending transactions until their
    release date. Both are written only by `loyalty.ledger` and always equal what the transactions
    say (`manage.py ledger_check`). A member never goes below zero; a partner may go down to minus
    its `credit_limit`; an account with no limit (the currency owner's mint) may go as low as it
    needs, and its negative balance is the currency's outstanding liability.
    """

    public_id = models.CharField(
        "account id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        unique=True,
        default=account_id,
        editable=False,
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.PROTECT, related_name="accounts"
    )
    member = models.ForeignKey(
        "loyalty.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    is_default = models.BooleanField(
        default=False, help_text="The partner's account used when a request names only the partner."
    )
    balance = models.BigIntegerField(default=0, editable=False)
    pending_balance = models.BigIntegerField(default=0, editable=False)
    credit_limit = models.BigIntegerField(
        null=True,
        blank=True,
        default=0,
        help_text="How far below zero a partner account may go; empty means no limit (the mint).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False, partner__isnull=True))
                | (Q(member__isnull=True, partner__isnull=False)),
                name="account_has_exactly_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(balance__gte=-F("credit_limit")),
                name="account_balance_within_credit_limit",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(credit_limit=0),
                name="account_member_has_no_credit",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="account_credit_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(pending_balance__gte=0), name="account_pending_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(partner__isnull=False),
                name="account_default_only_for_partners",
            ),
            models.UniqueConstraint(
                fields=["member", "loyalty_currency"],
                condition=Q(member__isnull=False),
                name="account_one_per_member_and_currency",
            ),
            models.UniqueConstraint(
                fields=["partner", "loyalty_currency"],
                condition=Q(is_default=True),
                name="account_one_default_per_partner_and_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def owner_type(self) -> str:
        return "member" if self.member_id else "partner"
