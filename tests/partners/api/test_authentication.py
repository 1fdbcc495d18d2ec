"""HMAC signatures (partners.api.authentication): who may call, what is signed, revoked keys,
bodies too large to sign, and the strict signing mode."""

import json
import logging
import time

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from loyalty.models import Transaction
from partners.api.authentication import sign
from partners.models import IdempotencyRecord, PartnerCredential, SigningMode
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


# Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (MAX_REQUEST_BODY_BYTES) --------------------------------

MB = 1024 * 1024


def padded_accrual(member, issuer, size: int) -> bytes:
    """A valid accrual body padded with a string to `size` bytes."""
    head = json.dumps({**accrual_body(member, issuer), "pad": ""}).encode()
    return head[:-2] + b"x" * (size - len(head)) + head[-2:]


@pytest.mark.parametrize("megabytes", [3, 5, 50])
def test_a_body_over_the_limit_is_413_and_changes_nothing(issuer_client, issuer, member, megabytes):
    """Reading the body to check its signature used to raise RequestDataTooBig: a 500."""
    body = padded_accrual(member, issuer, megabytes * MB)
    assert len(body) == megabytes * MB

    response = issuer_client.post("/accruals/standard", body, idempotency_key="big-1")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["code"] == "payload_too_large"
    assert "1,048,576 bytes" in error["message"]
    assert Transaction.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_the_limit_is_the_setting(issuer_client, issuer, member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    small = issuer_client.post("/accruals/standard", padded_accrual(member, issuer, 4096))
    assert small.status_code == 201, small.content

    large = issuer_client.post("/accruals/standard", padded_accrual(member, issuer, 4097))
    assert large.status_code == 413
    assert "4,096 bytes" in large.json()["errors"][0]["message"]
    assert Transaction.objects.count() == 1


# Strict signing (PartnerCredential.signing_mode) ---------------------------------------------


class StrictClient(SignedClient):
    """Signs the strict way: method, path and Signature-Timestamp, then the body or query."""

    def strict(self, method: str, path: str, body: bytes = b"", *, query: str = "", **options):
        return self.request(method, path, body, query=query, **options)

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        query: str = "",
        timestamp: int | None = None,
        signed_method: str | None = None,
        signed_path: str | None = None,
    ):
        timestamp = int(time.time()) if timestamp is None else timestamp
        signs_body = method in ("POST", "PUT", "PATCH")
        content = body if signs_body else query.encode()
        head = f"{signed_method or method}\n{API}{signed_path or path}\n{timestamp}\n"
        url = f"{API}{path}" + (f"?{query}" if query else "")
        return getattr(self.client, method.lower())(
            url,
            **({"data": body, "content_type": "application/json"} if signs_body else {}),
            headers={
                "Authorization": self._auth(head.encode() + content),
                "Signature-Timestamp": str(timestamp),
            },
        )


@pytest.fixture
def strict_client(issuer):
    issued = credential_create(partner=issuer)
    issued.credential.signing_mode = SigningMode.STRICT
    issued.credential.save(update_fields=["signing_mode"])
    return StrictClient(issued.public_key, issued.secret_key)


def test_strict_credential_refuses_the_contract_signature(
    strict_client, issuer_client, issuer, member
):
    assert strict_client.get("/transactions").status_code == 401
    assert strict_client.post("/accruals/standard", accrual_body(member, issuer)).status_code == (
        401
    )
    assert Transaction.objects.count() == 0

    # The partner's other credential, in the default contract mode, is unchanged.
    assert issuer_client.get("/transactions").status_code == 200
    created = issuer_client.post("/accruals/standard", accrual_body(member, issuer))
    assert created.status_code == 201, created.content
    strictly = StrictClient(issuer_client.public_key, issuer_client.secret_key)
    assert strictly.strict("GET", "/transactions").status_code == 401


def test_strict_signature_with_the_current_time_is_accepted(strict_client, issuer, member):
    assert strict_client.strict("GET", "/transactions").status_code == 200
    assert strict_client.strict("GET", "/transactions", query="page_size=5").status_code == 200
    body = json.dumps(accrual_body(member, issuer)).encode()
    created = strict_client.strict("POST", "/accruals/standard", body)
    assert created.status_code == 201, created.content
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize("offset", [-301, -3600, 302, 3600])
def test_strict_signature_far_from_the_servers_time_is_401(strict_client, offset):
    response = strict_client.request("GET", "/transactions", timestamp=int(time.time()) + offset)
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["code"] == "authentication_failed"
    assert "Signature-Timestamp" in error["message"]
    assert "300 seconds away" in error["message"]


def test_strict_signature_without_a_timestamp_is_401(strict_client):
    message = f"GET\n{API}/transactions\n\n".encode()
    response = strict_client.client.get(
        f"{API}/transactions", headers={"Authorization": strict_client._auth(message)}
    )
    assert response.status_code == 401
    assert "Signature-Timestamp" in response.json()["errors"][0]["message"]


def test_strict_signature_replayed_on_another_path_or_method_is_401(strict_client, issuer):
    """Both replays would pass the contract's scheme, which signs the same empty string."""
    now = int(time.time())
    assert strict_client.request("GET", "/transactions", timestamp=now).status_code == 200
    another_path = strict_client.request(
        "GET", "/partners", timestamp=now, signed_path="/transactions"
    )
    assert another_path.status_code == 401
    another_method = strict_client.request(
        "POST", "/transactions", b"", timestamp=now, signed_method="GET"
    )
    assert another_method.status_code == 401
    # The same replay against a contract credential gets through the signature check.
    contract = SignedClient(strict_client.public_key, strict_client.secret_key)
    credential = PartnerCredential.objects.get(public_key=contract.public_key)
    credential.signing_mode = SigningMode.CONTRACT
    credential.save(update_fields=["signing_mode"])
    assert contract.get("/partners").status_code == 200
    assert contract.post("/transactions", b"").status_code == 400  # past the signature
    assert Transaction.objects.count() == 0


# Secrets no configured key decrypts ----------------------------------------------------------


def test_a_secret_no_key_decrypts_is_401_and_logged_by_public_key(settings, partner, caplog):
    settings.CREDENTIALS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    issued = credential_create(partner=partner)
    client = SignedClient(issued.public_key, issued.secret_key)
    assert client.get("/partners").status_code == 200
    settings.CREDENTIALS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with caplog.at_level(logging.ERROR, logger="partners.api"):
        response = client.get("/partners")

    assert response.status_code == 401
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "partners.api"
    assert issued.public_key in record.getMessage()
    assert issued.secret_key not in record.getMessage()
    assert issued.credential.secret_encrypted not in record.getMessage()
    # The partner learns nothing more than from any other bad signature.
    assert response.json() == SignedClient("pub_unknown", "sec_wrong").get("/partners").json()
