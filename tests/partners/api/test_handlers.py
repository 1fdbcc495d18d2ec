"""Every non-success answer of the partner API in the GenericError shape (partners.api.handlers):
DRF's exception handler, and the error views Django uses for what it refuses itself."""

import json
import logging
import uuid

import pytest
from cryptography.fernet import Fernet
from django.test import Client, RequestFactory

from loyalty.models import Transaction
from partners.api import accruals, handlers
from partners.api.authentication import sign
from partners.services.credentials import credential_create
from tests.factories import PartnerFactory
from tests.partners.api.conftest import API, SignedClient, accrual_body


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    [error] = response.json()["errors"]
    assert set(error) == {"message", "field", "code"}
    assert error["code"] == code
    return error


# Django's refusals under /public/ -----------------------------------------------------------


def test_a_post_to_an_unknown_path_with_csrf_checks_is_a_json_404(db):
    """The API has no CSRF: an unknown path used to get Django's HTML CSRF 403 page."""
    client = Client(enforce_csrf_checks=True)
    for path in ("/no/such/thing", "/transactions/tx_1/nope"):
        response = client.post(f"{API}{path}", data=b"{}", content_type="application/json")
        error = assert_error_shape(response, 404, "not_found")
        assert error["message"] == f"No endpoint at {API}{path}."
    # The API's index answers GET only: a POST to it is a JSON 405, not a CSRF page either.
    response = client.post(f"{API}/", data=b"{}", content_type="application/json")
    assert_error_shape(response, 405, "method_not_allowed")


def test_a_bad_host_header_is_a_json_400_under_the_api_and_djangos_page_elsewhere(db):
    """handler400: Django refuses the Host header before any view runs (HTML before)."""
    response = Client().get(f"{API}/transactions", headers={"Host": "evil.example"})
    assert_error_shape(response, 400, "bad_request")

    page = Client().get("/admin/login/", headers={"Host": "evil.example"})
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_an_unknown_path_under_public_outside_the_version_is_a_json_404(db):
    """handler404 (the catch-all route covers /public/v3.0/ only)."""
    assert_error_shape(Client().get("/public/v2.0/transactions"), 404, "not_found")
    page = Client().get("/nothing/here")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("view", "status", "code"),
    [
        (handlers.bad_request, 400, "bad_request"),
        (handlers.permission_denied, 403, "permission_denied"),
        (handlers.page_not_found, 404, "not_found"),
        (handlers.server_error, 500, "server_error"),
    ],
)
def test_error_views_answer_json_under_the_api_and_html_elsewhere(view, status, code):
    api_request = RequestFactory().get(f"{API}/transactions")
    args = () if view is handlers.server_error else (Exception("internal detail"),)
    response = view(api_request, *args)
    assert response.status_code == status
    assert json.loads(response.content)["errors"][0]["code"] == code
    assert b"internal detail" not in response.content

    page = view(RequestFactory().get("/admin/"), *args)
    assert page.status_code == status
    assert page["Content-Type"].startswith("text/html")


# Logs ---------------------------------------------------------------------------------------


def log_texts(records) -> list[str]:
    """Each record as a handler would write it: message, then any traceback (exc_text)."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [formatter.format(record) for record in records]


def test_logs_hold_no_authorization_header_secret_or_body(
    issuer_client, issuer, member, caplog, monkeypatch, settings
):
    """A request that crashes inside a view, one with a bad signature and one whose secret no
    configured key decrypts: the logs name the path, the failure and at most the public key,
    never what the partner sent or signed with."""
    marker = f"body-marker-{uuid.uuid4().hex}"
    body = json.dumps({**accrual_body(member, issuer), "external_reference": marker}).encode()
    settings.CREDENTIALS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    lost = credential_create(partner=PartnerFactory())
    lost_client = SignedClient(lost.public_key, lost.secret_key)

    def explode(self, request):
        assert request.data["external_reference"] == marker  # the view has read the body
        raise RuntimeError("the view failed")

    monkeypatch.setattr(accruals.AccrualStandardView, "post", explode)
    issuer_client.client.raise_request_exception = False
    wrong = SignedClient(issuer_client.public_key, "sec_wrong-secret")
    caplog.set_level(logging.DEBUG)

    settings.CREDENTIALS_ENCRYPTION_KEYS = []  # the key of issuer_client's credential
    crashed = issuer_client.post("/accruals/standard", body)
    refused = wrong.post("/accruals/standard", body)
    settings.CREDENTIALS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    undecryptable = lost_client.post("/accruals/standard", body)

    assert crashed.status_code == 500
    assert refused.status_code == 401
    assert undecryptable.status_code == 401
    texts = log_texts(caplog.records)
    assert any("RuntimeError: the view failed" in text for text in texts)  # it was logged
    assert any("Unauthorized" in text for text in texts)
    assert any(lost.public_key in text for text in texts)
    secrets = {
        "the signature": sign(issuer_client.secret_key, body),
        "the wrong signature": sign(wrong.secret_key, body),
        "the secret key": issuer_client.secret_key,
        "the wrong secret key": wrong.secret_key,
        "the undecryptable signature": sign(lost.secret_key, body),
        "the undecryptable secret key": lost.secret_key,
        "the stored token": lost.credential.secret_encrypted,
        "the body": marker,
    }
    for text in texts:
        for what, value in secrets.items():
            assert value not in text, f"{what} in the log: {text}"
    assert Transaction.objects.count() == 0
