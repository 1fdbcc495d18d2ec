"""Partner-side models: API credentials, idempotency records, partnerships and custom data."""

from partners.models.credentials import CredentialStatus, PartnerCredential
from partners.models.custom_data import PartnerCustomData
from partners.models.idempotency import IdempotencyRecord
from partners.models.partnerships import ExecutionMode, Partnership, PartnershipType

__all__ = [
    "CredentialStatus",
    "ExecutionMode",
    "IdempotencyRecord",
    "PartnerCredential",
    "PartnerCustomData",
    "Partnership",
    "PartnershipType",
]
