"""Partner-side models: API credentials, idempotency records, partner custom data and the
connectors to partner programmes."""

from partners.models.connectors import ConnectorKind, ProgrammeConnector
from partners.models.credentials import CredentialStatus, PartnerCredential, SigningMode
from partners.models.custom_data import PartnerCustomData
from partners.models.idempotency import IdempotencyRecord

__all__ = [
    "ConnectorKind",
    "CredentialStatus",
    "IdempotencyRecord",
    "PartnerCredential",
    "PartnerCustomData",
    "ProgrammeConnector",
    "SigningMode",
]
