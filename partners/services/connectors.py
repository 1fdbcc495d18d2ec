"""Configuring the connector of an external currency (admin and `manage.py programme_connector`)."""

from __future__ import annotations

from django.db import transaction

from loyalty import crypto
from loyalty.errors import NotHosted
from loyalty.models import LoyaltyCurrency
from partners.models import ProgrammeConnector


@transaction.atomic
def connector_set(
    *,
    loyalty_currency: LoyaltyCurrency,
    base_url: str | None = None,
    api_key: str | None = None,
    programme_identifier: str | None = None,
    external_source: str | None = None,
    api_version: str | None = None,
    kind: str | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    enabled: bool | None = None,
) -> ProgrammeConnector:
    """Create or update the currency's connector; only the values given change. The API key is
    stored encrypted (loyalty.crypto)."""
    if loyalty_currency.is_hosted:
        raise NotHosted(
            f"{loyalty_currency.code} is hosted here: only an external currency has a connector."
        )
    connector = ProgrammeConnector.objects.filter(loyalty_currency=loyalty_currency).first()
    if connector is None:
        connector = ProgrammeConnector(loyalty_currency=loyalty_currency)
    values = {
        "base_url": base_url.rstrip("/") if base_url else None,
        "programme_identifier": programme_identifier,
        "external_source": external_source,
        "api_version": api_version,
        "kind": kind,
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        "enabled": enabled,
    }
    for name, value in values.items():
        if value is not None:
            setattr(connector, name, value)
    if api_key is not None:
        connector.api_key_encrypted = crypto.encrypt(api_key) if api_key else ""
    connector.full_clean()
    connector.save()
    return connector
