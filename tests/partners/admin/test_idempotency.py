"""Idempotency records in the admin (partners.admin.idempotency): read-only."""

import datetime as dt

from django.utils import timezone

from partners.models import IdempotencyRecord
from tests.loyalty.admin.helpers import page
from tests.partners.admin.helpers import url


def test_idempotency_records_are_read_only(admin_client, partner):
    record = IdempotencyRecord.objects.create(
        partner=partner,
        key="key-1",
        request_fingerprint="f" * 64,
        method="POST",
        path="/public/v3.0/accruals/standard",
        response_status=201,
        response_body=b'{"id": "tx_1"}',
        expires_at=timezone.now() + dt.timedelta(hours=8),
    )

    listing = page(admin_client.get(url("idempotencyrecord_changelist")))
    for value in ("key-1", "Example Air", "POST", "/public/v3.0/accruals/standard", "201"):
        assert value in listing
    assert admin_client.get(url("idempotencyrecord_add")).status_code == 403
    assert admin_client.get(url("idempotencyrecord_delete", record.pk)).status_code == 403
    detail = page(admin_client.get(url("idempotencyrecord_change", record.pk)))
    assert "tx_1" in detail
    assert 'name="key"' not in detail
