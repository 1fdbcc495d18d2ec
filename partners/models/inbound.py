import hashlib
import secrets
import string

from django.db import models
from django.db.models import Q

from partners.avios.contract import MAX_AMOUNT

_KEY_ALPHABET = string.ascii_letters + string.digits


def door_key() -> str:
    """A new api_key for the inbound door: 24 letters and digits, as the Avios contract's."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(24))


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class InboundDoorKey(models.Model):
    """A partner's api_key for the inbound Avios-style credit door (partners.avios.door).

    The key travels in the URL as a bearer value, so only its SHA-256 is stored; it is shown
    once when made. `maximum_amount` is the largest credit the partner may send (the contract's
    per-partner maximum, at most 999,999); `external_sources`, when not empty, the billing
    codes it may send as externalSource (INVALID_PROMOTER_CODE otherwise).
    """

    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.CASCADE, related_name="inbound_door_keys"
    )
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=100, blank=True)
    maximum_amount = models.PositiveIntegerField(default=MAX_AMOUNT)
    external_sources = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(maximum_amount__gte=1, maximum_amount__lte=MAX_AMOUNT),
                name="inbound_door_key_maximum_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} door key {self.label or self.pk}"


class InboundCredit(models.Model):
    """One credit accepted by the inbound door: the accrual it made and what identifies it for
    the contract's duplicate rule (same amount, description and date for the same account),
    which a unique constraint enforces under concurrency."""

    identifier = models.CharField(max_length=16, unique=True)
    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, related_name="inbound_credits"
    )
    member = models.ForeignKey(
        "loyalty.Member", on_delete=models.PROTECT, related_name="inbound_credits"
    )
    transaction = models.OneToOneField(
        "loyalty.Transaction", on_delete=models.PROTECT, related_name="inbound_credit"
    )
    amount = models.PositiveIntegerField()
    description = models.TextField()
    external_transaction_date = models.CharField(max_length=40)
    external_transaction_identifier = models.CharField(max_length=20)
    external_source = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "amount", "description", "external_transaction_date"],
                name="inbound_credit_not_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier
