import datetime as dt

import pytest
from django.utils import timezone

from loyalty.models import Transaction


def accrual(member, issuer, **extra):
    return {
        "amount": 1000,
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        "origin": issuer.public_id,
        **extra,
    }


def test_accrual_from_partner_id_creates_completed_transaction(
    issuer_client, issuer, member, member_acc, ledger_balances
):
    response = issuer_client.post("/accruals/standard", accrual(member, issuer, reason="Welcome"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("tx_")
    assert body["type"] == "accrual"
    assert body["sub-type"] == "standard"
    assert body["status"] == "completed"
    assert body["amount"] == 1000
    assert body["destination_account"] == {
        "id": member_acc.public_id,
        "owner": {"id": member.public_id, "type": "member"},
    }
    assert body["origin_account"]["owner"] == {"id": issuer.public_id, "type": "partner"}
    member_acc.refresh_from_db()
    assert member_acc.balance == 1000
    ledger_balances()


def test_accrual_with_release_date_is_pending(issuer_client, issuer, member, member_acc):
    release = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = issuer_client.post(
        "/accruals/standard", accrual(member, issuer, release_date=release)
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["status_message_code"] == "release_date_not_reached"
    member_acc.refresh_from_db()
    assert (member_acc.balance, member_acc.pending_balance) == (0, 1000)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"member": {"id": "NOPE"}}, "member"),
        ({"origin": "acc_doesnotexist"}, "origin"),
        ({"loyalty_currency": "NOPE"}, "loyalty_currency"),
        ({"release_date": "2020-01-01T00:00"}, "release_date"),
        ({"metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, "metadata"),
        ({"metadata": []}, "metadata"),
        ({"metadata": {"a\u0000": 1}}, "metadata"),
        ({"loyalty_system_data": {"a": "x\u0000"}}, "loyalty_system_data"),
        ({"loyalty_system_data": {"a": "\ud800"}}, "loyalty_system_data"),
        ({"member": {"id": "M1\u0000"}}, "member"),
    ],
)
def test_bad_accrual_is_refused_and_changes_nothing(issuer_client, issuer, member, change, field):
    response = issuer_client.post("/accruals/standard", {**accrual(member, issuer), **change})
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize("missing", ["amount", "loyalty_currency", "member", "origin"])
def test_each_required_field(issuer_client, issuer, member, missing):
    body = accrual(member, issuer)
    del body[missing]
    response = issuer_client.post("/accruals/standard", body)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "message": "This field is required.",
        "field": missing,
        "code": "required",
    }


def test_partner_without_partnership_is_forbidden(stranger_client, issuer, member):
    response = stranger_client.post("/accruals/standard", accrual(member, issuer))
    assert response.status_code == 403
    assert Transaction.objects.count() == 0


def test_idempotent_repeat_returns_the_original(issuer_client, issuer, member):
    first = issuer_client.post("/accruals/standard", accrual(member, issuer), idempotency_key="k1")
    again = issuer_client.post("/accruals/standard", accrual(member, issuer), idempotency_key="k1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotency-Repeated"] == "true"
    assert Transaction.objects.count() == 1
