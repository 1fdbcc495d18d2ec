from django.db import models
from django.db.models import F, Q

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, partner_id


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Partner(models.Model):
    """A business in the programme: the currency owner, an issuing or a redemption partner.

    A partner holds one default account per loyalty currency it takes part in; the currency
    owner's default account in its own currency is the mint that issues new units.
    """

    public_id = models.CharField(
        "partner id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        unique=True,
        default=partner_id,
        editable=False,
    )
    company_name = models.CharField(max_length=200)
    api_identifier = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Stable identifier partners use in API paths, e.g. example-airline.",
    )
    logo = models.URLField(blank=True)
    status = models.CharField(
        max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    api_rate_limit = models.PositiveIntegerField(
        default=600,
        help_text="Partner API requests allowed per minute; beyond it the API answers 429.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PartnerStatus.values), name="partner_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def is_active(self) -> bool:
        return self.status == PartnerStatus.ACTIVE


class PartnershipType(models.TextChoices):
    ISSUING = "issuing", "Issuing"
    REDEMPTION = "redemption", "Redemption"
    CURRENCY_OWNER_FOR_ISSUANCE = "currency_owner_for_issuance", "Currency owner for issuance"
    CURRENCY_OWNER_FOR_REDEMPTION = "currency_owner_for_redemption", "Currency owner for redemption"


class ExecutionMode(models.TextChoices):
    MULTIPLE_TRANSACTIONS = "multiple_transactions", "One transaction per rule"
    SINGLE_TRANSACTION = "single_transaction", "One transaction per purchase"


class Partnership(models.Model):
    """What a partner may do with a loyalty currency, and the terms partners see in the lists.

    An issuing partnership lets the partner accrue the currency from its own account, a redemption
    one lets it take units from members. The fields mirror the contract's partner list items
    (partnership_details). `required_fields` lists what a partner must send on member lookup and
    execution: [{"id": "card_number", "name": "Loyalty card number", "translations": {...}}].
    Exchanges have their own partnerships (loyalty.models.ExchangePartnership): the exchange
    services and the exchange-in and exchange-out lists read those, never a Partnership.
    """

    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.CASCADE, related_name="partnerships"
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.CASCADE, related_name="partnerships"
    )
    type = models.CharField(max_length=32, choices=PartnershipType.choices)
    enabled = models.BooleanField(default=True)
    minimum_member_transaction_amount = models.PositiveBigIntegerField(null=True, blank=True)
    maximum_member_transaction_amount = models.PositiveBigIntegerField(null=True, blank=True)
    execute_required_fields = models.JSONField(default=list, blank=True)
    member_lookup_required_fields = models.JSONField(default=list, blank=True)
    member_lookup_available = models.BooleanField(default=False)
    loyalty_rules_execution_mode = models.CharField(
        max_length=32, choices=ExecutionMode.choices, default=ExecutionMode.MULTIPLE_TRANSACTIONS
    )
    batch_process = models.BooleanField(default=False)
    adjustment_allowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "loyalty_currency", "type"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "loyalty_currency", "type"],
                name="partnership_unique_per_partner_currency_type",
            ),
            models.CheckConstraint(
                condition=Q(type__in=PartnershipType.values), name="partnership_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(minimum_member_transaction_amount__isnull=True)
                | Q(maximum_member_transaction_amount__isnull=True)
                | Q(minimum_member_transaction_amount__lte=F("maximum_member_transaction_amount")),
                name="partnership_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(loyalty_rules_execution_mode__in=ExecutionMode.values),
                name="partnership_execution_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}"
