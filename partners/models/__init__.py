"""Partner-side models: API credentials, idempotency records and partnerships."""

from partners.models.credentials import CredentialStatus, PartnerCredential
from partners.models.idempotency import IdempotencyRecord
from partners.models.partnerships import ExecutionMode, Partnership, PartnershipType

__all__ = [
    "CredentialStatus",
    "ExecutionMode",
    "IdempotencyRecord",
    "PartnerCredential",
    "Partnership",
    "PartnershipType",
]
