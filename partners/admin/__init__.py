"""The staff admin of the partner side: API credentials (also on the partner's page), custom data
and idempotency records. Partners and partnerships themselves are loyalty's (loyalty.admin)."""

from partners.admin import credentials, custom_data, idempotency

__all__ = ["credentials", "custom_data", "idempotency"]
