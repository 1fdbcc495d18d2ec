"""Partner-side models: API credentials, idempotency records, partner custom data, the
connectors to partner programmes and the inbound credit door's keys and credits."""

from partners.models.connectors import ConnectorKind, ProgrammeConnector
from partners.models.credentials import CredentialStatus, PartnerCredential, SigningMode
from partners.models.custom_data import PartnerCustomData
from partners.models.idempotency import IdempotencyRecord
from partners.models.inbound import InboundCredit, InboundDoorKey

__all__ = [
    "ConnectorKind",
    "CredentialStatus",
    "IdempotencyRecord",
    "InboundCredit",
    "InboundDoorKey",
    "PartnerCredential",
    "PartnerCustomData",
    "ProgrammeConnector",
    "SigningMode",
]
