"""The partner API fixtures the door tests use (an issuing partner, the owner's client)."""

from tests.partners.api.conftest import issuer, owner_client  # noqa: F401
