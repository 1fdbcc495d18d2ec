from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, transaction_id


class TransactionType(models.TextChoices):
    ACCRUAL = "accrual", "Accrual"
    GIFT_CARD_EXCHANGE = "gift_card_exchange", "Gift card exchange"
    LOYALTY_CURRENCY_EXPIRATION = "loyalty_currency_expiration", "Expiration"
    LOYALTY_CURRENCY_GENERATION = "loyalty_currency_generation", "Generation"
    LOYALTY_CURRENCY_PURCHASE = "loyalty_currency_purchase", "Purchase of units"
    LOYALTY_CURRENCY_WITHDRAWAL = "loyalty_currency_withdrawal", "Withdrawal"
    MEMBER_EXCHANGE = "member_exchange", "Member exchange"
    REDEMPTION = "redemption", "Redemption"
    TRANSFER = "transfer", "Transfer"
    REVERSAL = "reversal", "Reversal"
    WHOLESALE_EXCHANGE = "wholesale_exchange", "Wholesale exchange"


class TransactionSubType(models.TextChoices):
    ACTIVITY_RULE = "activity_rule", "Activity rule"
    ADJUSTMENT_DECREASE = "adjustment_decrease", "Adjustment (decrease)"
    ADJUSTMENT_INCREASE = "adjustment_increase", "Adjustment (increase)"
    BUY = "buy", "Buy"
    CANCELLATION = "cancellation", "Cancellation"
    IN = "in", "In"
    MEMBER = "member", "Member"
    MEMBER_TO_MEMBER = "member_to_member", "Member to member"
    OTHER = "other", "Other"
    OUT = "out", "Out"
    PARTNER = "partner", "Partner"
    PARTNER_TO_PARTNER = "partner_to_partner", "Partner to partner"
    PURCHASE_RULE = "purchase_rule", "Purchase rule"
    SELF_TRANSFER = "self_transfer", "Self transfer"
    STANDARD = "standard", "Standard"


class TransactionStatus(models.TextChoices):
    ADJUSTED = "adjusted", "Adjusted"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    PENDING = "pending", "Pending"
    PENDING_EXTERNAL_APPROVAL = "pending_external_approval", "Pending external approval"
    REJECTED = "rejected", "Rejected"
    REVERSED = "reversed", "Reversed"


class StatusMessageCode(models.TextChoices):
    RELEASE_DATE_NOT_REACHED = "release_date_not_reached", "Release date not reached"
    PENDING_EXTERNAL_APPROVAL = "pending_external_approval", "Pending external approval"
    MEMBER_DOES_NOT_EXIST = "member_does_not_exist", "Member does not exist"


class ReasonCode(models.TextChoices):
    BONUS_REWARD = "bonus_reward", "Bonus reward"
    CUSTOMER_SERVICE_ISSUE = "customer_service_issue", "Customer service issue"
    GIFT = "gift", "Gift"
    LOTTERY_REWARD = "lottery_reward", "Lottery reward"
    OTHER = "other", "Other"
    PARTICIPATION_CHECK_IN_REWARD = "participation_check_in_reward", "Participation check-in"
    PRODUCT_PURCHASE = "product_purchase", "Product purchase"
    REFERRAL_REWARD = "referral_reward", "Referral reward"
    SERVICE_PURCHASE = "service_purchase", "Service purchase"
    SHARING_INFORMATION_REWARD = "sharing_information_reward", "Sharing information"
    SOCIAL_ACTION_REWARD = "social_action_reward", "Social action"
    SPECIAL_EVENT_REWARD = "special_event_reward", "Special event"


# Statuses whose units have left the origin and reached the destination's spendable balance.
SETTLED_STATUSES = (
    TransactionStatus.COMPLETED,
    TransactionStatus.REVERSED,
    TransactionStatus.ADJUSTED,
)
# Statuses whose units have left the origin and sit in the destination's pending balance: until
# the release date (pending) or until a partner programme answers (pending_external_approval).
PENDING_STATUSES = (TransactionStatus.PENDING, TransactionStatus.PENDING_EXTERNAL_APPROVAL)
# A cancelled transaction moved nothing when it was cancelled pending (no completed_at); one
# cancelled after it completed (a redemption, by ledger.supersede) keeps its completed_at, and
# its units stay moved: the cancellation that follows it brings them back.
SETTLED = Q(status__in=SETTLED_STATUSES) | Q(
    status=TransactionStatus.CANCELLED, completed_at__isnull=False
)
# Fields a posted (non-pending) transaction may still change: its status and how it is explained.
STATUS_FIELDS = frozenset(
    {"status", "status_message", "status_message_code", "completed_at", "loyalty_system_id"}
)


class TransactionQuerySet(models.QuerySet):
    def for_member(self, member) -> "TransactionQuerySet":
        """Transactions into or out of any of the member's accounts."""
        return self.filter(Q(origin_account__member=member) | Q(destination_account__member=member))

    def delete(self):
        raise ValidationError("Ledger transactions are never deleted; reverse or cancel them.")


class Transaction(models.Model):
    """One movement of units from an origin account to a destination account, as in the contract.

    Rows are written by `loyalty.ledger` only. A posted transaction is never edited or deleted: a
    correction is a new transaction (a reversal) and the original changes status only. The model
    refuses other saves and deletes, and a PostgreSQL trigger (migration 0002) refuses them in SQL.
    """

    # Unique by a named constraint rather than unique=True, which on PostgreSQL adds a second
    # (LIKE) index that no lookup uses and every INSERT and release would maintain.
    public_id = models.CharField(
        "transaction id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        default=transaction_id,
        editable=False,
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.PROTECT, related_name="transactions"
    )
    type = models.CharField(max_length=32, choices=TransactionType.choices)
    sub_type = models.CharField(
        "sub-type", max_length=32, choices=TransactionSubType.choices, blank=True
    )
    status = models.CharField(max_length=32, choices=TransactionStatus.choices)
    # NULL is the contract's "no message" (a completed transaction has none).
    status_message = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    status_message_code = models.CharField(  # noqa: DJ001
        max_length=32, choices=StatusMessageCode.choices, null=True, blank=True
    )
    amount = models.BigIntegerField()
    # Indexed by transaction_origin_idx and transaction_destination_idx (account first).
    origin_account = models.ForeignKey(
        "loyalty.Account",
        on_delete=models.PROTECT,
        related_name="outgoing_transactions",
        db_index=False,
    )
    destination_account = models.ForeignKey(
        "loyalty.Account",
        on_delete=models.PROTECT,
        related_name="incoming_transactions",
        db_index=False,
    )
    bonus = models.BooleanField(default=False)
    external_reference = models.CharField(max_length=255, blank=True)
    loyalty_system_id = models.CharField(max_length=255, blank=True)
    loyalty_system_data = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    reason_code = models.CharField(max_length=64, blank=True)
    related_data = models.JSONField(null=True, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        help_text="For a reversal: the transaction it reverses.",
        db_index=False,  # transaction_reverses_idx, partial
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_links",
        help_text="For a redemption's adjustment or cancellation: the link of the chain it "
        "follows (which became adjusted or cancelled).",
        db_index=False,  # transaction_previous_unique, partial
    )
    release_date = models.DateTimeField(null=True, blank=True)
    # Set by the ledger when the row is inserted (an earlier moment only for recorded history).
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by_partner = models.ForeignKey(
        "loyalty.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_transactions",
    )
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_transactions",
        db_index=False,  # transaction_by_user_idx, partial
    )

    objects = TransactionQuerySet.as_manager()

    class Meta:
        # Every row is written once and updated once or twice (status), so each index costs on
        # both: the indexes are the lookups the API, the admin and the sweep need, no more.
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="transaction_public_id_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transaction_amount_positive"),
            models.CheckConstraint(
                condition=~Q(origin_account=F("destination_account")),
                name="transaction_accounts_differ",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransactionStatus.values), name="transaction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=TransactionType.values), name="transaction_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(sub_type__in=[*TransactionSubType.values, ""]),
                name="transaction_sub_type_valid",
            ),
            # A link of a chain has at most one successor; partial, so that only the few rows
            # that follow another are indexed.
            models.UniqueConstraint(
                fields=["previous"],
                condition=Q(previous__isnull=False),
                name="transaction_previous_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status=TransactionStatus.PENDING) | Q(release_date__isnull=False),
                name="transaction_pending_has_release_date",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(type=TransactionType.REVERSAL),
                name="transaction_only_reversals_reverse",
            ),
        ]
        # No index names the status, in its columns or its condition: a release then changes
        # no indexed column and costs no index entry (the sweep reads PendingRelease instead).
        indexes = [
            models.Index(fields=["origin_account", "-created_at"], name="transaction_origin_idx"),
            models.Index(
                fields=["destination_account", "-created_at"], name="transaction_destination_idx"
            ),
            # Only the rows that carry a reference: the admin finds a transaction by one, and
            # the many without one (rule awards, pending accruals) then cost no entry here
            # when inserted or released.
            models.Index(
                fields=["external_reference"],
                condition=~Q(external_reference=""),
                name="transaction_ext_ref_idx",
            ),
            # Partial: only the few rows that have one are indexed, so the release sweep's
            # UPDATE of every pending row does not write to these.
            models.Index(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="transaction_reverses_idx",
            ),
            models.Index(
                fields=["created_by_user"],
                condition=Q(created_by_user__isnull=False),
                name="transaction_by_user_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    def save(self, *args, **kwargs):
        """Insert freely; afterwards only the status fields may be saved (see STATUS_FIELDS)."""
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= STATUS_FIELDS:
                raise ValidationError(
                    "A ledger transaction is not edited in place; use loyalty.ledger to change it."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Ledger transactions are never deleted; reverse or cancel them.")
