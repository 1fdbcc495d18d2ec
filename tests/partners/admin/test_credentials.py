"""The partner side of the staff admin: partnerships, custom data, credentials, idempotency."""

import datetime as dt
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty.models import Partnership, PartnershipType
from partners.models import (
    CredentialStatus,
    IdempotencyRecord,
    PartnerCredential,
    PartnerCustomData,
)
from partners.services.credentials import credential_create
from tests.factories import PartnerFactory
from tests.partners.api.conftest import SignedClient


def url(name: str, *args) -> str:
    app = "loyalty" if name.startswith("partnership") else "partners"
    return reverse(f"admin:{app}_{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


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


# Credentials --------------------------------------------------------------------------------


def test_create_page_shows_the_secret_once_and_never_again(admin_client, partner):
    form = page(admin_client.get(url("partnercredential_add")))
    assert "Create API credential" in form

    response = admin_client.post(
        url("partnercredential_add"), {"partner": partner.pk, "label": "production"}
    )

    credential = PartnerCredential.objects.get(partner=partner)
    secret = credential.secret_key
    result = page(response)
    assert result.count(secret) == 1
    assert credential.public_key in result
    assert "shown only on this page" in result
    assert credential.label == "production"
    assert LogEntry.objects.filter(object_id=str(credential.pk)).exists()

    for later in (
        admin_client.get(url("partnercredential_changelist")),
        admin_client.get(url("partnercredential_change", credential.pk)),
        admin_client.get(url("partnercredential_add")),
    ):
        assert secret not in page(later)
        assert credential.secret_encrypted not in page(later)


def test_changelist_shows_partner_key_label_status_and_use(admin_client, partner):
    issued = credential_create(partner=partner, label="production")
    SignedClient(issued.public_key, issued.secret_key).get("/partners")

    response = admin_client.get(url("partnercredential_changelist"))

    text = page(response)
    for column in ("Public key", "Partner", "Label", "Status", "Created at", "Last used at"):
        assert column in text
    for value in (issued.public_key, "Example Air", "production", "Active"):
        assert value in text
    assert issued.secret_key not in text
    row = response.context["cl"].result_list[0]
    assert row.last_used_at is not None


def test_the_create_page_refuses_a_third_active_credential(admin_client, partner):
    credential_create(partner=partner)
    credential_create(partner=partner)

    response = admin_client.post(url("partnercredential_add"), {"partner": partner.pk})

    assert "already has 2 active credentials; revoke one first." in page(response)
    assert partner.credentials.count() == 2


def test_keys_cannot_be_edited(admin_client, partner):
    credential = credential_create(partner=partner, label="old").credential
    public_key, secret = credential.public_key, credential.secret_encrypted

    admin_client.post(
        url("partnercredential_change", credential.pk),
        {
            "label": "new",
            "public_key": "pub_mine",
            "secret_encrypted": "x",
            "status": "revoked",
            "partner": PartnerFactory().pk,
        },
    )

    credential.refresh_from_db()
    assert credential.label == "new"
    assert (credential.public_key, credential.secret_encrypted) == (public_key, secret)
    assert (credential.partner, credential.status) == (partner, CredentialStatus.ACTIVE)
    assert admin_client.get(url("partnercredential_delete", credential.pk)).status_code == 403


def test_revoke_action_makes_the_api_answer_401(admin_client, partner):
    issued = credential_create(partner=partner)
    kept = credential_create(partner=partner)
    client = SignedClient(issued.public_key, issued.secret_key)
    assert client.get("/partners").status_code == 200

    response = admin_client.post(
        url("partnercredential_changelist"),
        {"action": "revoke", "index": 0, "_selected_action": [issued.credential.pk]},
    )

    assert response.status_code == 302
    assert any("Revoked 1 credential(s)" in m for m in messages_of(response))
    issued.credential.refresh_from_db()
    assert issued.credential.status == CredentialStatus.REVOKED
    assert issued.credential.revoked_at is not None
    assert client.get("/partners").status_code == 401
    assert SignedClient(kept.public_key, kept.secret_key).get("/partners").status_code == 200


def test_staff_without_the_add_permission_cannot_create_credentials(client, partner):
    staff = User.objects.create_user("agent", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_partnercredential"))
    client.force_login(staff)

    assert client.get(url("partnercredential_changelist")).status_code == 200
    assert client.post(url("partnercredential_add"), {"partner": partner.pk}).status_code == 403
    assert not PartnerCredential.objects.exists()


# Partnerships -------------------------------------------------------------------------------


def partnership_form(partner, currency, **changes) -> dict:
    return {
        "partner": partner.pk,
        "loyalty_currency": currency.pk,
        "type": PartnershipType.ISSUING,
        "enabled": "on",
        "minimum_member_transaction_amount": "",
        "maximum_member_transaction_amount": "",
        "conversion_ratio_per_unit": "",
        "loyalty_rules_execution_mode": "multiple_transactions",
        "member_lookup_required_fields": "[]",
        "execute_required_fields": "[]",
        **changes,
    }


def test_staff_add_a_partnership_with_required_fields(admin_client, currency, partner):
    fields = [{"id": "card_number", "name": "Card number", "translations": {"es": "Tarjeta"}}]

    response = admin_client.post(
        url("partnership_add"),
        partnership_form(partner, currency, execute_required_fields=json.dumps(fields)),
    )

    assert response.status_code == 302, response.content.decode()
    partnership = Partnership.objects.get(partner=partner)
    assert partnership.type == PartnershipType.ISSUING
    assert partnership.execute_required_fields == fields


@pytest.mark.parametrize(
    ("required_fields", "message"),
    [
        ({"id": "card"}, "Enter a JSON list"),
        (["card"], "Field 1 is not a JSON object."),
        ([{"id": "card"}], "Field 1 needs a non-empty text &quot;name&quot;."),
        ([{"id": "", "name": "Card"}], "Field 1 needs a non-empty text &quot;id&quot;."),
        ([{"id": "c", "name": "C", "label": "x"}], "Field 1 has unknown keys label"),
        ([{"id": "c", "name": "C"}, {"id": "c", "name": "D"}], "Field 2 repeats the id"),
        ([{"id": "c", "name": "C", "translations": ["es"]}], "must be an object"),
        ([{"id": "c", "name": "C", "translations": {"spanish": "T"}}], "ISO 639-1"),
        ([{"id": "c", "name": "C", "translations": {"es": ""}}], "translation is empty"),
    ],
)
def test_malformed_required_fields_are_refused(
    admin_client, currency, partner, required_fields, message
):
    response = admin_client.post(
        url("partnership_add"),
        partnership_form(
            partner, currency, member_lookup_required_fields=json.dumps(required_fields)
        ),
    )

    assert message in page(response)
    assert not Partnership.objects.exists()


def test_a_currency_owner_has_no_partnership_in_its_own_currency(admin_client, currency):
    response = admin_client.post(url("partnership_add"), partnership_form(currency.owner, currency))
    assert "a partnership is with another partner" in page(response)
    assert not Partnership.objects.exists()


def test_partnerships_are_recorded_from_the_currency_owners_side(admin_client, currency, partner):
    response = admin_client.post(
        url("partnership_add"),
        partnership_form(partner, currency, type=PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE),
    )
    assert "Select a valid choice" in page(response)
    assert not Partnership.objects.exists()


def test_minimum_above_maximum_is_refused(admin_client, currency, partner):
    response = admin_client.post(
        url("partnership_add"),
        partnership_form(
            partner,
            currency,
            minimum_member_transaction_amount="100",
            maximum_member_transaction_amount="10",
        ),
    )
    assert response.status_code == 200
    assert not Partnership.objects.exists()


def test_partnership_list_filters_by_type_and_partner(admin_client, currency, partner):
    issuer = PartnerFactory(company_name="Issuer")
    Partnership.objects.create(
        partner=issuer, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.REDEMPTION
    )

    def listed(params) -> set:
        return set(
            admin_client.get(url("partnership_changelist"), params).context["cl"].result_list
        )

    assert {p.partner for p in listed({"type__exact": "redemption"})} == {partner}
    assert {p.partner for p in listed({"partner__id__exact": issuer.pk})} == {issuer}
    assert {p.partner for p in listed({"q": "example-air"})} == {partner}


# Custom data and idempotency records --------------------------------------------------------


def test_custom_data_values_must_be_a_list_of_objects(admin_client, partner):
    form = {"partner": partner.pk, "field_name": "codes"}

    refused = admin_client.post(url("partnercustomdata_add"), {**form, "values": '{"a": 1}'})
    assert "Enter a JSON list of objects" in page(refused)

    saved = admin_client.post(url("partnercustomdata_add"), {**form, "values": '[{"a": 1}]'})
    assert saved.status_code == 302
    assert PartnerCustomData.objects.get(partner=partner).values == [{"a": 1}]


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
