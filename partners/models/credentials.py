from django.db import models
from django.db.models import Q

from loyalty import crypto

MAX_ACTIVE_CREDENTIALS = 2


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class SigningMode(models.TextChoices):
    CONTRACT = "contract", "Contract: the body, or the query string of a GET"
    STRICT = "strict", "Strict: also the method, the path and a timestamp"


class PartnerCredential(models.Model):
    """An API key pair of a partner: the public key names it, the secret key signs requests.

    The secret (`sec_...`) is shown once when the credential is created and stored encrypted
    (loyalty/crypto.py). A partner may hold two active credentials at once so that it can rotate
    keys without downtime; revoking one takes effect on the next request.

    `signing_mode` contract is the contract's scheme, which every existing client speaks; strict
    (opt-in, per credential) also signs the method, the path and a Signature-Timestamp header,
    so that a captured signature cannot be replayed on another request or later on.
    """

    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.CASCADE, related_name="credentials"
    )
    public_key = models.CharField(max_length=64, unique=True, editable=False)
    secret_encrypted = models.TextField(editable=False)
    status = models.CharField(
        max_length=16, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    label = models.CharField(max_length=100, blank=True, help_text="e.g. production, rotation 2027")
    signing_mode = models.CharField(
        max_length=16,
        choices=SigningMode.choices,
        default=SigningMode.CONTRACT,
        help_text="Strict signing also covers the method, the path and a timestamp; switch it on "
        "only once the partner's client sends the Signature-Timestamp header.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["partner", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CredentialStatus.values), name="credential_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(signing_mode__in=SigningMode.values),
                name="credential_signing_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=CredentialStatus.ACTIVE, revoked_at__isnull=True)
                | Q(status=CredentialStatus.REVOKED, revoked_at__isnull=False),
                name="credential_revoked_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.public_key

    @property
    def secret_key(self) -> str:
        return crypto.decrypt(self.secret_encrypted)
