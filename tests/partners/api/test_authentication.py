"""HMAC signatures (partners.api.authentication): who may call, what is signed, revoked keys."""

import json

import pytest
from django.test import Client

from loyalty.models import Transaction
from partners.api.authentication import sign
from partners.services.credentials import credential_create, credential_revoke
from tests.partners.api.conftest import API, SignedClient, accrual_body


def test_contract_signature_examples():
    assert (
        sign("sec_12345", b'{"foo": "bar"}')
        == "4d84ba663b9c6179dd98023087da5baa8a4e3eb59ba45284935261350ba70742"
    )
    assert (
        sign("sec_12345", b"foo=bar")
        == "88d64dfcb542c35dc22bae059bd5f5a5d038572a7b391dfc4cd5f3a5530c1760"
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer abc",
        "Credential=pub_unknown, Signature=" + "0" * 64,
        "Credential=, Signature=abc",
        "Signature=abc, Credential=pub_x",
    ],
)
def test_missing_or_malformed_authorization_is_401(db, header):
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get(f"{API}/transactions", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_unknown_key_and_wrong_signature_get_the_same_answer(issuer_client):
    wrong = SignedClient(issuer_client.public_key, "sec_wrong")
    unknown = SignedClient("pub_unknown", issuer_client.secret_key)
    first, second = wrong.get("/transactions"), unknown.get("/transactions")
    assert first.status_code == second.status_code == 401
    assert first.json() == second.json()


def test_get_signs_the_query_string(issuer_client):
    assert issuer_client.get("/transactions", {"page_size": 5}).status_code == 200
    # Signature over the empty string does not cover a query string that was added afterwards.
    signature = sign(issuer_client.secret_key, b"")
    response = Client().get(
        f"{API}/transactions?page_size=5",
        headers={"Authorization": f"Credential={issuer_client.public_key}, Signature={signature}"},
    )
    assert response.status_code == 401


def test_body_is_signed_byte_for_byte(issuer_client, issuer, member):
    body = json.dumps(accrual_body(member, issuer))
    signature = sign(issuer_client.secret_key, body.encode())
    reserialised = json.dumps(accrual_body(member, issuer), indent=2)
    response = Client().post(
        f"{API}/accruals/standard",
        data=reserialised,
        content_type="application/json",
        headers={"Authorization": f"Credential={issuer_client.public_key}, Signature={signature}"},
    )
    assert response.status_code == 401
    assert Transaction.objects.count() == 0


def test_revoked_credential_is_refused(issuer_client):
    from partners.models import PartnerCredential

    credential_revoke(credential=PartnerCredential.objects.get(public_key=issuer_client.public_key))
    assert issuer_client.get("/transactions").status_code == 401


def test_last_used_is_recorded(issuer_client):
    from partners.models import PartnerCredential

    issuer_client.get("/transactions")
    assert PartnerCredential.objects.get(public_key=issuer_client.public_key).last_used_at


def test_last_used_at_is_set_by_a_signed_request(partner):
    issued = credential_create(partner=partner)
    assert issued.credential.last_used_at is None

    assert SignedClient(issued.public_key, issued.secret_key).get("/partners").status_code == 200

    issued.credential.refresh_from_db()
    assert issued.credential.last_used_at is not None
