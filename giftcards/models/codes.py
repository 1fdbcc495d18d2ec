"""The custom code inventory: codes (GiftCardCode, `gcc_...`), their redemptions and imports.

A code, its PIN and its barcode string are bearer value: they are stored encrypted
(loyalty.crypto) and found by `code_hash`, a keyed hash of the normalised code
(giftcards.secrets), never by the plaintext.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from giftcards.ids import gift_card_code_id
from giftcards.models.catalogue import GiftCard
from loyalty.ids import PUBLIC_ID_MAX_LENGTH

MONEY = {"max_digits": 12, "decimal_places": 2}


class CodeStatus(models.TextChoices):
    AVAILABLE = "available", "In stock"
    ISSUED = "issued", "Issued"
    CANCELLED = "cancelled", "Cancelled"


class RedemptionStatus(models.TextChoices):
    UNREDEEMED = "unredeemed", "Unredeemed"
    PARTIALLY_REDEEMED = "partially_redeemed", "Partially redeemed"
    REDEEMED = "redeemed", "Redeemed"


class IssueKind(models.TextChoices):
    POINTS = "points", "Bought with points"
    DIRECT = "direct", "Issued directly by a partner"


class Channel(models.TextChoices):
    STORE = "store", "Store"
    ONLINE = "online", "Online"


class GiftCardCode(models.Model):
    """One code of a gift card: in stock, issued (to a member, for points or directly) or
    cancelled.

    `denomination` is the face value a fixed card's code was loaded with; an open card's code
    gets its `fiat_amount` when issued. `fiat_balance` is what is left to redeem. An issue for
    points records its ledger `transaction` (a gift_card_exchange from the member to the brand
    partner); a cancellation's refund is `refund_transaction`.
    """

    public_id = models.CharField(
        "code id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        unique=True,
        default=gift_card_code_id,
        editable=False,
    )
    gift_card = models.ForeignKey(GiftCard, on_delete=models.PROTECT, related_name="codes")
    code_hash = models.CharField(max_length=64, editable=False)
    code_encrypted = models.TextField(editable=False)
    pin_encrypted = models.TextField(blank=True, default="", editable=False)
    barcode_encrypted = models.TextField(blank=True, default="", editable=False)
    denomination = models.DecimalField(**MONEY, null=True, blank=True)
    expiration_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=CodeStatus.choices, default=CodeStatus.AVAILABLE
    )
    redemption_status = models.CharField(
        max_length=20,
        choices=RedemptionStatus.choices,
        blank=True,
        default="",
        help_text="Empty until the code is issued (null on the wire).",
    )
    fiat_amount = models.DecimalField(**MONEY, null=True, blank=True)
    fiat_balance = models.DecimalField(**MONEY, null=True, blank=True)
    issue_kind = models.CharField(max_length=8, choices=IssueKind.choices, blank=True, default="")
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by_partner = models.ForeignKey(
        "loyalty.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_gift_card_codes",
    )
    member = models.ForeignKey(
        "loyalty.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gift_card_codes",
    )
    member_reference = models.CharField(
        max_length=200, blank=True, help_text="The member id a direct issue named (information)."
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gift_card_codes",
    )
    loyalty_amount = models.BigIntegerField(null=True, blank=True)
    transaction = models.OneToOneField(
        "loyalty.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gift_card_code",
    )
    refund_transaction = models.OneToOneField(
        "loyalty.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunded_gift_card_code",
    )
    external_reference = models.CharField(max_length=255, blank=True)
    partner_code = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    custom_settings_data = models.JSONField(default=dict, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    import_batch = models.ForeignKey(
        "giftcards.GiftCardCodeImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codes",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_gift_card_secrets", "Can see gift-card codes and PINs")]
        constraints = [
            models.UniqueConstraint(
                fields=["gift_card", "code_hash"], name="giftcardcode_unique_per_card"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CodeStatus.values), name="giftcardcode_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(redemption_status__in=["", *RedemptionStatus.values]),
                name="giftcardcode_redemption_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(fiat_balance__isnull=True) | Q(fiat_balance__gte=0),
                name="giftcardcode_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(fiat_balance__isnull=True)
                | Q(fiat_amount__isnull=True)
                | Q(fiat_balance__lte=F("fiat_amount")),
                name="giftcardcode_balance_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status=CodeStatus.ISSUED) | Q(issued_at__isnull=False),
                name="giftcardcode_issued_has_date",
            ),
        ]
        indexes = [
            # The allocation's SKIP LOCKED scan: in-stock codes of one card and denomination.
            models.Index(
                fields=["gift_card", "denomination", "id"],
                condition=Q(status=CodeStatus.AVAILABLE),
                name="giftcardcode_stock_idx",
            ),
            models.Index(fields=["code_hash"], name="giftcardcode_hash_idx"),
            models.Index(fields=["issued_at"], name="giftcardcode_issued_at_idx"),
        ]

    def __str__(self) -> str:
        return self.public_id


class GiftCardRedemption(models.Model):
    """One redemption of a code at the retailer (whole or partial), as it answers in
    redemption_details. `external_reference` is unique per retailer: a repeat of a redemption
    answers the code as it is rather than redeeming again."""

    code = models.ForeignKey(GiftCardCode, on_delete=models.PROTECT, related_name="redemptions")
    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, related_name="gift_card_redemptions"
    )
    fiat_amount = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    external_reference = models.CharField(max_length=255)
    metadata = models.JSONField(default=dict, blank=True)
    custom_settings_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_reference"],
                name="giftcardredemption_reference_unique_per_partner",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="giftcardredemption_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(fiat_amount__isnull=True) | Q(fiat_amount__gt=0),
                name="giftcardredemption_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.fiat_amount or 'whole'}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Imported"
    REFUSED = "refused", "Refused (see the report)"
    FAILED = "failed", "Failed"


class GiftCardCodeImport(models.Model):
    """A file of codes loaded into a card's stock: validated whole first, then stored, or
    refused with its line-by-line report (`errors`: [{"line", "message"}]). Big files run as a
    Celery task, its progress in the cache while it runs (giftcards.services.imports)."""

    gift_card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255, blank=True)
    # The uploaded file until it has been imported (it holds codes in clear: emptied after).
    data = models.BinaryField(default=bytes, editable=False)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_codes = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="giftcardimport_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename or 'import'} ({self.get_status_display()})"
