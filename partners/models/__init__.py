"""Partner-side models: API credentials, idempotency records and partner custom data."""

from partners.models.credentials import CredentialStatus, PartnerCredential, SigningMode
from partners.models.custom_data import PartnerCustomData
from partners.models.idempotency import IdempotencyRecord

__all__ = [
    "CredentialStatus",
    "IdempotencyRecord",
    "PartnerCredential",
    "PartnerCustomData",
    "SigningMode",
]
