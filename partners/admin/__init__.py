"""The staff admin of the partner side: API credentials (also on the partner's page), custom data,
idempotency records and the programme connectors. Partners and partnerships themselves are
loyalty's (loyalty.admin)."""

from partners.admin import connectors, credentials, custom_data, idempotency

__all__ = ["connectors", "credentials", "custom_data", "idempotency"]
