"""The partner side of the staff admin as a whole: every page loads."""

import datetime as dt

from django.utils import timezone

from loyalty.models import Partnership, PartnershipType
from partners.models import IdempotencyRecord, PartnerCustomData
from partners.services.credentials import credential_create
from tests.partners.admin.helpers import url


def test_every_page_loads(admin_client, currency, partner):
    credential = credential_create(partner=partner).credential
    partnership = Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    data = PartnerCustomData.objects.create(partner=partner, field_name="codes", values=[{"a": 1}])
    record = IdempotencyRecord.objects.create(
        partner=partner,
        key="k1",
        request_fingerprint="f" * 64,
        method="POST",
        path="/public/v3.0/accruals/standard",
        response_status=201,
        response_body=b'{"id": "tx_1"}',
        expires_at=timezone.now() + dt.timedelta(hours=8),
    )
    for model, obj in [
        ("partnership", partnership),
        ("partnercustomdata", data),
        ("partnercredential", credential),
        ("idempotencyrecord", record),
    ]:
        assert admin_client.get(url(f"{model}_changelist")).status_code == 200, model
        assert admin_client.get(url(f"{model}_change", obj.pk)).status_code == 200, model
    for model in ["partnership", "partnercustomdata", "partnercredential"]:
        assert admin_client.get(url(f"{model}_add")).status_code == 200, model
