from django.db import models
from django.db.models import Q

from loyalty import crypto


class ConnectorKind(models.TextChoices):
    AVIOS = "avios", "Avios Credit Currency API"


class ProgrammeConnector(models.Model):
    """How to reach the partner programme of one external currency (partners.connectors).

    `kind` picks the class that speaks the programme's API; the rest is its configuration:
    base URL, API version, the programme's identifier, our API key there (stored encrypted with
    loyalty/crypto.py, never shown again nor logged), the external source (the billing or
    promoter code the programme gave us) and the timeouts. Set by staff in the admin or with
    `manage.py programme_connector set`.
    """

    loyalty_currency = models.OneToOneField(
        "loyalty.LoyaltyCurrency", on_delete=models.CASCADE, related_name="connector"
    )
    kind = models.CharField(max_length=16, choices=ConnectorKind.choices, default="avios")
    base_url = models.URLField(help_text="e.g. https://api.avios.com (no trailing slash).")
    api_version = models.CharField(max_length=16, default="v1")
    programme_identifier = models.CharField(max_length=32, default="ATRP")
    api_key_encrypted = models.TextField(blank=True, editable=False)
    external_source = models.CharField(
        max_length=10, blank=True, help_text="The billing (promoter) code the programme gave us."
    )
    connect_timeout = models.FloatField(default=3.0, help_text="Seconds.")
    read_timeout = models.FloatField(default=10.0, help_text="Seconds.")
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["loyalty_currency"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConnectorKind.values), name="connector_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(connect_timeout__gt=0, read_timeout__gt=0),
                name="connector_timeouts_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loyalty_currency} ({self.get_kind_display()})"

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)
