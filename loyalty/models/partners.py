from django.db import models

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
