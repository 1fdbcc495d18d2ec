"""API credentials: issuing a key pair (its secret shown once) and revoking it."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from loyalty import crypto
from loyalty.models import Partner
from partners.errors import TooManyActiveCredentials
from partners.models import CredentialStatus, PartnerCredential
from partners.models.credentials import MAX_ACTIVE_CREDENTIALS


@dataclass(frozen=True)
class IssuedCredential:
    """A new credential with its secret in clear: the only moment the secret is ever shown."""

    credential: PartnerCredential
    public_key: str
    secret_key: str


@transaction.atomic
def credential_create(*, partner: Partner, label: str = "") -> IssuedCredential:
    """Issue a key pair; refused when the partner already holds two active credentials.

    The partner row is locked so that two concurrent creations cannot both pass the count.
    """
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    active = partner.credentials.filter(status=CredentialStatus.ACTIVE).count()
    if active >= MAX_ACTIVE_CREDENTIALS:
        raise TooManyActiveCredentials(
            f"{partner.company_name} already has {active} active credentials; revoke one first."
        )
    public_key = "pub_" + secrets.token_hex(16)
    secret_key = "sec_" + secrets.token_urlsafe(32)
    credential = PartnerCredential.objects.create(
        partner=partner,
        public_key=public_key,
        secret_encrypted=crypto.encrypt(secret_key),
        label=label,
    )
    return IssuedCredential(credential=credential, public_key=public_key, secret_key=secret_key)


def credential_revoke(*, credential: PartnerCredential) -> PartnerCredential:
    """Revoke a credential: requests signed with it get 401 from now on."""
    if credential.status != CredentialStatus.REVOKED:
        credential.status = CredentialStatus.REVOKED
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["status", "revoked_at"])
    return credential
