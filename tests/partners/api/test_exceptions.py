"""Errors in the GenericError shape (partners.api.exceptions): 404, 405, 415, 400 and 500."""

from django.test import Client

from tests.partners.api.conftest import API


def test_unknown_url_under_the_api_is_json_404(db):
    response = Client().get(f"{API}/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_wrong_method_is_405_in_the_error_shape(issuer_client):
    response = issuer_client.send("PUT", "/accruals/standard", {})
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_non_json_body_is_415(issuer_client):
    body = b"amount=1"
    response = issuer_client.client.post(
        f"{API}/accruals/standard",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": issuer_client._auth(body)},
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_malformed_json_is_400(issuer_client):
    response = issuer_client.post("/accruals/standard", b"{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_server_error_is_json_without_traceback(issuer_client, monkeypatch):
    from partners.api import transactions

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(transactions.TransactionsView, "get_queryset", explode)
    issuer_client.client.raise_request_exception = False
    response = issuer_client.get("/transactions")
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert response.json()["errors"][0]["code"] == "server_error"
