"""Errors in the GenericError shape (partners.api.exceptions): 404, 405, 415, 400 and 500, and
messages that never echo a large input back."""

from django.test import Client

from loyalty.models import Transaction
from partners.api.exceptions import MAX_FIELD_LENGTH, MAX_MESSAGE_LENGTH, error
from tests.partners.api.conftest import API, accrual_body


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

    monkeypatch.setattr(transactions, "VisibleTransactions", explode)
    issuer_client.client.raise_request_exception = False
    response = issuer_client.get("/transactions")
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert response.json()["errors"][0]["code"] == "server_error"


# Messages cap what they echo (MAX_MESSAGE_LENGTH) ----------------------------------------------

HUGE = 100 * 1024


def assert_small_error(response, field: str) -> dict:
    assert response.status_code == 400
    assert len(response.content) < 2048, f"{len(response.content)} bytes"
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert len(error["message"]) <= MAX_MESSAGE_LENGTH
    return error


def test_a_huge_membership_id_is_not_echoed_back(owner_client, currency, member):
    """The currency owner may accrue, so the member is looked up and its id quoted."""
    huge_id = "M" + "9" * HUGE
    body = {
        "amount": 10,
        "loyalty_currency": currency.code,
        "member": {"id": huge_id},
        "origin": currency.owner.public_id,
    }
    error = assert_small_error(owner_client.post("/accruals/standard", body), "member")
    assert error["code"] == "member_does_not_exist"
    assert error["message"].startswith("No member 'M9999")
    assert error["message"].endswith("…")
    assert Transaction.objects.count() == 0


def test_a_huge_value_in_a_choice_field_is_not_echoed_back(issuer_client, issuer, member):
    body = {**accrual_body(member, issuer), "reason_code": "x" * HUGE}
    error = assert_small_error(issuer_client.post("/accruals/standard", body), "reason_code")
    assert error["code"] == "invalid_choice"
    assert error["message"].startswith('"xxxx')
    assert Transaction.objects.count() == 0


def test_error_cuts_long_messages_and_field_names():
    short = error("Fine.", code="invalid", field="amount")
    assert short == {"message": "Fine.", "field": "amount", "code": "invalid"}
    cut = error("m" * 10_000, code="invalid", field="f" * 10_000)
    assert len(cut["message"]) == MAX_MESSAGE_LENGTH
    assert cut["message"] == "m" * (MAX_MESSAGE_LENGTH - 1) + "…"
    assert len(cut["field"]) == MAX_FIELD_LENGTH
    assert error("m" * MAX_MESSAGE_LENGTH, code="c")["message"] == "m" * MAX_MESSAGE_LENGTH
