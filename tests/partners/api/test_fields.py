"""Request fields (partners.api.fields): what the database cannot store is a 400 naming the field.

PostgreSQL's text and jsonb hold neither a NUL nor a lone surrogate; an origin or destination
carrying one used to reach the account lookup and fail there with a 500.
"""

import pytest

from loyalty.models import Transaction
from partners.api.fields import AccountReferenceField, unstorable
from tests.factories import PartnerFactory, partner_account
from tests.partners.api.conftest import accrual_body

UNSTORABLE_REFERENCES = ["part_\u0000", "acc_\ud800", "acc_ok\u0000tail", "part_\udfff"]


def test_unstorable_finds_nul_and_lone_surrogates_anywhere_without_recursion():
    deep = []
    for _ in range(100_000):  # far deeper than Python's recursion limit
        deep = [deep]
    assert not unstorable(deep)
    assert unstorable([deep, {"k": "v\x00"}])
    assert not unstorable("acc_plain")
    assert not unstorable({"id": ["x", {"y": "z"}], "k": 1})
    assert unstorable("a\x00")
    assert unstorable("a\ud800")
    assert unstorable({"id": ["x", {"y": "z\x00"}]})
    assert unstorable({"key\udc00": "value"})


@pytest.mark.parametrize("value", UNSTORABLE_REFERENCES)
def test_account_reference_refuses_unstorable_ids(value):
    field = AccountReferenceField()
    with pytest.raises(Exception, match="Null characters and lone surrogates"):
        field.run_validation(value)


@pytest.mark.parametrize("origin", UNSTORABLE_REFERENCES)
def test_accrual_origin_with_a_nul_or_surrogate_is_400(issuer_client, issuer, member, origin):
    response = issuer_client.post(
        "/accruals/standard", {**accrual_body(member, issuer), "origin": origin}
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("origin", "unstorable")
    ]
    assert Transaction.objects.count() == 0
    # The body was valid but for the one field.
    assert issuer_client.post("/accruals/standard", accrual_body(member, issuer)).status_code == 201


@pytest.fixture
def receiver_acc(currency):
    receiver = PartnerFactory(company_name="Hotels", api_identifier="hotels")
    return partner_account(partner=receiver, loyalty_currency=currency)


@pytest.mark.parametrize("side", ["origin", "destination"])
@pytest.mark.parametrize("value", UNSTORABLE_REFERENCES)
def test_transfer_origin_or_destination_with_a_nul_or_surrogate_is_400(
    issuer_client, issuer, receiver_acc, side, value
):
    body = {
        "amount": 10,
        "loyalty_currency": "EXAMPLE_POINTS",
        "origin": issuer.public_id,
        "destination": receiver_acc.public_id,
    }
    response = issuer_client.post("/transactions", {**body, side: value})
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(side, "unstorable")]
    assert Transaction.objects.count() == 0
    # The body was valid but for the one field.
    assert issuer_client.post("/transactions", body).status_code == 201
